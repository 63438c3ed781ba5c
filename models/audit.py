"""Who did what, when: the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SurrogateKey, UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # An object's history (a proposal's moves) is read back from here.
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # A plain number, not a foreign key: the trail outlives the user (/forget_me blanks it).
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
