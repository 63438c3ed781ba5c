"""Scheduled work as data: reminders with a due time, claimed once by whichever process ticks first."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SurrogateKey, UtcDateTime


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"  # handed to the outbox
    SKIPPED = "skipped"  # no longer useful when it came due (the meeting was cancelled, the appeal answered...)
    MISSED = "missed"  # came due while the bot was down longer than the grace: listed to the inspector instead


class Reminder(Base):
    """One reminder to one chat. The unique key makes planning idempotent: a reminder is planned once."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "recipient_id", "period"),
        Index("ix_reminders_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What it is about: a meeting, an appeal, an inspector, a building chat (by kind); 0 for nothing in particular.
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # The chat to tell: a person's Telegram id or a building chat's id.
    recipient_id: Mapped[int] = mapped_column(BigInteger)
    # Which occurrence: "24h@0" (a meeting's 24-hour reminder, edition 0), "2026-12-07" (a day), "2026-W49"...
    period: Mapped[str] = mapped_column(String(32))
    # When it is to go; moved on by quiet or working hours, so it is never dropped for them.
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The process that handled it: two instances ticking one database never both send a reminder.
    handled_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(64))
