"""Summaries of big arrays in blocks of rows, so that no temporary the size of X is ever made."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

#: the largest temporary a summary makes (a block of rows as float64)
BLOCK_BYTES = 4 * 1024 * 1024


def row_blocks(A: np.ndarray, block_bytes: int = BLOCK_BYTES) -> Iterator[slice]:
    """Slices of A's first axis that each hold about `block_bytes` as float64 (at least a row)."""
    row = max(1, int(np.prod(A.shape[1:], dtype=np.int64))) * 8
    step = max(1, block_bytes // row)
    for start in range(0, A.shape[0], step):
        yield slice(start, min(start + step, A.shape[0]))


@dataclass(frozen=True)
class Summary:
    """min, max, mean and (population) std of every value of an array."""

    min: float
    max: float
    mean: float
    std: float


def summarize(A: np.ndarray, block_bytes: int = BLOCK_BYTES) -> Summary:
    """The values' summary in two passes over blocks of rows (mean first, then the spread
    around it, as numpy.std does), never copying more than a block."""
    if A.size == 0:
        raise ValueError("an empty array has no summary")
    low, high, total = np.inf, -np.inf, 0.0
    for rows in row_blocks(A, block_bytes):
        block = A[rows]
        low, high = min(low, float(block.min())), max(high, float(block.max()))
        total += float(block.sum(dtype=np.float64))
    mean = total / A.size
    spread = 0.0
    for rows in row_blocks(A, block_bytes):
        block = np.subtract(A[rows], mean, dtype=np.float64)
        np.square(block, out=block)
        spread += float(block.sum())
    return Summary(low, high, mean, float(np.sqrt(spread / A.size)))


def row_mean_std(X: np.ndarray, block_bytes: int = BLOCK_BYTES) -> tuple[np.ndarray, np.ndarray]:
    """Per-row mean and std of X (n_x, m) as (n_x, 1) arrays; each row's numbers are numpy's own
    (X.mean(axis=1), X.std(axis=1)) with temporaries of one block of rows."""
    mean = np.empty((X.shape[0], 1), dtype=np.float64)
    std = np.empty((X.shape[0], 1), dtype=np.float64)
    for rows in row_blocks(X, block_bytes):
        mean[rows] = X[rows].mean(axis=1, keepdims=True)
        std[rows] = X[rows].std(axis=1, keepdims=True)
    return mean, std
