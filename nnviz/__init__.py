"""nnviz: see backpropagation, one operation at a time."""

__version__ = "0.1.0"


def compare(*args, **kwargs):
    """Compare your backprop's arrays with nnviz's: ``compare(parameters, X, Y, caches=…, grads=…)``.

    Returns a report: ``print(report)``, ``report.first_difference`` (e.g. ``"dW[2]"``),
    ``report.show()`` for the window.  See ``nnviz.debugging.compare``.
    """
    from .debugging import compare as _compare

    return _compare(*args, **kwargs)
