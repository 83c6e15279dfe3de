"""Vietnamese alphabetical order, as a dictionary sorts names: a ă â b c d đ e ê … ô ơ … ư …,
the tone marks only breaking ties (ngang, huyền, hỏi, ngã, sắc, nặng). Python's default
order compares code points, which puts «Sơn Long» before «Sơn Lâm»."""

from __future__ import annotations

import unicodedata

ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}
# combining tone marks, in dictionary order (no mark: 0)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """A sort key: letters by the Vietnamese alphabet first, then tones, then nothing else."""
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        parts = unicodedata.normalize("NFD", char)
        tone = next((_TONES[m] for m in parts if m in _TONES), 0)
        letter = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES))
        if letter in _RANK:
            primary.append((2, _RANK[letter]))
        elif letter.isspace():
            primary.append((0, 0))
        elif letter.isdigit():
            primary.append((1, ord(letter)))
        else:
            primary.append((3, ord(letter[0]) if letter else 0))
        tones.append(tone)
    return tuple(primary), tuple(tones)


__all__ = ["ALPHABET", "vietnamese_key"]
