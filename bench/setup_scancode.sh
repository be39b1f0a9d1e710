#!/usr/bin/env bash
# A bench-only venv holding ScanCode toolkit, for bench/license_vs_scancode.py. Idempotent: a second
# run with the same requirement returns at once. Needs PyPI once; nothing downloads at run time.
#
# scancode-toolkit-mini is the same licence detector without the prebuilt native archive extractors
# (7z, libarchive), which a licence-only scan never uses; the full scancode-toolkit is the fallback.
# The mini build finds the system libmagic (Debian's libmagic1) for its file-type sniffing.
# pluggy is held below 1.6: plugincode 32 fails to register its hooks with pluggy 1.6+ ("did not find
# any 'plugincode.location_provider' hooks"), so nothing in scancode imports.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-scancode"
PYTHON="${PYTHON:-python3.11}"
CANDIDATES=("scancode-toolkit-mini==32.5.0" "scancode-toolkit==32.5.0")
EXTRA=("pluggy<1.6")
STAMP="$VENV/.installed"

if [[ -x "$VENV/bin/python" && -f "$STAMP" ]] && grep -qxF -f <(printf '%s\n' "${CANDIDATES[@]}") "$STAMP"; then
  exit 0
fi

start=$(date +%s)
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
# pip's chatter goes to a log, shown only if the install fails.
LOG="$VENV/install.log"
: >"$LOG"
"$VENV/bin/python" -m pip install --upgrade pip >>"$LOG" 2>&1 || true
installed=""
for req in "${CANDIDATES[@]}"; do
  echo "setup_scancode: installing $req into $VENV (once) …" >&2
  if "$VENV/bin/python" -m pip install "$req" "${EXTRA[@]}" >>"$LOG" 2>&1; then
    installed="$req"
    break
  fi
done
if [[ -z "$installed" ]]; then
  tail -n 30 "$LOG" >&2
  echo "setup_scancode: pip install failed (full log: $LOG)" >&2
  exit 1
fi
# Fail here, not in the middle of a benchmark: import the detector, build (and cache) its licence
# index, which the first scan would otherwise do, and detect one licence.
if ! "$VENV/bin/python" - >>"$LOG" 2>&1 <<'EOF'
import tempfile
from licensedcode.cache import get_index
from scancode.api import get_licenses
print("index ready:", len(get_index().rules_by_rid), "rules")
with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
    f.write("SPDX-License-Identifier: MIT\n")
    f.flush()
    assert get_licenses(f.name)["detected_license_expression"] == "mit"
EOF
then
  tail -n 30 "$LOG" >&2
  echo "setup_scancode: $installed installed but its licence index does not load (log: $LOG)" >&2
  exit 1
fi
printf '%s\n' "$installed" >"$STAMP"
echo "setup_scancode: $VENV ready with $installed in $(($(date +%s) - start)) s ($(du -sh "$VENV" | cut -f1))" >&2
