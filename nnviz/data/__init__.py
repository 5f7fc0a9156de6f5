"""nnviz's data: loaders for CSV/TSV, NumPy, HDF5, MATLAB and image folders, and built-in demo sets."""
from nnviz.data.dataset import Dataset
from nnviz.data.demo import DEMO_NAMES, load_demo
from nnviz.data.describe import describe
from nnviz.data.errors import DataError
from nnviz.data.labels import check_output_fits
from nnviz.data.loader import FILE_FILTERS, companion_test_file, load_dataset

__all__ = [
    "DEMO_NAMES",
    "FILE_FILTERS",
    "DataError",
    "Dataset",
    "check_output_fits",
    "companion_test_file",
    "describe",
    "load_dataset",
    "load_demo",
]
