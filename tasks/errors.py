"""Domain errors. Their messages are for the clerk: Vietnamese, and they say what to fix."""

from __future__ import annotations


class DondocError(Exception):
    """An error the user can fix; the CLI prints its message and exits non-zero."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class InputError(DondocError):
    """A file, a field or an option is wrong (malformed YAML/CSV, missing field, bad date…)."""


class UnitNotFoundError(DondocError):
    """A name matches no unit or group of the directory."""


class EmptyGroupError(UnitNotFoundError):
    """A group phrase matched, but the group has no member units yet."""


class OutsideIssuerError(UnitNotFoundError):
    """A unit name in a document of a People's Committee that the directory does not hold:
    the name stands for that committee's unit, not for one of this directory's."""


class AmbiguousUnitError(DondocError):
    """A name matches several units; the clerk must write the unit's code."""


class DuplicateError(DondocError):
    """The thing already exists (same notice number from the same issuer, same file…)."""


class NotFoundError(DondocError):
    """An id or code given on the command line does not exist."""


class StateError(DondocError):
    """The operation does not fit the current state (deciding a decided extension…)."""
