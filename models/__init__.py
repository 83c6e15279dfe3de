"""SQLModel tables of dondoc. Importing this package registers every table on SQLModel.metadata
and the column-limit check that runs before every flush (models/limits.py)."""

import models.limits  # noqa: F401  (registers the before_flush check)
from models.audit import AuditAction, AuditEvent
from models.delivery import Delivery, DeliveryCreate, DeliveryPublic, DeliveryState
from models.notice import (
    Assignment,
    AssignmentCreate,
    AssignmentPublic,
    AssignmentRole,
    AssignmentState,
    Directive,
    DirectiveCreate,
    DirectivePublic,
    DueKind,
    Notice,
    NoticeCreate,
    NoticeFollowUp,
    NoticePublic,
    Recurrence,
)
from models.progress import (
    ExtensionDecision,
    ExtensionRequest,
    ExtensionRequestCreate,
    ExtensionRequestPublic,
    ProgressState,
    ProgressUpdate,
    ProgressUpdateCreate,
    ProgressUpdatePublic,
)
from models.reminder import Reminder, ReminderState
from models.unit import Unit, UnitCreate, UnitGroup, UnitGroupMember, UnitKind, UnitPublic
from models.web import EvidenceFile, NoticeDraft, Role, UnitLink, UserAccount, UserPublic

__all__ = [
    "Assignment",
    "AssignmentCreate",
    "AssignmentPublic",
    "AssignmentRole",
    "AssignmentState",
    "AuditAction",
    "AuditEvent",
    "Delivery",
    "DeliveryCreate",
    "DeliveryPublic",
    "DeliveryState",
    "Directive",
    "DirectiveCreate",
    "DirectivePublic",
    "DueKind",
    "ExtensionDecision",
    "ExtensionRequest",
    "ExtensionRequestCreate",
    "ExtensionRequestPublic",
    "Notice",
    "NoticeCreate",
    "NoticeFollowUp",
    "NoticePublic",
    "ProgressState",
    "ProgressUpdate",
    "ProgressUpdateCreate",
    "ProgressUpdatePublic",
    "Recurrence",
    "Reminder",
    "ReminderState",
    "Unit",
    "UnitCreate",
    "UnitGroup",
    "UnitGroupMember",
    "UnitKind",
    "UnitPublic",
    "EvidenceFile",
    "NoticeDraft",
    "Role",
    "UnitLink",
    "UserAccount",
    "UserPublic",
]
