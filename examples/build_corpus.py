#!/usr/bin/env python3
"""Build the demo corpus in examples/corpus/ from scratch, byte-identical on every run.

Usage:  .venv/bin/python examples/build_corpus.py [--gutenberg DIR] [--out DIR]

Writes examples/corpus/ (or --out) and, beside it, CORPUS.md (the answer key) and contracts.toml.
The builder itself is the examples/corpus_builder/ package; its docstring describes the sources and
how the output is kept deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The package sits next to this script, which is run by path rather than installed.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_builder import main

if __name__ == "__main__":
    sys.exit(main())
