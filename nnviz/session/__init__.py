"""The session layer: the state the window shows, and the one place that changes it."""
from .design import Design
from .session import Session

__all__ = ["Design", "Session"]
