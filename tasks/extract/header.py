"""The header and the signature: number, place and date, kind, title, issuer, signer, lists."""

from __future__ import annotations

import re
from datetime import date

from tasks.extract.lexicon import LOWER, UPPER

NUMBER_RE = re.compile(
    r"^\W*Số\s*[:.]?\s*(?P<digits>\d[\d.]*)?\s*(?P<sym>[/-]\s*[\w/.\-–]*[\w])?", re.IGNORECASE
)
DATE_LINE_RE = re.compile(
    rf"(?P<place>[{UPPER}][\w .'/:-]{{0,60}}?)\s*,\s*ngày\s*(?P<d>\d{{1,2}})?\s*tháng\s*(?P<m>\d{{1,2}})?\s*năm\s*(?P<y>\d{{4}})",
    re.IGNORECASE,
)
# The part of a date line after the place; it has a literal start, so finding it is cheap.
_DATE_TAIL_RE = re.compile(
    r",\s*ngày\s*(?:\d{1,2})?\s*tháng\s*(?:\d{1,2})?\s*năm\s*\d{4}", re.IGNORECASE
)
ROLE_LINE = re.compile(
    r"^(KT\.|TM\.|TL\.|Q\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|CHÁNH|PHÓ CHÁNH|TRƯỞNG|PHÓ TRƯỞNG|BÍ THƯ|THỦ TRƯỞNG)"
)
_NAME_RE = re.compile(rf"^[{UPPER}][{LOWER}]+(?: [{UPPER}][{LOWER}]+){{1,4}}$")


def number_of(blocks: list[str]) -> tuple[str | None, str | None]:
    """The notice number (spaces removed; None when blank) and its symbol part."""
    for text in blocks[:25]:
        m = NUMBER_RE.match(text)
        if not m or not (m.group("digits") or m.group("sym")):
            continue
        sym = re.sub(r"\s+", "", m.group("sym") or "")
        if not m.group("digits"):
            return stamped_number(blocks, sym), sym or None
        return f"{m.group('digits')}{sym}", sym or None
    return None, None


def stamped_number(blocks: list[str], sym: str) -> str | None:
    """A number left blank in the header («Số:      /UBND-XD») but stamped when the document
    was signed: a short line elsewhere on the first pages holding digits and the same symbol
    («Số: 7432/UBND-XD»). A citation in a sentence («văn bản số 12/UBND-XD ngày …») is long
    and is not taken."""
    if not sym.startswith("/") or len(sym) < 3:
        return None
    stamp = re.compile(rf"(?<![\w/])(\d{{1,6}})\s*{re.escape(sym)}(?![\w-])")
    for text in blocks[:60]:
        line = text.strip()
        if len(line) > 60:
            continue
        m = stamp.search(line)
        if m:
            return f"{m.group(1)}{sym}"
    return None


def date_line(text: str) -> re.Match[str] | None:
    """``DATE_LINE_RE.search(text)``, tried only just before each ", ngày … năm 2024": the
    place is at most 61 characters, and the plain search costs that many steps a character
    of a long paragraph. (A later date tail cannot give an earlier match: its place cannot
    hold the earlier comma.)"""
    for tail in _DATE_TAIL_RE.finditer(text):
        m = DATE_LINE_RE.search(text, max(0, tail.start() - 80), tail.end())
        if m:
            return m
    return None


def issue_date_of(blocks: list[str]) -> tuple[date | None, int | None, str | None]:
    for text in blocks[:30]:
        m = date_line(text)
        if not m:
            continue
        words = m.group("place").split()
        # "Số: 54 /TB-VP Hòn Đất, ngày …" on one line: the place is after the number.
        cut = max((i + 1 for i, w in enumerate(words) if re.search(r"[/:\d]", w)), default=0)
        place = " ".join(words[cut:]) or None
        year = int(m.group("y"))
        if m.group("d") and m.group("m"):
            try:
                return date(year, int(m.group("m")), int(m.group("d"))), year, place
            except ValueError:
                return None, year, place
        return None, year, place
    return None, None, None


def doc_type_of(blocks: list[str], symbol: str | None) -> str | None:
    for text in blocks[:30]:
        up = text.strip().upper()
        for word, kind in (
            ("THÔNG BÁO", "TB"),
            ("KẾ HOẠCH", "KH"),
            ("QUYẾT ĐỊNH", "QĐ"),
            ("CHỈ THỊ", "CT"),
            ("BÁO CÁO", "BC"),
        ):
            if up == word or up.startswith(word + " ") and up == text.strip():
                return kind
        if re.match(r"^V/v\b", text.strip(), re.IGNORECASE):
            return "CV"
    if symbol:
        m = re.match(r"/(TB|KH|QĐ|CT|BC)\b", symbol)
        if m:
            return m.group(1)
        return "CV"
    return None


def title_of(blocks: list[str]) -> str | None:
    for i, text in enumerate(blocks[:30]):
        if re.match(r"^V/v\b", text, re.IGNORECASE):
            return text
        if text.strip().upper() in ("THÔNG BÁO", "KẾ HOẠCH", "CHỈ THỊ", "BÁO CÁO") and i + 1 < len(
            blocks
        ):
            return blocks[i + 1]
    return None


# The document's kind («THÔNG BÁO», «KẾ HOẠCH» …) starts its title, after the header: never
# the issuer, even when the header lost its issuer lines.
_DOC_KIND_RE = re.compile(
    r"^(THÔNG BÁO|CÔNG VĂN|KẾ HOẠCH|QUYẾT ĐỊNH|BÁO CÁO|CHỈ THỊ|TỜ TRÌNH|GIẤY MỜI|KẾT LUẬN|"
    r"HƯỚNG DẪN|CHƯƠNG TRÌNH|NGHỊ QUYẾT)\b"
)


def issuer_of(blocks: list[str]) -> str | None:
    caps: list[str] = []
    for text in blocks[:8]:
        t = text.strip()
        if _DOC_KIND_RE.match(t):
            break
        if t.upper().startswith("CỘNG HÒA") or t.upper().startswith("CỘNG HOÀ"):
            continue
        if t.upper().startswith(("ĐỘC LẬP", "SỐ")) or not t:
            if caps:
                break
            continue
        if t == t.upper() and re.search(f"[{UPPER}]", t) and len(t) < 120:
            caps.append(
                t.replace("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "")
                .replace("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "")
                .strip()
            )
        elif caps:
            break
    name = _issuing_body([c for c in caps if c])
    return _name_case(name) if name else None


# The header's first lines name the governing body and, under it, the issuing one
# (Nghị định 30/2020): «ỦY BAN NHÂN DÂN / TỈNH QUẢNG TRỊ / VĂN PHÒNG», «UBND TỈNH ĐIỆN BIÊN /
# SỞ Y TẾ». A line opening with one of these words begins a body; a place line continues one.
_BODY_HEAD_RE = re.compile(
    r"^(?:ỦY BAN|UỶ BAN|UBND|HĐND|HỘI ĐỒNG|VĂN PHÒNG|SỞ|BAN|TRUNG TÂM|PHÒNG|CÔNG AN|BỘ|"
    r"CỤC|CHI CỤC|TỔNG CỤC|THANH TRA|ĐẢNG ỦY|ĐẢNG UỶ|KHO BẠC|BẢO HIỂM|BỆNH VIỆN|ĐÀI)\b"
)
_PLACE_RE = re.compile(r"\b(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|THỊ TRẤN|XÃ|PHƯỜNG|ĐẶC KHU)\b")


def _issuing_body(lines: list[str]) -> str | None:
    """The issuing body of the header's caps lines, named as a whole: the last body, with
    the governing body it belongs to when it names no place of its own («Văn phòng UBND tỉnh
    Quảng Trị», «Sở Y tế tỉnh Điện Biên»)."""
    bodies: list[str] = []
    for line in lines:
        if _BODY_HEAD_RE.match(line) or not bodies:
            bodies.append(line)
        else:
            bodies[-1] += " " + line
    if not bodies:
        return None
    last, first = bodies[-1], bodies[0]
    if len(bodies) == 1 or _PLACE_RE.search(last):
        return last
    if last.startswith("VĂN PHÒNG") and not re.search(r"\b(?:UBND|ỦY BAN|UỶ BAN)\b", last):
        return f"{last} {first}"  # «Văn phòng» + «Ủy ban nhân dân tỉnh Quảng Trị»
    place = _PLACE_RE.search(first)
    return f"{last} {first[place.start() :]}" if place else last


_KEEP_UPPER = {"UBND", "HĐND", "VP"}
_HEAD_PHRASES = [
    ("ỦY BAN NHÂN DÂN", "Ủy ban nhân dân"),
    ("UỶ BAN NHÂN DÂN", "Ủy ban nhân dân"),
    ("HỘI ĐỒNG NHÂN DÂN", "Hội đồng nhân dân"),
    ("VĂN PHÒNG", "Văn phòng"),
]
_PLACE_WORDS = [
    "THÀNH PHỐ",
    "THỊ XÃ",
    "THỊ TRẤN",
    "ĐẶC KHU",
    "TỈNH",
    "HUYỆN",
    "QUẬN",
    "XÃ",
    "PHƯỜNG",
]


def _name_case(name: str) -> str:
    """«ỦY BAN NHÂN DÂN PHƯỜNG TRẤN BIÊN» → «Ủy ban nhân dân phường Trấn Biên»; «SỞ Y TẾ TỈNH
    ĐIỆN BIÊN» → «Sở Y tế tỉnh Điện Biên»: heads and place words as written in a sentence,
    place names in title case, a department's name capitalised after «và» and commas."""
    words = name.split()
    out: list[str] = []
    mode = "name"  # "place": title case; "dept": first word and after «và»/«,» capitalised
    i = 0
    while i < len(words):
        rest = " ".join(words[i : i + 4])
        phrase = next(
            (
                (n, w)
                for n, w in [
                    *[(len(a.split()), b) for a, b in _HEAD_PHRASES if rest.startswith(a)],
                    *[(len(a.split()), a.lower()) for a in _PLACE_WORDS if _starts_word(rest, a)],
                ]
            ),
            None,
        )
        if phrase is not None:
            count, written = phrase
            out.append(written)
            mode = "place" if written.islower() else "name"
            i += count
            continue
        w = words[i]
        if w == "VÀ":
            out.append("và")
        elif w in _KEEP_UPPER:
            out.append(w)
            mode = "name"
        elif w in ("SỞ", "BAN", "PHÒNG", "CỤC", "TRUNG", "TÂM", "CHI") and mode != "dept":
            out.append(w.capitalize())
            mode = "dept_start" if w not in ("TRUNG", "CHI") else mode
        elif mode == "place":
            out.append(w.capitalize())
        elif mode in ("dept_start", "dept"):
            capital = mode == "dept_start" or (out and (out[-1] == "và" or out[-1].endswith(",")))
            out.append(w.capitalize() if capital else w.lower())
            mode = "dept"
        else:
            out.append(w.capitalize())
        i += 1
    if out:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def _starts_word(text: str, phrase: str) -> bool:
    return text == phrase or text.startswith(phrase + " ")


def chair_of(title: str | None, blocks: list[str]) -> str | None:
    sources = [title or ""] + blocks[:40]
    for text in sources:
        m = re.search(
            rf"(?:kết luận|ý kiến chỉ đạo|chỉ đạo) của (?P<role>(?:Phó )?Chủ tịch [^,;]*?)\s(?P<name>[{UPPER}][{LOWER}]+(?: [{UPPER}][{LOWER}]+){{1,3}})\b",
            text,
        )
        if m:
            return m.group("name")
    return None


def signer_of(blocks: list[str]) -> str | None:
    """The name that ends the signature block, after a role line such as "KT. CHỦ TỊCH"."""
    tail = [b.strip() for b in blocks[-14:] if b.strip()]
    for i in range(len(tail) - 1, -1, -1):
        if ROLE_LINE.match(tail[i]) or (tail[i].isupper() and "CHỦ TỊCH" in tail[i]):
            for cand in tail[i + 1 :]:
                cand = re.sub(r"^(Ký bởi|Người ký)\s*:?\s*", "", cand)
                if _NAME_RE.match(cand):
                    return cand
            return None
    return None


def list_after(blocks: list[str], label_re: str) -> tuple[list[str], int | None]:
    """The dash lines after "Kính gửi:" / "Nơi nhận:" (or inline after the colon)."""
    for i, text in enumerate(blocks):
        m = re.search(label_re, text.strip(), re.IGNORECASE)
        if not m:
            continue
        items: list[str] = []
        rest = text.strip()[m.end() :].strip()
        if rest:
            items.extend(
                x.strip(" -;.") for x in re.split(r"\s*-\s+|;\s*", rest) if x.strip(" -;.")
            )
            if not rest.startswith("-"):
                return items, i
        for nxt in blocks[i + 1 : i + 40]:
            t = nxt.strip()
            if not t.startswith(("-", "–", "+", "•")):
                break
            items.append(t.lstrip("-–+• ").rstrip(" ;.,"))
        return items, i
    return [], None
