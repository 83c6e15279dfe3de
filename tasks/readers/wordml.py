"""WordprocessingML names and attribute parsing shared by the DOCX numbering and reader."""

from __future__ import annotations

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w_tag(tag: str) -> str:
    """The qualified name lxml gives a WordprocessingML element or attribute."""
    return f"{{{W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_T, W_R = (
    w_tag("p"),
    w_tag("tbl"),
    w_tag("tr"),
    w_tag("tc"),
    w_tag("t"),
    w_tag("r"),
)
W_SDT, W_SDTCONTENT, W_CUSTOMXML = w_tag("sdt"), w_tag("sdtContent"), w_tag("customXml")
W_TXBX = w_tag("txbxContent")
W_VAL = w_tag("val")


def parse_int(value: str | None, default: int) -> int:
    """An integer attribute value; `default` when it is missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
