"""nnviz's window (being built)."""
from __future__ import annotations


def main(data: str | None = None) -> int:
    print("The nnviz window is coming; `nnviz train` and `nnviz info` work now.")
    return 0
