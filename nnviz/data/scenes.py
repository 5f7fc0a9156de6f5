"""The default demo set: 64×64×3 landscapes with a sun in the sky (class 1) or without one (class 0)."""
from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset

SIZE = 64
CLASS_NAMES = ["no sun", "sun"]

# (top of the sky, sky at the horizon) colour pairs: clear, deep, hazy, evening
SKIES = np.array([
    [[0.25, 0.50, 0.90], [0.70, 0.85, 1.00]],
    [[0.10, 0.30, 0.75], [0.45, 0.70, 0.95]],
    [[0.55, 0.65, 0.80], [0.85, 0.88, 0.92]],
    [[0.30, 0.35, 0.65], [0.85, 0.65, 0.70]],
], dtype=np.float32)
# near and far ground colours: meadow, forest, field, desert, heath
GROUNDS = np.array([
    [[0.25, 0.60, 0.20], [0.40, 0.65, 0.40]],
    [[0.10, 0.35, 0.15], [0.25, 0.45, 0.35]],
    [[0.55, 0.60, 0.20], [0.50, 0.60, 0.35]],
    [[0.80, 0.65, 0.40], [0.75, 0.65, 0.50]],
    [[0.45, 0.35, 0.25], [0.45, 0.45, 0.45]],
], dtype=np.float32)


def _u(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """n uniform numbers shaped (n, 1, 1) to broadcast over (n, SIZE, SIZE)."""
    return rng.uniform(low, high, n).astype(np.float32).reshape(n, 1, 1)


def _colours(table: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """n random rows of a (k, 2, 3) colour table, jittered -> (2, 3, n, 1, 1)."""
    picked = table[rng.integers(0, len(table), n)] + rng.normal(0, 0.04, (n, 2, 3))
    return picked.astype(np.float32).transpose(1, 2, 0).reshape(2, 3, n, 1, 1)


def _blend(img: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """img (3, n, S, S) towards colour (3, n, 1, 1) or (3, n, S, S) by alpha (n, S, S), in place."""
    img += (colour - img) * alpha
    return img


def _landscape(rng: np.random.Generator, n: int, yy: np.ndarray, xx: np.ndarray) -> tuple:
    """Sky gradient, far and near hills -> (pictures (3, n, S, S), horizon height (n, 1, 1))."""
    sky, ground = _colours(SKIES, rng, n), _colours(GROUNDS, rng, n)
    h0 = _u(rng, 0.55, 0.78, n)
    t = np.clip(yy / h0, 0, 1)
    img = sky[0] + (sky[1] - sky[0]) * t
    for layer, (lift, amp) in enumerate(((0.08, 0.06), (0.0, 0.04))):
        freq, phase = _u(rng, 4, 14, n), _u(rng, 0, 2 * np.pi, n)
        line = h0 - lift + _u(rng, 0.01, amp, n) * np.sin(freq * xx + phase)
        shade = np.clip(0.8 + 0.8 * (yy - line), 0.8, 1.15)
        hill = np.clip((yy - line) * SIZE + 0.5, 0, 1)
        img = _blend(img, ground[1 - layer] * shade, hill)
    return img, h0


def _clouds(rng: np.random.Generator, img: np.ndarray, yy: np.ndarray, xx: np.ndarray,
            h0: np.ndarray) -> np.ndarray:
    """Up to three white-grey clouds of three puffs each, high in the sky."""
    n = img.shape[1]
    cover = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    for _ in range(3):
        present = (rng.random(n) < 0.55).astype(np.float32).reshape(n, 1, 1)
        cx, cy = _u(rng, 0.0, 1.0, n), _u(rng, 0.05, 0.3, n) * h0 / 0.6
        width = _u(rng, 0.06, 0.13, n)
        for dx, dy, s in ((-0.8, 0.2, 0.8), (0.0, 0.0, 1.0), (0.8, 0.25, 0.75)):
            px, py, w = cx + dx * width, cy + dy * width * 0.5, width * s
            inside = 1 - ((xx - px) / w) ** 2 - ((yy - py) / (0.5 * w)) ** 2
            np.maximum(cover, np.clip(inside * 3, 0, 1) * present, out=cover)
    return _blend(img, _u(rng, 0.8, 1.0, n), cover * 0.9)


def _suns(rng: np.random.Generator, img: np.ndarray, yy: np.ndarray, xx: np.ndarray,
          h0: np.ndarray, has_sun: np.ndarray) -> np.ndarray:
    """A bright disc with a glow in the sky of the pictures where has_sun (n,) is 1."""
    n = img.shape[1]
    r = _u(rng, 0.07, 0.15, n)
    cx = _u(rng, 0.12, 0.88, n)
    cy = 0.05 + r + rng.random(n).astype(np.float32).reshape(n, 1, 1) * (h0 - 0.17 - 2 * r)
    colour = np.stack([np.ones(n), rng.uniform(0.75, 0.97, n), rng.uniform(0.2, 0.6, n)])
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    on = has_sun.astype(np.float32).reshape(n, 1, 1) * np.clip((h0 - yy) * SIZE, 0, 1)
    glow = 0.45 * np.exp(-((d / (2.2 * r)) ** 2))
    disc = np.clip((r - d) * SIZE + 0.5, 0, 1)
    alpha = (1 - (1 - glow) * (1 - disc)) * on
    return _blend(img, colour.astype(np.float32).reshape(3, n, 1, 1), alpha)


def pictures(rng: np.random.Generator, has_sun: np.ndarray, noise: float) -> np.ndarray:
    """has_sun (n,) 0/1 -> X (64·64·3, n) float64 in [0, 1] on 8-bit levels like a photo.

    Drawn channel-first (3, n, 64, 64) for speed; each column of X is the C-order
    flattening of one (64, 64, 3) picture, as in the notes.
    """
    n = has_sun.shape[0]
    yy, xx = (g.astype(np.float32)[None] / (SIZE - 1) for g in np.mgrid[0:SIZE, 0:SIZE])
    img, h0 = _landscape(rng, n, yy, xx)
    img = _clouds(rng, img, yy, xx, h0)
    img = _suns(rng, img, yy, xx, h0, has_sun)
    img *= _u(rng, 0.85, 1.1, n)  # exposure
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(noise)
    np.clip(img, 0, 1, out=img)
    levels = np.rint(img * 255).astype(np.uint8)  # (3, n, S, S)
    X = np.empty((SIZE, SIZE, 3, n), dtype=np.float64)
    np.divide(levels.transpose(2, 3, 0, 1), 255.0, out=X)
    return X.reshape(-1, n)


def _split(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """m pictures, about half with a sun -> X (12288, m) C-contiguous, Y (1, m)."""
    has_sun = rng.permutation(np.arange(m) % 2)
    return pictures(rng, has_sun, noise), has_sun.astype(np.float64).reshape(1, m)


def image_demo(m: int, m_test: int, noise: float, seed: int) -> Dataset:
    """X (12288, m), Y (1, m), X_test (12288, m_test), Y_test (1, m_test); 1 = sun."""
    rng = np.random.default_rng(seed)
    X, Y = _split(rng, m, noise)
    X_test, Y_test = _split(rng, m_test, noise)
    return Dataset(X=X, Y=Y, X_test=X_test, Y_test=Y_test, class_names=list(CLASS_NAMES),
                   example_shape=(SIZE, SIZE, 3), source="demo:images", name="demo:images")
