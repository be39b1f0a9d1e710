"""`python -m corpus_builder` (from examples/): the same as `python examples/build_corpus.py`."""

import sys

from .cli import main

sys.exit(main())
