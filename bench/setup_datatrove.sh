#!/usr/bin/env bash
# A bench-only venv holding datatrove 0.10.1, for bench/curate_vs_datatrove.py. Idempotent: a second
# run with the same requirements returns at once. Needs PyPI once; nothing downloads at run time.
#
# What the compared chain needs beyond datatrove's core: spaCy (its English word tokenizer is a blank
# `spacy.blank("en")` pipeline: no model download), tokenizers (imported by its dedup module), regex
# (its text utilities), xxhash (the default MinHash/exact-dedup hash) and orjson (fast JSONL reading).
# No torch: nothing here needs it, and pip would otherwise fetch a multi-GB build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-datatrove"
PYTHON="${PYTHON:-python3.11}"
REQUIREMENTS=(
  "datatrove==0.10.1"
  "spacy>=3.8,<4"
  "tokenizers>=0.20,<1"
  "regex"
  "xxhash<4"
  "orjson"
)
STAMP="$VENV/.installed"
WANT="${REQUIREMENTS[*]}"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  exit 0
fi

start=$(date +%s)
echo "setup_datatrove: installing ${REQUIREMENTS[*]} into $VENV (once) …" >&2
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
# pip's chatter goes to a log, shown only if the install fails.
LOG="$VENV/install.log"
if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
  "$VENV/bin/python" -m pip install "${REQUIREMENTS[@]}"; } >"$LOG" 2>&1; then
  tail -n 30 "$LOG" >&2
  echo "setup_datatrove: pip install failed (full log: $LOG)" >&2
  exit 1
fi
# Fail here, not in the middle of a benchmark, if anything the chain imports is missing, and
# prove the tokenizer needs no downloaded model.
"$VENV/bin/python" - <<'EOF'
import spacy, tokenizers, xxhash  # noqa: F401
from datatrove.executor import LocalPipelineExecutor  # noqa: F401
from datatrove.pipeline.dedup import MinhashDedupSignature  # noqa: F401
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter  # noqa: F401
from datatrove.utils.word_tokenizers import load_word_tokenizer
assert load_word_tokenizer("eng").word_tokenize("Two words.") == ["Two", "words", "."]
try:
    import torch  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("setup_datatrove: torch got installed into the bench venv; it must not be")
EOF
printf '%s' "$WANT" >"$STAMP"
echo "setup_datatrove: $VENV ready in $(($(date +%s) - start)) s ($(du -sh "$VENV" | cut -f1))" >&2
