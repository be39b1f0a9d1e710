"""Run `clearlm.train.loop.train` on a tiny config, for tests that need a separate process
(kill -9 and resume; torchrun with DDP or FSDP2).

    python tests/train/run_train.py TOKENS_DIR OUT_DIR '{"steps": 12, "parallel": "fsdp"}'

Prints the summary as JSON on the last line (rank 0 only).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clearlm.train.loop import train
from tests.train.token_fixture import tiny_config


def main() -> None:
    tokens_dir, out_dir, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    summary = train(
        tiny_config(**overrides), seed=0, tokens_dir=Path(tokens_dir), out_dir=Path(out_dir), progress=False
    )
    if os.environ.get("RANK", "0") == "0":
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
