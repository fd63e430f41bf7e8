"""Time the expression language over many events: vectorised (numpy where exact) against the
scalar loop (what the Python lambda does, one call per event), measured in the same run.

Usage (from the repository root): ``python -m bench.expressions [--events 1000000] [--repeat 3]``.
Prints the times and the ratio per expression; asserts nothing (beyond equal values).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scheduler_core.expressions import Expression

EXPRESSIONS = [
    "min(1, (epoch + 1) / 500) * 0.5 ** (epoch // 300)",  # int and float arithmetic, vectorised
    "max(0.1, 1 - epoch / 1000000) if epoch > 100 else (epoch + 1) / 101",
    "0.5 + 0.5 * cos(pi * (epoch % 1000) / 1000)",  # cos element by element (math.cos)
    "0.95 ** (epoch / 1000)",  # float ** element by element
]


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = np.arange(args.events)
    print(f"{args.events:,} events, best of {args.repeat}")
    for text in EXPRESSIONS:
        f = Expression(text, "epoch")
        lam = f.python()
        fast = best(lambda f=f: f.floats(events), args.repeat)
        scalar = best(lambda f=f: [float(f(e)) for e in range(args.events)], args.repeat)
        assert f.floats(events).tolist() == [float(f(e)) for e in range(args.events)]
        print(f"{fast:8.3f} s vectorised  {scalar:8.3f} s scalar loop  x{scalar / fast:6.1f}  {lam}")


if __name__ == "__main__":
    main()
