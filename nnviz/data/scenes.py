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


CHUNK = 16  # pictures drawn at a time: each temporary stays in the cache (the result is the same)


def _u(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """n uniform numbers shaped (n, 1, 1) to broadcast over (n, SIZE, SIZE)."""
    return rng.uniform(low, high, n).astype(np.float32).reshape(n, 1, 1)


def _colours(table: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """n random rows of a (k, 2, 3) colour table, jittered -> (2, 3, n, 1, 1)."""
    picked = table[rng.integers(0, len(table), n)] + rng.normal(0, 0.04, (n, 2, 3))
    return picked.astype(np.float32).transpose(1, 2, 0).reshape(2, 3, n, 1, 1)


def _blend(img: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """img (3, n, S, S) towards colour (3, n, 1, 1) or (3, n, S, S) by alpha (n, S, S), in place."""
    step = np.subtract(colour, img)
    step *= alpha
    img += step
    return img


def _draws(rng: np.random.Generator, has_sun: np.ndarray, noise: float) -> dict[str, np.ndarray]:
    """Every random number of n pictures, in the order the generator gives them.

    Picture parameters are (n, 1, 1) (colours (2, 3, n, 1, 1), the sun's (3, n, 1, 1)),
    the noise (3, n, S, S); a picture depends on its own parameters only.
    """
    n = has_sun.shape[0]
    d: dict[str, np.ndarray] = {"sky": _colours(SKIES, rng, n), "ground": _colours(GROUNDS, rng, n)}
    d["h0"] = h0 = _u(rng, 0.55, 0.78, n)
    for layer, amp in enumerate((0.06, 0.04)):  # far and near hills
        d[f"freq{layer}"], d[f"phase{layer}"] = _u(rng, 4, 14, n), _u(rng, 0, 2 * np.pi, n)
        d[f"amp{layer}"] = _u(rng, 0.01, amp, n)
    for cloud in range(3):  # up to three clouds
        d[f"present{cloud}"] = (rng.random(n) < 0.55).astype(np.float32).reshape(n, 1, 1)
        d[f"cx{cloud}"], d[f"cy{cloud}"] = _u(rng, 0.0, 1.0, n), _u(rng, 0.05, 0.3, n) * h0 / 0.6
        d[f"width{cloud}"] = _u(rng, 0.06, 0.13, n)
    d["cloud"] = _u(rng, 0.8, 1.0, n)
    d["r"] = r = _u(rng, 0.07, 0.15, n)
    d["sun_x"] = _u(rng, 0.12, 0.88, n)
    d["sun_y"] = 0.05 + r + rng.random(n).astype(np.float32).reshape(n, 1, 1) * (h0 - 0.17 - 2 * r)
    sun = np.stack([np.ones(n), rng.uniform(0.75, 0.97, n), rng.uniform(0.2, 0.6, n)])
    d["sun"] = sun.astype(np.float32).reshape(3, n, 1, 1)
    d["has_sun"] = has_sun.astype(np.float32).reshape(n, 1, 1)
    d["exposure"] = _u(rng, 0.85, 1.1, n)
    d["noise"] = rng.standard_normal((3, n, SIZE, SIZE), dtype=np.float32) * np.float32(noise)
    return d


def _chunk(d: dict[str, np.ndarray], lo: int, hi: int) -> dict[str, np.ndarray]:
    """The draws of pictures lo..hi-1 (the picture axis is the last but two)."""
    return {key: value[..., lo:hi, :, :] for key, value in d.items()}


def _landscape(d: dict[str, np.ndarray], yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    """Sky gradient, far and near hills -> pictures (3, n, S, S)."""
    sky, ground, h0 = d["sky"], d["ground"], d["h0"]
    t = np.clip(yy / h0, 0, 1)
    img = np.broadcast_to(sky[0] + (sky[1] - sky[0]) * t, (3, h0.shape[0], SIZE, SIZE)).copy()
    for layer, lift in enumerate((0.08, 0.0)):
        line = h0 - lift + d[f"amp{layer}"] * np.sin(d[f"freq{layer}"] * xx + d[f"phase{layer}"])
        shade = np.clip(0.8 + 0.8 * (yy - line), 0.8, 1.15)
        hill = np.clip((yy - line) * SIZE + 0.5, 0, 1)
        img = _blend(img, ground[1 - layer] * shade, hill)
    return img


def _clouds(d: dict[str, np.ndarray], img: np.ndarray, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    """Up to three white-grey clouds of three puffs each, high in the sky."""
    n = img.shape[1]
    cover = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    for cloud in range(3):
        present, cx, cy, width = (d[f"{key}{cloud}"] for key in ("present", "cx", "cy", "width"))
        for dx, dy, s in ((-0.8, 0.2, 0.8), (0.0, 0.0, 1.0), (0.8, 0.25, 0.75)):
            px, py, w = cx + dx * width, cy + dy * width * 0.5, width * s
            inside = 1 - ((xx - px) / w) ** 2 - ((yy - py) / (0.5 * w)) ** 2
            np.maximum(cover, np.clip(inside * 3, 0, 1) * present, out=cover)
    return _blend(img, d["cloud"], cover * 0.9)


def _suns(d: dict[str, np.ndarray], img: np.ndarray, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    """A bright disc with a glow in the sky of the pictures with a sun."""
    r, h0 = d["r"], d["h0"]
    dist = np.sqrt((xx - d["sun_x"]) ** 2 + (yy - d["sun_y"]) ** 2)
    on = d["has_sun"] * np.clip((h0 - yy) * SIZE, 0, 1)
    glow = 0.45 * np.exp(-((dist / (2.2 * r)) ** 2))
    disc = np.clip((r - dist) * SIZE + 0.5, 0, 1)
    alpha = (1 - (1 - glow) * (1 - disc)) * on
    return _blend(img, d["sun"], alpha)


def pictures(rng: np.random.Generator, has_sun: np.ndarray, noise: float) -> np.ndarray:
    """has_sun (n,) 0/1 -> X (64·64·3, n) float64 in [0, 1] on 8-bit levels like a photo.

    Drawn channel-first (3, n, 64, 64), CHUNK pictures at a time, for speed; each column
    of X is the C-order flattening of one (64, 64, 3) picture, as in the notes.  What
    depends on the row alone (yy, (1, S, 1)) or the column alone (xx, (1, 1, S)) is
    computed once per row or column and broadcast.
    """
    n = has_sun.shape[0]
    grid = np.arange(SIZE, dtype=np.float32) / (SIZE - 1)
    yy, xx = grid.reshape(1, SIZE, 1), grid.reshape(1, 1, SIZE)
    draws = _draws(rng, has_sun, noise)
    levels = np.empty((SIZE, SIZE, 3, n), dtype=np.uint8)
    for lo in range(0, n, CHUNK):
        d = _chunk(draws, lo, min(n, lo + CHUNK))
        img = _suns(d, _clouds(d, _landscape(d, yy, xx), yy, xx), yy, xx)
        img *= d["exposure"]
        img += d["noise"]
        np.clip(img, 0, 1, out=img)
        levels[..., lo:lo + CHUNK] = np.rint(img * 255).astype(np.uint8).transpose(2, 3, 0, 1)
    return EIGHT_BIT[levels.reshape(-1, n)]


EIGHT_BIT = np.arange(256) / 255.0  # a level's value, exactly as level / 255.0


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
