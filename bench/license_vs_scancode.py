"""clearlm's licence detector side by side with ScanCode's own, on ScanCode's licence test cases.

Same cases and same metrics as bench/license_accuracy.py (its functions are imported, not copied):
each side's expressions are mapped to SPDX and compared as sets of atoms with the expected ones.
ScanCode runs in its own bench-only venv (bench/.venv-scancode, made by bench/setup_scancode.sh),
through its Python API (`scancode.api.get_licenses`, what `scancode --license -n 1` calls per file)
in one subprocess on one core; its index-load time is reported apart from its scan time.

Two ScanCode readings are scored:
  detections: the `license_detections` a `scancode --license` scan reports (what an engine would use);
  matches:    every rule match, clues included (what ScanCode's own data-driven tests compare).
ScanCode is where the expected answers come from (its test .yml files are ScanCode's own output,
reviewed), so its accuracy here is an upper bound by construction, not a fair contest: the useful
numbers are how far below it clearlm sits, and the cost of closing that gap.

    .venv/bin/python bench/license_vs_scancode.py [--data DIR] [--limit N] [--repeat N] [--show-diff]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import license_accuracy as la  # noqa: E402
from clearlm.clear.licenses import PUBLIC_DOMAIN_REF, detect_licenses, license_keys  # noqa: E402
from clearlm.clear.policy import Policy  # noqa: E402
from clearlm.pipeline.document import Document  # noqa: E402

SCANCODE_VENV = HERE / ".venv-scancode"

# Runs inside the ScanCode venv: argv[1] is a JSON list of paths; prints one JSON object.
HELPER = r"""
import json, sys, time
t0 = time.perf_counter()
from licensedcode.cache import get_index
from scancode.api import get_licenses
t1 = time.perf_counter()
get_index()
t2 = time.perf_counter()
paths = json.load(open(sys.argv[1]))
out = []
t3 = time.perf_counter()
for p in paths:
    r = get_licenses(p)
    det = [d["license_expression"] for d in r["license_detections"] if d.get("license_expression")]
    matches = [m["license_expression"] for d in r["license_detections"] for m in d["matches"]]
    matches += [m["license_expression"] for m in r.get("license_clues", [])]
    out.append({"detections": det, "matches": matches})
t4 = time.perf_counter()
json.dump({"import_s": t1 - t0, "index_s": t2 - t1, "scan_s": t4 - t3, "results": out}, sys.stdout)
"""


def load_cases(data: Path, limit: int | None) -> list[tuple[str, Path, int, Document, set[str]]]:
    """The cases exactly as bench/license_accuracy.py builds them, the first `limit` of them."""
    cases = la.load_cases(data)
    return cases[:limit] if limit else cases


def run_scancode(paths: list[Path]) -> dict:
    setup = subprocess.run(["bash", str(HERE / "setup_scancode.sh")], check=False)
    if setup.returncode:
        raise SystemExit("bench/license_vs_scancode.py: bench/setup_scancode.sh failed")
    with tempfile.TemporaryDirectory() as tmp:
        lst = Path(tmp) / "paths.json"
        lst.write_text(json.dumps([str(p) for p in paths]))
        helper = Path(tmp) / "scan.py"
        helper.write_text(HELPER)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(SCANCODE_VENV / "bin" / "python"), "-W", "ignore", str(helper), str(lst)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - t0
    if proc.returncode:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit("bench/license_vs_scancode.py: the ScanCode scan failed")
    out = json.loads(proc.stdout)
    out["wall_s"] = wall
    return out


def score(cases, got_sets: list[set[str]], policy: Policy) -> dict:
    exact = keys_ok = sub_n = sub_exact = sub_keys = 0
    ok_list = []
    for (_, _, _, _, want), got in zip(cases, got_sets, strict=True):
        want_keys, got_keys = license_keys(want), license_keys(got)
        ok, kok = want == got, want_keys == got_keys
        exact += ok
        keys_ok += kok
        ok_list.append(ok)
        if all(la.allowed(k, policy) for k in want_keys):
            sub_n += 1
            sub_exact += ok
            sub_keys += kok
    return {
        "exact": exact,
        "keys": keys_ok,
        "sub_n": sub_n,
        "sub_exact": sub_exact,
        "sub_keys": sub_keys,
        "ok": ok_list,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=la.DATA, help="folder of ScanCode licence test files")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases (sorted by path)")
    parser.add_argument("--repeat", type=int, default=3, help="clearlm timing: best of N passes")
    parser.add_argument("--show-diff", action="store_true", help="print the cases where the two disagree")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"bench/license_vs_scancode.py: {args.data}: no such folder", file=sys.stderr)
        return 2
    policy = Policy()
    cases = load_cases(args.data, args.limit)
    n = len(cases)
    mb = sum(c[2] for c in cases) / 1e6

    best = float("inf")
    ours_raw: list[list[str]] = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        ours_raw = [[s.license or PUBLIC_DOMAIN_REF for s in detect_licenses(c[3])] for c in cases]
        best = min(best, time.perf_counter() - t0)
    ours = [{la.canonical(e) for e in found} for found in ours_raw]  # as bench/license_accuracy.py

    sc = run_scancode([c[1] for c in cases])
    sc_det = [la.atoms(r["detections"]) for r in sc["results"]]
    sc_match = [la.atoms(r["matches"]) for r in sc["results"]]

    s_ours, s_det, s_match = (
        score(cases, ours, policy),
        score(cases, sc_det, policy),
        score(cases, sc_match, policy),
    )
    sub_n = s_ours["sub_n"]
    print(
        f"cases: {n} ({sum(1 for c in cases if not c[4])} expect no licence), {mb:.2f} MB, data: {args.data}"
    )
    print("NOTE: the expected answers are ScanCode's own output, so ScanCode's accuracy here is an")
    print("      upper bound by construction (its misses: known-failure cases kept in its tests, or drift")
    print("      between the test data and this ScanCode version).\n")
    w = 34
    print(f"{'':{w}s} {'clearlm':>16s} {'ScanCode detect.':>16s} {'ScanCode matches':>16s}")

    def row(label: str, key: str, denom: int) -> None:
        cells = [f"{s[key] / max(1, denom):.3f} ({s[key]}/{denom})" for s in (s_ours, s_det, s_match)]
        print(f"{label:{w}s} " + " ".join(f"{c:>16s}" for c in cells))

    row("exact expression, all cases", "exact", n)
    row("exact expression, allow-list", "sub_exact", sub_n)
    row("licence-key set, all cases", "keys", n)
    row("licence-key set, allow-list", "sub_keys", sub_n)

    print("\nper-case agreement with the expected answer (clearlm vs ScanCode detections):")
    pairs = Counter(zip(s_ours["ok"], s_det["ok"], strict=True))
    print(
        f"  both exact: {pairs[True, True]}, only clearlm: {pairs[True, False]}, "
        f"only ScanCode: {pairs[False, True]}, neither: {pairs[False, False]}"
    )
    same = sum(a == b for a, b in zip(ours, sc_det, strict=True))
    print(f"  clearlm and ScanCode report the same atom set: {same}/{n} ({same / n:.3f})")

    sc_rate = mb / sc["scan_s"]
    print("\nthroughput (one core, file bytes):")
    print(f"  clearlm:  {mb / best:8.2f} MB/s ({best:.3f} s, best of {args.repeat}; no index to load)")
    print(
        f"  ScanCode: {sc_rate:8.3f} MB/s ({sc['scan_s']:.2f} s scanning, one pass)"
        f" + {sc['import_s']:.2f} s imports + {sc['index_s']:.2f} s index load from its cache"
        f" ({sc['wall_s']:.2f} s process wall time)"
    )
    print(
        f"  ratio clearlm / ScanCode: {(mb / best) / sc_rate:.0f}x (scan only), "
        f"{(mb / best) / (mb / sc['wall_s']):.0f}x (ScanCode wall time incl. start-up)"
    )
    if args.show_diff:
        for (name, _, _, _, want), a, b, ok_a, ok_b in zip(
            cases, ours, sc_det, s_ours["ok"], s_det["ok"], strict=True
        ):
            if ok_a != ok_b:
                print(
                    f"\n{name} ({'clearlm' if ok_a else 'ScanCode'} right)\n  expected: {sorted(want)}"
                    f"\n  clearlm:  {sorted(a)}\n  ScanCode: {sorted(b)}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
