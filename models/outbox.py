"""The outbox: every message sent later or to many chats is a row here, drained by the one sender."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SurrogateKey, UtcDateTime


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # The person blocked the bot or never opened it: a message about an appeal waits until they open it again.
    HELD = "held"
    CANCELLED = "cancelled"


TERMINAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


class FailReason(StrEnum):
    """Why a delivery failed or waits, as its author is told."""

    REMOVED = "removed"  # the bot was removed from the group
    BLOCKED = "blocked"  # the person blocked the bot or never opened it
    NOT_FOUND = "not_found"  # the chat no longer exists
    REFUSED = "refused"  # Telegram refused the message itself (too long, bad formatting...)
    UNAVAILABLE = "unavailable"  # Telegram kept failing (5xx, network) until the attempts ran out
    # The request left and no answer came: it was sent once more, so it may have arrived twice (kept on a sent row).
    NO_ANSWER = "no_answer"
    FLOOD = "flood"  # waiting: Telegram asked the bot to wait (429)


class Priority:
    """Lower goes first: a person waiting on one message before a broadcast to a thousand chats."""

    PERSONAL = 0
    BULK = 1


class Broadcast(Base):
    """A batch of deliveries with one author, who is told how it went when the last one is done."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    # Telegram id of the one to tell; None: nobody waits for a report.
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    # notice, meeting, meeting_changed, meeting_cancelled...
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    # A short line naming what was sent, for the report and for questions asked under it.
    title: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="broadcast", order_by="Delivery.id")


class Delivery(Base):
    """One message (of one or more parts) to one chat, and how its sending went."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    priority: Mapped[int] = mapped_column(SmallInteger)
    # What to send, rendered already: a list of parts (see bot.services.parts), sent in order.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Parts confirmed sent, and the ids Telegram gave them: a restart resumes after the last one.
    sent_parts: Mapped[int] = mapped_column(Integer, default=0)
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not to be sent before this moment: retry_after, backoff, or a message scheduled for later.
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The sender's lease epoch that claimed the row last: a holder whose lease was taken over (a higher epoch) can
    # no longer claim it, so a stalled process cannot send what its successor sends.
    epoch: Mapped[int | None] = mapped_column(Integer)
    # A message about an appeal: replies to what it sent are routed to the appeal, and a reader who blocked the bot
    # gets it when they come back (it waits, held, instead of failing).
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    # The message of the appeal's thread it carries (an answer, a reply): its fate is that message's fate.
    appeal_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeal_messages.id", ondelete="CASCADE"), index=True
    )
    # Who is told when it cannot go out at once (the inspector who answered, the resident who replied).
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    broadcast: Mapped[Broadcast | None] = relationship(back_populates="deliveries")


class OutboxFile(Base):
    """A file the bot made (a calendar file, a chart, a report): kept once however many chats it goes to."""

    __tablename__ = "outbox_files"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # Telegram's ids for it once uploaded (a photo's differs from a document's): the other chats get it by id.
    document_id: Mapped[str | None] = mapped_column(String(256))
    photo_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Lease(Base):
    """A named role one process holds at a time (the sender), renewed while alive, taken over when it lapses."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Grows by one each time the lease changes hands: the fencing token a holder claims rows with.
    epoch: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
