"""SQLAlchemy 2 typed models; `models.db` builds engines and sessions."""

from models.audit import AuditEvent
from models.base import Base
from models.registry import Building, BuildingChat, Inspector, Residency, User

__all__ = ["AuditEvent", "Base", "Building", "BuildingChat", "Inspector", "Residency", "User"]
