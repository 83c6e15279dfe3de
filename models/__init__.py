"""SQLModel tables of dondoc. Importing this package registers every table on SQLModel.metadata
and the column-limit check that runs before every flush (models/limits.py)."""

import models.limits  # noqa: F401  (registers the before_flush check)
from models.audit import AuditEvent
from models.delivery import Delivery
from models.notice import Assignment, Directive, Notice
from models.progress import ExtensionRequest, ProgressUpdate
from models.reminder import Reminder
from models.unit import Unit, UnitGroup, UnitGroupMember

__all__ = [
    "Assignment",
    "AuditEvent",
    "Delivery",
    "Directive",
    "ExtensionRequest",
    "Notice",
    "ProgressUpdate",
    "Reminder",
    "Unit",
    "UnitGroup",
    "UnitGroupMember",
]
