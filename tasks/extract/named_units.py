"""The units a directive names: who leads, who supports, whom to report to."""

from __future__ import annotations

import re

from tasks.extract.lexicon import (
    CHU_TRI_RE,
    CHU_TRI_TAIL_RE,
    DOI_VOI_RE,
    GIAO_RE,
    GROUP_TAIL_RE,
    GROUP_TAILS,
    NOT_UNIT_STARTS,
    PLACE_TAILS,
    REPORT_TO_RE,
    REQUEST_UNITS_RE,
    RESPONSIBLE_RE,
    SPEAKER_RE,
    STARTS_WITH_VERB,
    STOP_WORDS,
    SUPPORT_RE,
    UNIT_HEADS,
    UPPER,
)


def _starts_with_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(low == w or low.startswith(w + " ") for w in words)


def _strip_article(text: str) -> str:
    return re.sub(r"^(các|những|toàn thể|mỗi|từng)\s+", "", text, flags=re.IGNORECASE)


def _is_unit_head(piece: str) -> bool:
    bare = _strip_article(piece)
    return _starts_with_any(bare, UNIT_HEADS) and not _starts_with_any(bare, NOT_UNIT_STARTS)


# A list of units is a few hundred characters: unit phrases are looked for in this much text
# after each place they may start, not in the rest of a directive (on a directive of 876 KB
# with thousands of "phối hợp với", copying the rest each time was quadratic).
UNIT_WINDOW = 2000


def _units_at(text: str, pos: int) -> list[str]:
    """``unit_phrases`` of the text from ``pos``, without copying the rest of a long text."""
    return unit_phrases(text[pos : pos + UNIT_WINDOW])


def unit_phrases(text: str) -> list[str]:
    """Split the unit list at the start of ``text`` into unit names as written.

    "Công an tỉnh, các sở, ban, ngành, đoàn thể tỉnh và Ủy ban nhân dân các xã, phường tổ
    chức …" gives ["Công an tỉnh", "các sở, ban, ngành, đoàn thể tỉnh",
    "Ủy ban nhân dân các xã, phường"]. Stops at the first word that begins a predicate.
    """
    text = text[:UNIT_WINDOW]
    if STARTS_WITH_VERB.match(text):
        return []
    stop = STOP_WORDS.search(text)
    head = text[: stop.start()] if stop else text
    head = re.split(r"[:.()\[\]]", head, maxsplit=1)[0]
    parts = re.split(r"(,\s*|;\s*|\s+và\s+|\s+cùng\s+|\s*/\s*)", head)
    units: list[str] = []
    i = 0
    while i < len(parts):
        piece = parts[i].strip()
        sep = parts[i - 1] if i > 0 else ""
        i += 2
        if not piece:
            continue
        lone_after_and = sep.strip() == "và" and (
            len(piece.split()) == 1
            # "Văn phòng HĐND và UBND xã": one office of both councils.
            or bool(
                units
                and re.search(r"\b(HĐND|Hội đồng nhân dân)$", units[-1])
                and re.match(r"^(UBND|Ủy ban nhân dân)\b", piece)
            )
        )
        if (
            _is_unit_head(piece)
            and not lone_after_and
            and not (units and _starts_with_any(piece, GROUP_TAILS) and "," in sep)
        ):
            units.append(piece)
        elif units and _starts_with_any(piece, GROUP_TAILS) and "," in sep:
            # A group phrase goes on ("các sở, ban, ngành", "các xã, thị trấn"); past the
            # tail word and its qualifiers the predicate begins ("…, phường xác định …").
            m = GROUP_TAIL_RE.match(piece) if _starts_with_any(piece, PLACE_TAILS) else None
            tail = m.group(0) if m else piece
            units[-1] = f"{units[-1]}{sep}{tail}"
            if m and len(tail) < len(piece):
                break
        elif units and (sep.strip() == "và" or piece[:1].isupper()):
            # A name with "và" or a comma in it ("Sở Thông tin và Truyền thông",
            # "Sở Văn hóa, Thể thao và Du lịch").
            units[-1] = f"{units[-1]}{sep}{piece}"
        else:
            break
    return [u.strip(" ,") for u in units if len(u.strip()) > 1]


def units_in(match_text: str | None) -> list[str]:
    return unit_phrases(match_text.strip()) if match_text else []


def _subject_units(text: str) -> list[str]:
    """Units named as the subject at the start of the text (or of its main clause)."""
    body = re.sub(r"^(đồng thời|ngoài ra|bên cạnh đó|riêng)\s*,?\s*", "", text, flags=re.IGNORECASE)
    units = unit_phrases(body)
    if units:
        # "UBND tỉnh yêu cầu các sở …": the speaker, not the one who acts.
        return [] if speaker_after(body, units[-1]) else units
    # "Trên cơ sở …, cơ quan, đơn vị … triển khai": the subject after an opening clause.
    opener = re.match(
        r"^(trên cơ sở|để|căn cứ|sau khi|theo|trong|ngoài việc|nhằm)\b[^,]{0,160},\s*",
        body,
        re.IGNORECASE,
    )
    if opener:
        return _units_at(body, opener.end())
    return []


def speaker_after(text: str, unit: str) -> bool:
    """Whether the issuer's speaking verb ("yêu cầu", "giao" …) follows ``unit`` in ``text``."""
    end = text.find(unit) + len(unit)
    return bool(SPEAKER_RE.match(text[end : end + UNIT_WINDOW]))


def _chu_tri(text: str) -> re.Match[str] | None:
    """``CHU_TRI_RE.search(text)``, tried only before each "chủ trì", from the last ";:." there
    or 200 characters back (the lead is at most 160 and holds none of ";:."): the plain search
    tries 160 lead lengths at every character (18 s on a directive of 876 KB)."""
    for tail in CHU_TRI_TAIL_RE.finditer(text):
        end = tail.start()
        back = max(0, end - 200)
        start = max(back, *(text.rfind(c, back, end) + 1 for c in ";:."))
        m = CHU_TRI_RE.search(text, start, tail.end())
        if m:
            return m
    return None


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.])\s+(?=[" + UPPER + "])", text, maxsplit=1)[0]


def _sentence_subjects(text: str) -> list[str]:
    """Subjects of the text's sentences; in the first sentence also a plural group that
    opens a clause ("Quan tâm …, các phòng, ban chuyên môn nào … thì khẩn trương …")."""
    sentences = [s for s in re.split(r"(?<=[.])\s+(?=[" + UPPER + "])", text) if s]
    units: list[str] = []
    for i, sentence in enumerate(sentences):
        found = _subject_units(sentence)
        if not found and i == 0:
            for m in re.finditer(r",\s+(?=(?:các|những) )", sentence):
                found = _units_at(sentence, m.end())
                if found:
                    break
        units.extend(u for u in found if u not in units)
    return units


def heading_units(text: str) -> list[str]:
    """Units named by a heading: "2. Giao Sở Xây dựng", "Đối với X:", "3. Sở Xây dựng"."""
    m = DOI_VOI_RE.match(text.strip())
    if m:
        return [
            u.strip()
            for u in re.split(r",\s*(?=(?:các |những )?[" + UPPER + "])", m.group("units"))
            if u.strip()
        ]
    return []


def units_of(text: str) -> tuple[list[str], list[str], str | None]:
    """Lead units, support units and report-to named in a directive's own text."""
    clean = text.strip()
    report = REPORT_TO_RE.search(clean)
    report_to = (
        units_in(report.group("unit"))[0] if report and units_in(report.group("unit")) else None
    )
    support: list[str] = []
    for m in SUPPORT_RE.finditer(clean):
        support.extend(u for u in _units_at(clean, m.end()) if u not in support)
    # 1. A heading naming units, or the subject that opens the text.
    lead = heading_units(clean) or _subject_units(_first_sentence(clean))
    # 2. The issuer's own request: "Đề nghị Bảo hiểm xã hội tỉnh phối hợp …".
    if not lead:
        opening = re.match(r"^(?:đề nghị|yêu cầu|kiến nghị)\s+", clean, re.IGNORECASE)
        if opening:
            lead = _units_at(clean, opening.end())
    # 3. "Giao X chủ trì …" adds its units to the subject's.
    giao = GIAO_RE.search(clean)
    if giao:
        lead += [u for u in units_in(giao.group("lead")) if u not in lead]
    # 4. Subjects of later sentences, or a plural group opening a clause.
    if not lead:
        lead = _sentence_subjects(clean)
    if not lead:
        chu_tri = _chu_tri(clean)
        if chu_tri:
            tail = re.split(r"[,;]\s*", chu_tri.group("lead"))[-1]
            tail = re.sub(
                r"^.*?\b(?=(?:các |những )?(?:" + "|".join(map(re.escape, UNIT_HEADS)) + r")\b)",
                "",
                tail,
                count=1,
                flags=re.IGNORECASE,
            )
            lead = unit_phrases(tail) if _is_unit_head(tail) else []
    if not lead:
        resp = RESPONSIBLE_RE.search(clean)
        if resp:
            lead = units_in(resp.group("units") or resp.group("units2"))
    if not lead:
        req = REQUEST_UNITS_RE.search(clean)
        if req:
            lead = units_in(req.group("units"))
    lead = [u for u in lead if not report_to or u != report_to]
    support = [u for u in support if u not in lead]
    return lead, support, report_to
