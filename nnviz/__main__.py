"""`python -m nnviz`: the same as the `nnviz` command."""
import sys

from .cli import main

sys.exit(main())
