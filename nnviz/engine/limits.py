"""What a design may ask for: seeds each random generator takes, and the memory a network needs."""
from __future__ import annotations

import math
import numbers

from .network import NetworkSpec
from .plan import plan_shapes

LEGACY_SEED_LIMIT = 2**32  # np.random.seed takes 0 .. 2**32 - 1
FLOAT64 = 8
DATA_KEYS = ("A0", "Y")  # the dataset's arrays: they exist before the network does


def check_seed(rng: str, seed: object) -> int:
    """``seed`` as an int, or ValueError saying which seeds ``rng`` takes (np.random.default_rng: 0 or more;
    the legacy np.random.seed: 0 to 2**32 − 1)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"the seed must be a whole number, got {seed!r}")
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"the seed must be 0 or more, got {seed}")
    if rng == "legacy" and seed >= LEGACY_SEED_LIMIT:
        raise ValueError(f"the legacy generator takes seeds from 0 to {LEGACY_SEED_LIMIT - 1} (2**32 − 1), got {seed}")
    return seed


def network_bytes(spec: NetworkSpec, m: int) -> int:
    """Bytes the network's arrays need on m examples (every array of the plan as float64, the data
    excluded), plus one array of the largest shape for the temporaries a step makes.  Python ints:
    no overflow, so 12288-100000000-1 is priced before anything is allocated."""
    sizes = [math.prod(shape) for key, shape in plan_shapes(spec, int(m)).items() if key not in DATA_KEYS]
    return (sum(sizes) + max(sizes, default=0)) * FLOAT64
