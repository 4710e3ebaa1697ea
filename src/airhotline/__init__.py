"""airhotline: a deconfliction hotline for shared airspace."""

__version__ = "0.1.0"

__all__ = ["__version__"]
