"""1on1 Coach: turn work notes into what your manager hears, and remember every meeting."""

__version__ = "0.1.0"
