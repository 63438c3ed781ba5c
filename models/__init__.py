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
from models.registry import Building, BuildingChat, Inspector, Residency, User

__all__ = [
    "OPEN_STATUSES",
    "Appeal",
    "AppealEvent",
    "AppealMessage",
    "AppealStatus",
    "AuditEvent",
    "Base",
    "Building",
    "BuildingChat",
    "Category",
    "Counter",
    "Inspector",
    "MessageLink",
    "ProcessedUpdate",
    "Residency",
    "User",
]
