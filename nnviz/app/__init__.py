"""The application: the main window around the session's views."""
from .window import MainWindow, main

__all__ = ["MainWindow", "main"]
