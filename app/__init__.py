"""Schedule Explorer's web API: validated experiments in; series, figures, code and links out."""

__version__ = "0.1.0"
