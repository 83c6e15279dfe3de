"""Read a notice (TXT, DOCX or PDF with a text layer) into clean paragraph blocks.

The extractor works on :class:`Block` s: one block is one real paragraph of the source (a
directive is never split across blocks), one data row of a task table, or one footnote.
The format is chosen by the file's content, not its extension. Every problem with the input
is an :class:`~tasks.errors.InputError` whose Vietnamese message says what to do.

One module a step: ``sniff`` (the entry point: the format by content), ``text`` (a TXT's or
a PDF's text into paragraphs), ``docx_package`` (the ZIP under caps), ``docx_numbering``
(Word's list labels), ``docx_reader`` (paragraphs, tables, text boxes) and ``pdf``;
``document`` holds what they all produce.
"""

from __future__ import annotations

from tasks.readers.document import Block, ScannedPdfError, SourceDocument
from tasks.readers.sniff import read_document
from tasks.readers.text import blocks_from_text

__all__ = ["Block", "ScannedPdfError", "SourceDocument", "blocks_from_text", "read_document"]
