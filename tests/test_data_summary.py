"""`nnviz info` and standardisation on data that only just fits: no temporary the size of X."""
from __future__ import annotations

import tracemalloc

import numpy as np

from nnviz.cli import main
from nnviz.data import Dataset, describe, load_dataset
from nnviz.data.stats import BLOCK_BYTES, row_mean_std, summarize


def peak_bytes(fn) -> int:
    """Peak bytes numpy and Python allocate during fn() (tracemalloc sees numpy's buffers)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def big_dataset(n_x=3000, m=2000) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(n_x, m))
    return Dataset(X=X, Y=(rng.random((1, m)) > 0.5).astype(float), source="big")


def test_describe_never_copies_x():
    ds = big_dataset()  # X is 48 MB; numpy's X.std() alone would allocate another 48 MB
    text = peak_bytes(lambda: describe(ds))
    assert peak_bytes(lambda: ds.X.std()) >= ds.X.nbytes  # what `nnviz info` used to do
    assert text < 3 * BLOCK_BYTES < ds.X.nbytes / 3


def test_block_summary_equals_numpy():
    rng = np.random.default_rng(1)
    for A in (rng.normal(size=(1000, 700)) * 1e6 + 5, rng.integers(0, 256, (37, 5), dtype=np.uint8),
              np.full((3, 1), 7.0)):
        s = summarize(A, block_bytes=4096)
        assert (s.min, s.max) == (A.min(), A.max())
        np.testing.assert_allclose([s.mean, s.std], [A.mean(), A.std()], rtol=1e-12, atol=1e-12)


def test_standardize_rows_are_numpys_own_numbers_in_blocks():
    X = big_dataset(300, 500).X
    mean, std = row_mean_std(X, block_bytes=10_000)
    assert mean.tobytes() == X.mean(axis=1, keepdims=True).tobytes()
    assert std.tobytes() == X.std(axis=1, keepdims=True).tobytes()


def test_standardize_on_a_real_file_makes_no_copy_of_x(tmp_path):
    ds = big_dataset(2000, 1500)
    np.save(tmp_path / "X.npy", ds.X)
    np.save(tmp_path / "Y.npy", ds.Y)
    plain = peak_bytes(lambda: load_dataset(tmp_path / "X.npy"))
    standardized = peak_bytes(lambda: load_dataset(tmp_path / "X.npy", standardize=True))
    assert standardized < plain + 3 * BLOCK_BYTES
    out = load_dataset(tmp_path / "X.npy", standardize=True).X
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, rtol=1e-12)


def test_nnviz_info_prints_the_block_summary(tmp_path, capsys):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 300))
    np.savez(tmp_path / "d.npz", X=X, Y=(X[0] > 0).astype(int))
    assert main(["info", str(tmp_path / "d.npz")]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("X values:"))
    assert line == (f"X values: min {X.min():.4g}, max {X.max():.4g}, mean {X.mean():.4g}, "
                    f"std {X.std():.4g}")


def test_info_says_the_summary_was_skipped_when_memory_runs_out(monkeypatch):
    import sys

    describe_module = sys.modules["nnviz.data.describe"]  # the package exports the function

    def out_of_memory(A):
        raise MemoryError
    monkeypatch.setattr(describe_module, "summarize", out_of_memory)
    text = describe(big_dataset(10, 10))
    assert "X values: skipped (not enough memory left to summarise them)" in text
