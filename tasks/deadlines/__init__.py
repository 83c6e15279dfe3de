"""Deadline phrases of Vietnamese administrative notices -> structured ``Due`` values.

Two entry points:

* :func:`parse_deadline` — strict, for the phrase a clerk writes in a YAML file
  (``trước ngày 30/8/2024``, ``quý II/2024``, ``hằng tháng`` …). Anything it cannot read
  raises :class:`DeadlineError` with a Vietnamese explanation.
* :func:`find_deadline` — lenient, looks for the deadline inside a whole directive
  sentence; never raises, returns ``Due(kind="none")`` when nothing usable is there.

Conventions (docs: DESIGN.md "Deadlines", eval/CONVENTIONS.md §4): the stated date is kept
as written; :func:`effective_due` moves it to the next working day (Bộ luật Dân sự 2015,
điều 148). A missing year takes the notice's year, or the next one when the date would
fall before the notice.

One module a step: ``model`` (``Due`` and ``DeadlineError``), ``lexicon`` (normalisation and
the phrase patterns), ``scanner`` (the candidates a text holds), ``resolve`` (which candidate
is the deadline, and its date) and ``finders`` (the two entry points).
"""

from __future__ import annotations

from tasks.deadlines.finders import find_deadline, parse_deadline
from tasks.deadlines.model import NO_DUE, DeadlineError, Due, DueKind, Recurrence
from tasks.deadlines.resolve import effective_due

__all__ = [
    "NO_DUE",
    "DeadlineError",
    "Due",
    "DueKind",
    "Recurrence",
    "effective_due",
    "find_deadline",
    "parse_deadline",
]
