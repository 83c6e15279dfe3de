"""Deadline accuracy: dondoc's grammar against dateparser's search_dates, on the same directives.

For every gold directive (../shared/eval gold files, and the held-out set in
tests/data/heldout) the directive's text is the one dondoc's extractor produced for it (matched
by the gold quote). Each finder reads that text:
- dondoc: tasks.deadlines.find_deadline (with the document's date for missing years);
- dateparser: search_dates(text, languages=["vi"]); its first date is the deadline.
Scored like ../shared/eval/score.py: a dated deadline must give the exact date; a directive
without a deadline must give none. dateparser cannot say "recurring", so recurring directives
are reported separately and count against it.

Run: .venv/bin/python benchmarks/deadline_finders.py [GOLD_DIR:SOURCE_DIR ...]
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
import warnings
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.deadlines import find_deadline  # noqa: E402
from tasks.extract import extract_blocks  # noqa: E402
from tasks.readers import read_document  # noqa: E402

DATED = {"date", "month", "quarter", "year"}
DEFAULT_SETS = [
    (ROOT.parent / "shared/eval/seeds", ROOT.parent / "shared/seeds"),
    (ROOT.parent / "shared/eval/files", ROOT.parent / "shared/eval/files"),
    (ROOT / "tests/data/heldout", ROOT / "tests/data/heldout"),
]


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def pairs(sets: list[tuple[Path, Path]]) -> list[tuple[dict, Path]]:
    out = []
    for gold_dir, source_dir in sets:
        if not gold_dir.exists():
            print(f"(bỏ qua {gold_dir}: không có)", file=sys.stderr)
            continue
        for gold_file in sorted(gold_dir.glob("*.gold.json")):
            stem = gold_file.name[: -len(".gold.json")]
            sources = [p for p in source_dir.glob(stem + ".*") if not p.name.endswith(".json")]
            gold = json.loads(gold_file.read_text(encoding="utf-8"))
            if sources and not gold.get("expect_error"):
                out.append((gold, sources[0]))
    return out


def dateparser_due(text: str, base: datetime | None) -> datetime | None:
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": base} if base else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(text, languages=["vi"], settings=settings)
    return found[0][1] if found else None


def main(argv: list[str]) -> int:
    sets = [tuple(Path(p) for p in a.split(":")[:2]) for a in argv] or DEFAULT_SETS
    rows = []
    for gold, source in pairs(sets):  # type: ignore[arg-type]
        extraction = extract_blocks(read_document(source).blocks)
        texts = [norm(d.text) for d in extraction.directives]
        base = (
            datetime.combine(extraction.issued_on, datetime.min.time())
            if extraction.issued_on
            else None
        )
        for g in gold["directives"]:
            if g.get("optional"):
                continue
            quote = norm(g["quote"])
            text = next((t for t in texts if quote in t), None)
            if text is None:
                continue  # a directive the extractor missed: not the finders' business
            rows.append((g["due"], text, extraction.issued_on, extraction.year, base))
    figures: dict[str, dict[str, int | float | None]] = {}
    for name in ("dondoc", "dateparser"):
        ok = {"dated": 0, "none": 0, "recurring": 0}
        n = {"dated": 0, "none": 0, "recurring": 0}
        started = time.perf_counter()
        for due, text, issued_on, year, base in rows:
            kind = "dated" if due["kind"] in DATED else due["kind"]
            n[kind] += 1
            if name == "dondoc":
                got = find_deadline(text, issued_on=issued_on, year=year)
                got_date = got.date.isoformat() if got.date else None
                got_kind: str = got.kind
            else:
                found = dateparser_due(text, base)
                got_date = found.date().isoformat() if found else None
                got_kind = "date" if found else "none"
            if kind == "dated":
                ok[kind] += int(got_date == due["date"])
            elif kind == "recurring":
                ok[kind] += int(got_kind == "recurring")
            else:
                ok[kind] += int(got_kind == "none")
        elapsed = time.perf_counter() - started
        figures[name] = {
            "dated_acc": round(ok["dated"] / n["dated"], 3) if n["dated"] else None,
            "no_deadline_acc": round(ok["none"] / n["none"], 3) if n["none"] else None,
            "recurring_acc": round(ok["recurring"] / n["recurring"], 3) if n["recurring"] else None,
            "all_acc": round(sum(ok.values()) / max(1, sum(n.values())), 3),
            "seconds": round(elapsed, 3),
        }
        figures["counts"] = {k: v for k, v in n.items()}
    for name in ("dondoc", "dateparser"):
        f = figures[name]
        print(
            f"{name:10s} dated {f['dated_acc']}  no-deadline {f['no_deadline_acc']}  "
            f"recurring {f['recurring_acc']}  all {f['all_acc']}  ({f['seconds']} s)"
        )
    print(f"directives: {figures['counts']}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
