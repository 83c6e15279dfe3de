"""Reading a notice: metadata, directives, their units and deadlines, from document blocks.

The input is the list of paragraphs (and task-table rows) that ``tasks.readers`` makes of a
TXT, DOCX or PDF file. The rules follow the extraction conventions of the project
(``../shared/eval/CONVENTIONS.md``): a directive is the smallest numbered, lettered or
bulleted item that asks for action, a task-table row, or a stand-alone paragraph that
assigns work; its units come from its own text, else its parent, else the list's lead-in,
else the addressees; its deadline from its own text, else its parents.

One module a step: ``lexicon`` (markers, phrases and unit words), ``header`` (number, date,
issuer, signer, lists), ``outline`` (the tree of marked items), ``named_units`` (the units a
text names), ``directives`` (the entry point ``extract_blocks``: zones, then directives),
``review`` (matching to the directory, flags); ``result`` holds what they produce.
"""

from __future__ import annotations

from tasks.extract.directives import MAX_TEXT_CHARS, extract_blocks
from tasks.extract.named_units import unit_phrases, units_of
from tasks.extract.result import ExtractedDirective, Extraction
from tasks.extract.review import annotate, needs_review

__all__ = [
    "MAX_TEXT_CHARS",
    "ExtractedDirective",
    "Extraction",
    "annotate",
    "extract_blocks",
    "needs_review",
    "unit_phrases",
    "units_of",
]
