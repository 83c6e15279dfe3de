"""Reading a large plain-text document: seed 004 repeated to 5 MB and to 20 MB, read whole.
(20 MB is also read_document's size limit: that file holds as many whole copies as fit under it.)

tests/test_readers.py checks that such a file is read (its size, its blocks); how long it takes
depends on the machine, so the figure lives here rather than in a test.

Run: .venv/bin/python benchmarks/read_large_text.py [REPEATS]
Prints, per size, the best and median time of read_document over REPEATS reads (default 3)
and the number of blocks; last line one JSON object.
"""

from __future__ import annotations

import inspect
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.readers import read_document  # noqa: E402

SEED = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
SIZES = {"5MB": 5_000_000, "20MB": 20_000_000}
LIMIT: int = inspect.signature(read_document).parameters["max_bytes"].default


def large_text(folder: Path, size: int) -> Path:
    """The seed repeated until the file holds at least ``size`` bytes, as the test builds it,
    or as many copies as read_document accepts when that would pass its limit."""
    seed = SEED.read_bytes()
    copies = size // len(seed) + 1
    while copies * len(seed) > LIMIT:
        copies -= 1
    path = folder / f"big-{size}.txt"
    path.write_bytes(seed * copies)
    return path


def time_reads(path: Path, repeats: int) -> tuple[list[float], int]:
    """The seconds of each read and the number of blocks read."""
    times, blocks = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        blocks = len(read_document(path).blocks)
        times.append(time.perf_counter() - started)
    return times, blocks


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    figures: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, size in SIZES.items():
            path = large_text(Path(folder), size)
            times, blocks = time_reads(path, repeats)
            megabytes = path.stat().st_size / 1_000_000
            best = min(times)
            figures[label] = {
                "bytes": path.stat().st_size,
                "blocks": blocks,
                "best_s": round(best, 3),
                "median_s": round(statistics.median(times), 3),
                "mb_per_s": round(megabytes / best, 1),
            }
            print(
                f"{label:>5}: {megabytes:.1f} MB, {blocks} blocks, best {best:.3f} s, "
                f"median {statistics.median(times):.3f} s ({megabytes / best:.1f} MB/s)"
            )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
