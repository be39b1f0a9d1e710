"""clearlm: train open language models on data you can prove you may use."""

__version__ = "0.1.0"
