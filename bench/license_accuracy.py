"""Licence detection accuracy on ScanCode's data-driven licence tests, and its throughput.

Each test file X has X.yml listing the ScanCode license expressions a perfect detector finds in X.
Expected keys are mapped to SPDX with the ScanCode index that `license-expression` ships; both sides
are compared as sets of *atoms*: each detection's expression split at its top-level AND (so
"GPL-2.0-or-later AND MIT" and two separate detections compare equal, while "GPL-2.0-only OR MIT"
stays one atom). A generic public-domain dedication (Signal.license None) counts as ScanCode's
`public-domain`.

Reported: exact accuracy (atom sets equal) over all cases and over the cases whose expected licences
all sit in the default policy's allow-list (CC0, PDDL, CC-BY-*, CC-BY-SA-*, ODC-By, OSI-approved;
cases expecting no licence are included: a detection there would be a false allow), the same for
licence *keys* only (ignoring OR/WITH structure), per-licence precision/recall for the most common
licences, and throughput (MB/s of file bytes through `detect_licenses`, one core).

    .venv/bin/python bench/license_accuracy.py [--data DIR] [--show-misses] [--repeat N]
"""

from __future__ import annotations

import argparse
import fnmatch
import mimetypes
import sys
import time
from collections import Counter
from pathlib import Path

from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

from clearlm.clear.license_ids import and_parts
from clearlm.clear.licenses import PUBLIC_DOMAIN_REF, detect_licenses, license_keys, normalize_expression
from clearlm.clear.policy import Policy
from clearlm.pipeline.document import Document

LICENSING = get_spdx_licensing()
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "scancode-license-tests"
MIMES = {".html": "text/html", ".htm": "text/html", ".md": "text/markdown", ".py": "text/x-python"}


def expected_expressions(yml: Path) -> list[str]:
    """The `license_expressions` list of a ScanCode test .yml (a tiny reader: no YAML dependency)."""
    out: list[str] = []
    inside = False
    for line in yml.read_text(encoding="utf-8").splitlines():
        if line.startswith("license_expressions:"):
            inside = True
            continue
        if inside and line.startswith("  - "):
            out.append(line[4:].strip().strip("'\""))
        elif inside and line and not line.startswith(" "):
            break
    return out


def canonical(expr: str) -> str:
    """One spelling per expression: OR/AND operands sorted (so "A OR B" equals "B OR A")."""
    return str(LICENSING.parse(expr).simplify().render())


def atoms(expressions: list[str]) -> set[str]:
    found: set[str] = set()
    for expr in expressions:
        spdx = normalize_expression(expr)
        found.update(canonical(a) for a in and_parts(spdx)) if spdx else found.add(f"?{expr}")
    return found


def allowed(key: str, policy: Policy) -> bool:
    from clearlm.clear.licenses import classify

    if key.startswith("?"):
        return False
    code, _ = classify(key)
    if code.endswith(("non-commercial", "no-derivatives")):
        return False
    globs = [p for p in policy.allow_licenses if p != "@osi"]
    return any(fnmatch.fnmatchcase(key, g) for g in globs) or code.endswith("open-source")


def load_cases(data: Path) -> list[tuple[str, Path, int, Document, set[str]]]:
    """(name, path, size, document, expected SPDX atoms) for every test file with a .yml answer."""
    cases = []
    for yml in sorted(data.rglob("*.yml")):
        target = yml.with_suffix("")
        if not target.is_file():
            continue
        raw = target.read_bytes()
        mime = MIMES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "text/plain"
        doc = Document.create(
            key=target.name,
            text=raw.decode("utf-8", errors="replace"),
            source=str(target),
            mime=mime,
            file_name=target.name,
        )
        cases.append((target.name, target, len(raw), doc, atoms(expected_expressions(yml))))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of ScanCode licence test files")
    parser.add_argument("--show-misses", action="store_true", help="print every case that is not exact")
    parser.add_argument("--repeat", type=int, default=3, help="timing: best of N passes")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"bench/license_accuracy.py: {args.data}: no such folder", file=sys.stderr)
        return 2
    policy = Policy()
    cases = load_cases(args.data)
    best = float("inf")
    results: list[list[str]] = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        results = [
            [s.license or PUBLIC_DOMAIN_REF for s in detect_licenses(doc)] for _, _, _, doc, _ in cases
        ]
        best = min(best, time.perf_counter() - t0)
    total_bytes = sum(size for _, _, size, _, _ in cases)

    exact = keys_ok = sub_n = sub_exact = sub_keys = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    freq: Counter[str] = Counter()
    misses = []
    for (name, _, _, _, want), found in zip(cases, results, strict=True):
        got = {canonical(e) for e in found}
        want_keys, got_keys = license_keys(want), license_keys(got)
        ok, kok = want == got, want_keys == got_keys
        exact += ok
        keys_ok += kok
        if all(allowed(k, policy) for k in want_keys):
            sub_n += 1
            sub_exact += ok
            sub_keys += kok
        for k in want_keys:
            freq[k] += 1
            (tp if k in got_keys else fn)[k] += 1
        for k in got_keys - want_keys:
            fp[k] += 1
        if not ok:
            misses.append((name, sorted(want), sorted(got)))
    n = len(cases)
    print(f"cases: {n} ({sum(1 for c in cases if not c[4])} expect no licence), data: {args.data}")
    print(f"exact expression accuracy, all cases:       {exact / n:.3f} ({exact}/{n})")
    print(
        f"exact expression accuracy, allow-list only: {sub_exact / max(1, sub_n):.3f} ({sub_exact}/{sub_n})"
    )
    print(f"licence-key set accuracy, all / allow-list: {keys_ok / n:.3f} / {sub_keys / max(1, sub_n):.3f}")
    mb = total_bytes / 1e6
    print(f"throughput: {mb / best:.1f} MB/s ({mb:.2f} MB in {best:.3f} s, best of {args.repeat})")
    print(f"\n{'licence (SPDX)':42s} {'cases':>5s} {'prec':>6s} {'recall':>6s}")
    for key, count in freq.most_common(20):
        prec = tp[key] / max(1, tp[key] + fp[key])
        rec = tp[key] / max(1, tp[key] + fn[key])
        print(f"{key:42s} {count:5d} {prec:6.2f} {rec:6.2f}")
    worst_fp = ", ".join(f"{k} ({v})" for k, v in fp.most_common(8))
    print(f"\nmost false positives (cases): {worst_fp or 'none'}")
    if args.show_misses:
        for name, want, got in misses:
            print(f"\n{name}\n  expected: {want}\n  detected: {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
