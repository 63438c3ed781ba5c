"""SQLAlchemy 2 typed models; `models.db` builds engines and sessions."""

from models.appeals import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealMessage,
    AppealStatus,
    Category,
    Counter,
    MessageLink,
    ProcessedUpdate,
)
from models.audit import AuditEvent
from models.base import Base
from models.community import (
    GroupQuestion,
    Meeting,
    MeetingStatus,
    Notice,
    Proposal,
    ProposalStatus,
    Rsvp,
    RsvpAnswer,
    meeting_buildings,
    notice_buildings,
)
from models.outbox import (
    TERMINAL_STATUSES,
    Broadcast,
    Delivery,
    DeliveryStatus,
    FailReason,
    Lease,
    OutboxFile,
    Priority,
)
from models.registry import Building, BuildingChat, Inspector, Residency, User
from models.reports import Report, report_buildings
from models.schedule import Reminder, ReminderStatus

__all__ = [
    "OPEN_STATUSES",
    "TERMINAL_STATUSES",
    "Appeal",
    "AppealEvent",
    "AppealMessage",
    "AppealStatus",
    "AuditEvent",
    "Base",
    "Broadcast",
    "Building",
    "BuildingChat",
    "Category",
    "Counter",
    "Delivery",
    "DeliveryStatus",
    "FailReason",
    "GroupQuestion",
    "Inspector",
    "Lease",
    "Meeting",
    "MeetingStatus",
    "MessageLink",
    "Notice",
    "OutboxFile",
    "Priority",
    "ProcessedUpdate",
    "Proposal",
    "ProposalStatus",
    "Reminder",
    "ReminderStatus",
    "Report",
    "Residency",
    "Rsvp",
    "RsvpAnswer",
    "User",
    "meeting_buildings",
    "notice_buildings",
    "report_buildings",
]
