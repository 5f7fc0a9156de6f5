"""Built-in demo sets generated in code (no downloads): 2-D playground sets and sun/no-sun pictures."""
from __future__ import annotations

import logging
import math
from collections.abc import Callable
from urllib.parse import parse_qsl

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError

log = logging.getLogger(__name__)

DEMO_NAMES = ("images", "xor", "circles", "moons", "spiral", "gaussians")

IMAGE_SIZE = 64
IMAGE_M, IMAGE_M_TEST, IMAGE_NOISE, IMAGE_MAX_M = 209, 50, 0.02, 10_000
POINTS_M, POINTS_MAX_M = 300, 1_000_000
POINTS_NOISE = {"xor": 0.05, "circles": 0.05, "moons": 0.07, "spiral": 0.03, "gaussians": 0.3}
POINTS_CLASSES = {
    "xor": ["opposite signs", "same sign"],
    "circles": ["outer ring", "inner disc"],
    "moons": ["upper moon", "lower moon"],
    "spiral": ["arm A", "arm B"],
    "gaussians": ["lower left", "upper right"],
}

Points = tuple[np.ndarray, np.ndarray]  # (P (m, 2) float64, labels (m,) int)


def _xor(rng: np.random.Generator, m: int) -> Points:
    """Uniform in the square, kept a little away from the axes; 1 where x1·x2 > 0."""
    P = rng.uniform(-0.94, 0.94, (m, 2))
    P += np.where(P >= 0, 0.06, -0.06)
    return P, (P[:, 0] * P[:, 1] > 0).astype(np.int64)


def _circles(rng: np.random.Generator, m: int) -> Points:
    """A disc of radius 0.5 (class 1) inside a ring 0.7–1.0 (class 0)."""
    y = (np.arange(m) % 2).astype(np.int64)
    r = np.where(y == 1, rng.uniform(0.0, 0.5, m), rng.uniform(0.7, 1.0, m))
    angle = rng.uniform(0.0, 2 * math.pi, m)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), y


def _moons(rng: np.random.Generator, m: int) -> Points:
    """Two interleaved half circles, scaled into [-1, 1]²."""
    y = (np.arange(m) % 2).astype(np.int64)
    t = rng.uniform(0.0, math.pi, m)
    x1 = np.where(y == 0, np.cos(t), 1.0 - np.cos(t)) - 0.5
    x2 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t)) - 0.25
    return 0.65 * np.column_stack([x1, x2]), y


def _spiral(rng: np.random.Generator, m: int) -> Points:
    """Two spiral arms turning 1.75 times around the origin, half a turn apart."""
    y = (np.arange(m) % 2).astype(np.int64)
    r = rng.uniform(0.0, 1.0, m)
    angle = 1.75 * 2 * math.pi * r + math.pi * y
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)]), y


def _gaussians(rng: np.random.Generator, m: int) -> Points:
    """Two round clouds centred at (-0.5, -0.5) and (0.5, 0.5) (spread set by the noise)."""
    y = (np.arange(m) % 2).astype(np.int64)
    centre = np.where(y[:, None] == 1, 0.5, -0.5)
    return centre + np.zeros((m, 2)), y


_POINTS: dict[str, Callable[[np.random.Generator, int], Points]] = {
    "xor": _xor, "circles": _circles, "moons": _moons, "spiral": _spiral, "gaussians": _gaussians,
}


def _check(name: str, m: int, noise: float, max_m: int) -> None:
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 1 <= m <= max_m:
        raise DataError(f"demo:{name}: m={m!r} is out of range; expected a whole number from 1 "
                        f"to {max_m}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and 0 <= noise <= 10):
        raise DataError(f"demo:{name}: noise={noise!r} is out of range; expected 0 to 10")


def _columns(P: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points (m, 2), labels (m,) -> X (2, m), Y (1, m) float64."""
    return np.ascontiguousarray(P.T, dtype=np.float64), y.astype(np.float64).reshape(1, -1)


def points_demo(name: str, m: int, noise: float, seed: int) -> Dataset:
    """A 2-D set: X (2, m), Y (1, m) 0/1, and a test split of m/3 points from the same source."""
    m_test = max(1, round(m / 3))
    rng = np.random.default_rng(seed)
    P, y = _POINTS[name](rng, m + m_test)
    P = P + rng.normal(0.0, noise, P.shape)
    order = rng.permutation(m + m_test)
    P, y = P[order], y[order]
    X, Y = _columns(P[:m], y[:m])
    X_test, Y_test = _columns(P[m:], y[m:])
    return Dataset(X=X, Y=Y, X_test=X_test, Y_test=Y_test, class_names=list(POINTS_CLASSES[name]),
                   example_shape=(2,), source=f"demo:{name}", name=f"demo:{name}")


def load_demo(name: str, *, m: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
    """A built-in set by name (see DEMO_NAMES), deterministic for a given seed.

    'images': X (12288, m) pictures 64×64×3 in [0, 1], m = 209 and 50 test pictures
    by default, Y (1, m): 1 = a sun in the sky.  The 2-D sets: X (2, m), Y (1, m),
    m = 300 by default plus m/3 test points; `noise` is the spread of the points.
    """
    from nnviz.data.course import COURSE_SETS, course_set

    if name in COURSE_SETS and m is None and noise is None and not seed:
        return course_set(name)
    if name in COURSE_SETS:
        raise DataError(f"demo:{name} is the course's own set: it takes no m, noise or seed")
    if name not in DEMO_NAMES:
        raise DataError(f"demo:{name}: no such demo set; expected one of {', '.join(DEMO_NAMES + COURSE_SETS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"demo:{name}: seed={seed!r} must be a whole number ≥ 0")
    if name == "images":
        from nnviz.data.scenes import image_demo

        m = IMAGE_M if m is None else m
        noise = IMAGE_NOISE if noise is None else noise
        _check(name, m, noise, IMAGE_MAX_M)
        return image_demo(m, IMAGE_M_TEST, noise, seed)
    m = POINTS_M if m is None else m
    noise = POINTS_NOISE[name] if noise is None else noise
    _check(name, m, noise, POINTS_MAX_M)
    return points_demo(name, m, noise, seed)


def parse_demo(source: str) -> Dataset:
    """'demo:NAME' or 'demo:NAME?m=400&noise=0.2&seed=3' -> load_demo(NAME, …)."""
    spec = source[len("demo:"):]
    name, _, query = spec.partition("?")
    kwargs: dict[str, float | int] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in ("m", "noise", "seed"):
            raise DataError(f"{source}: unknown parameter '{key}'; expected m, noise or seed")
        try:
            kwargs[key] = float(value) if key == "noise" else int(value)
        except ValueError:
            raise DataError(f"{source}: {key}={value!r} is not a number") from None
    dataset = load_demo(name.strip().lower(), **kwargs)  # type: ignore[arg-type]
    dataset.source = source  # with its parameters, so the same set can be made again
    return dataset
