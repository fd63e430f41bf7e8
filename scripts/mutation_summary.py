"""Per-module table of a mutmut run: killed / total / timeouts / survived (``make mutate``).

Run from the directory mutmut ran in (it reads ``mutants/**/*.py.meta``). Prints one row per
mutated module and lists the surviving mutants (``mutmut show NAME`` prints each diff).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3}
TIMEOUT = {24, -24, 36, 152, 255}
SURVIVED = {0}


def main(root: Path = Path("mutants")) -> int:
    metas = sorted(root.rglob("*.py.meta"))
    if not metas:
        print("no mutmut results under", root.resolve(), file=sys.stderr)
        return 1
    survivors: list[str] = []
    rows = []
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        c = Counter()
        for name, code in codes.items():
            kind = (
                "killed" if code in KILLED else
                "timeout" if code in TIMEOUT else
                "survived" if code in SURVIVED else
                "not run" if code is None else "other"
            )  # fmt: skip
            c[kind] += 1
            if kind in ("survived", "other"):
                survivors.append(f"{name} ({kind}, exit code {code})")
        total = len(codes)
        score = 100.0 * (c["killed"] + c["timeout"]) / total if total else 100.0
        rows.append((str(meta.relative_to(root))[: -len(".meta")], c, total, score))
    print(
        f"{'module':34} {'killed':>7} {'total':>6} {'timeout':>8} {'survived':>9} {'other':>6} {'not run':>8} {'score':>7}"
    )
    for path, c, total, score in rows:
        print(
            f"{path:34} {c['killed']:7} {total:6} {c['timeout']:8} {c['survived']:9} {c['other']:6}"
            f" {c['not run']:8} {score:6.1f}%"
        )
    if survivors:
        print("\nsurviving mutants (mutmut show NAME):")
        print("\n".join("  " + s for s in sorted(survivors)))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("mutants")))
