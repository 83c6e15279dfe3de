"""Extraction speed: the five seed documents read and extracted together, start-up excluded.

Run: .venv/bin/python benchmarks/extract_speed.py [REPEATS]
Prints the import (start-up) time, then the best and median time of one pass over the five
seeds; last line one JSON object. Target: one pass under 1 s.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

started = time.perf_counter()
from tasks.calendar import default_calendar  # noqa: E402
from tasks.extract import extract_blocks  # noqa: E402
from tasks.readers import read_document  # noqa: E402

default_calendar().is_working_day(__import__("datetime").date(2024, 1, 2))  # load holidays once
startup = time.perf_counter() - started

SEEDS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))


def one_pass() -> tuple[float, int]:
    t0 = time.perf_counter()
    directives = sum(len(extract_blocks(read_document(p).blocks).directives) for p in SEEDS)
    return time.perf_counter() - t0, directives


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    if len(SEEDS) != 5:
        print(f"expected the 5 seeds in tests/data/seeds, found {len(SEEDS)}", file=sys.stderr)
        return 1
    cold, directives = one_pass()
    times = [one_pass()[0] for _ in range(repeats)]
    out = {
        "documents": len(SEEDS),
        "directives": directives,
        "startup_s": round(startup, 3),
        "first_pass_s": round(cold, 4),
        "best_s": round(min(times), 4),
        "median_s": round(statistics.median(times), 4),
    }
    print(f"start-up (imports, holidays) {out['startup_s']} s")
    print(
        f"5 seeds, {directives} directives: first pass {out['first_pass_s']} s, "
        f"best {out['best_s']} s, median {out['median_s']} s over {repeats} passes"
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
