"""Word's automatic list numbering: the label ("1.", "a)", "II.", "-") of each numbered
paragraph, computed in document order from numbering.xml and the paragraph styles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tasks.readers.wordml import W_VAL, parse_int, w_tag


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart
    legal: bool = False  # w:isLgl: show every level as decimal
    style: str | None = None  # w:pStyle linking a paragraph style to this level


class Numbering:
    """Word's automatic numbering: computes the label of each numbered paragraph in order."""

    def __init__(self, document: Any) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.num_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, _Level | int]] = {}  # numId → ilvl → level or start
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[tuple[str, int]] = set()  # (numId, ilvl) overrides already applied
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self._load_styles(document)
        self._load_numbering(document)

    def _load_styles(self, document: Any) -> None:
        based: dict[str, str] = {}
        own: dict[str, tuple[str | None, int | None]] = {}
        for st in document.styles.element.iterchildren(w_tag("style")):
            sid = st.get(w_tag("styleId"))
            if not sid:
                continue
            b = st.find(w_tag("basedOn"))
            if b is not None and b.get(W_VAL):
                based[sid] = b.get(W_VAL)
            num_pr = st.find(f"{w_tag('pPr')}/{w_tag('numPr')}")
            if num_pr is not None:
                own[sid] = _num_pr(num_pr)
        for sid in set(own) | set(based):
            seen, cur = set(), sid
            while cur and cur not in own and cur not in seen:  # inherit from basedOn
                seen.add(cur)
                cur = based.get(cur, "")
            if cur in own:
                self.style_num[sid] = own[cur]

    def _load_numbering(self, document: Any) -> None:
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            return
        links: dict[str, str] = {}  # abstractNum with numStyleLink → style id
        for an in root.iterchildren(w_tag("abstractNum")):
            aid = an.get(w_tag("abstractNumId"))
            self.abstract[aid] = {
                int(lvl.get(w_tag("ilvl"), "0") or 0): _level(lvl)
                for lvl in an.iterchildren(w_tag("lvl"))
            }
            link = an.find(w_tag("numStyleLink"))
            if link is not None and link.get(W_VAL):
                links[aid] = link.get(W_VAL)
        for num in root.iterchildren(w_tag("num")):
            nid = num.get(w_tag("numId"))
            ref = num.find(w_tag("abstractNumId"))
            if nid is None or ref is None:
                continue
            self.num_abstract[nid] = ref.get(W_VAL)
            ov: dict[int, _Level | int] = {}
            for lo in num.iterchildren(w_tag("lvlOverride")):
                ilvl = int(lo.get(w_tag("ilvl"), "0") or 0)
                lvl = lo.find(w_tag("lvl"))
                so = lo.find(w_tag("startOverride"))
                if lvl is not None:
                    ov[ilvl] = _level(lvl)
                elif so is not None:
                    ov[ilvl] = _list_number(so.get(W_VAL), 1)
            self.overrides[nid] = ov
        # numStyleLink: the list's levels live in the abstractNum of the linked style's num
        for aid, style in links.items():
            target = self.style_num.get(style, (None, None))[0]
            target_aid = self.num_abstract.get(target or "")
            if target_aid and target_aid != aid and self.abstract.get(target_aid):
                self.abstract[aid] = self.abstract[target_aid]

    def label(self, p: Any) -> str:
        """The label of paragraph element `p` ('1.', 'a)', '-'), advancing the counters."""
        num_id, ilvl = None, None
        style = p.find(f"{w_tag('pPr')}/{w_tag('pStyle')}")
        style_id = style.get(W_VAL) if style is not None else None
        if style_id in self.style_num:
            num_id, ilvl = self.style_num[style_id]
        num_pr = p.find(f"{w_tag('pPr')}/{w_tag('numPr')}")
        if num_pr is not None:
            pn, pl = _num_pr(num_pr)
            num_id = pn if pn is not None else num_id
            ilvl = pl if pl is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.num_abstract:
            return ""
        aid = self.num_abstract[num_id]
        levels = dict(self.abstract.get(aid, {}))
        overrides = self.overrides.get(num_id, {})
        for k, v in overrides.items():
            if isinstance(v, _Level):
                levels[k] = v
        if ilvl is None:  # style-based numbering: the level that names this style
            ilvl = next((k for k, v in levels.items() if v.style and v.style == style_id), 0)
        ilvl = max(0, min(8, ilvl))
        level = levels.get(ilvl, _Level())
        counters = self.counters.setdefault(aid, [None] * 9)
        start = overrides.get(ilvl)
        if isinstance(start, int) and (num_id, ilvl) not in self.started:
            # "Restart numbering" in Word makes a new num with a startOverride
            self.started.add((num_id, ilvl))
            counters[ilvl] = None
            level = _Level(start, level.fmt, level.text, level.restart, level.legal, level.style)
            levels[ilvl] = level
        cur = counters[ilvl]
        counters[ilvl] = level.start if cur is None else cur + 1
        for deeper in range(ilvl + 1, 9):
            r = levels.get(deeper, _Level()).restart
            if r is None or (r != 0 and ilvl < r):
                counters[deeper] = None
        if level.fmt == "bullet":
            glyph = level.text.strip()
            return glyph if glyph in ("-", "+", "*") else "-"
        if level.fmt == "none" and "%" not in level.text:
            return level.text.strip()

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters[k] if counters[k] is not None else lv.start
            fmt = "decimal" if level.legal and k < ilvl else lv.fmt
            return _format_number(value or 0, fmt)

        return re.sub(r"%([1-9])", sub, level.text).strip()


# Word offers list starts up to 32767 and level texts of a few characters ("%1.", "Điều %1.");
# a start of 10^10 spelt in letters was a 1.2 GB label, and a long level text is copied into
# every paragraph of the list.
_MAX_LIST_START = 10_000
_MAX_LEVEL_TEXT = 100
_MAX_LETTER_REPEAT = 4  # "a" … "zzzz" (the 104th item); further items are numbered in digits


def _list_number(value: str | None, default: int) -> int:
    return max(0, min(_MAX_LIST_START, parse_int(value, default)))


def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
    nid = num_pr.find(w_tag("numId"))
    lvl = num_pr.find(w_tag("ilvl"))
    return (
        nid.get(W_VAL) if nid is not None else None,
        parse_int(lvl.get(W_VAL), 0) if lvl is not None else None,
    )


def _level(lvl: Any) -> _Level:
    def val(tag: str) -> str | None:
        el = lvl.find(w_tag(tag))
        return el.get(W_VAL) if el is not None else None

    restart = val("lvlRestart")
    legal = lvl.find(w_tag("isLgl"))
    return _Level(
        start=_list_number(val("start"), 1),
        fmt=val("numFmt") or "decimal",
        text=(val("lvlText") or "")[:_MAX_LEVEL_TEXT],
        restart=parse_int(restart, 0) if restart is not None else None,
        legal=legal is not None and legal.get(W_VAL) not in ("0", "false"),
        style=val("pStyle"),
    )


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        # Word: a…z, then aa…zz, aaa…; Vietnamese lists typed by hand use đ, but Word does not.
        if not 0 < n <= 26 * _MAX_LETTER_REPEAT:
            return str(n)
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)
