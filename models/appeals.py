"""Appeals: a resident's message to the inspector, its thread, its history, and the routing of replies."""

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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SurrogateKey, UtcDateTime
from models.registry import Building, Inspector, User


class AppealStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REDIRECTED = "redirected"
    # Outside police competence: sent on to another body (named in redirect_body) and closed.
    REDIRECTED_OUT = "redirected_out"


OPEN_STATUSES = (AppealStatus.NEW, AppealStatus.IN_PROGRESS, AppealStatus.ANSWERED, AppealStatus.REDIRECTED)


class Category(StrEnum):
    PUBLIC_ORDER = "public_order"
    DOMESTIC = "domestic"
    YOUTH = "youth"
    THEFT_FRAUD = "theft_fraud"
    TRAFFIC = "traffic"
    DRUGS_ALCOHOL = "drugs_alcohol"
    OTHER = "other"


class Appeal(Base):
    __tablename__ = "appeals"
    # A quarter's report counts the appeals of some buildings closed (or still open) by a date.
    __table_args__ = (Index("ix_appeals_building_resolved", "building_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    # The intake dialog's id: a second press on Confirm finds the appeal the first one made.
    draft_key: Mapped[str] = mapped_column(String(36), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="RESTRICT"), index=True)
    # Blanked by /forget_me: the appeal stays in the statistics, anonymised.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    flat: Mapped[str | None] = mapped_column(String(16))
    # None: the building had no inspector, the administrators handle it.
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    # The kind the building's country's law gives it a term by (bot.services.law: KZ "appeal"; UZ application,
    # complaint or proposal).
    kind: Mapped[str] = mapped_column(String(16), server_default="appeal")
    anonymous: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    first_response_due: Mapped[datetime] = mapped_column(UtcDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the card reached the inspector (or the administrators); None: waiting to be delivered.
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopened: Mapped[bool] = mapped_column(Boolean, server_default=false())
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # The body outside the police an appeal was sent on to (status redirected_out).
    redirect_body: Mapped[str | None] = mapped_column(String(256))
    # When the resident was told their proposal needs further study (UZ7: within 10 days; bot.services.law).
    study_noticed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    feedback: Mapped[str | None] = mapped_column(Text)
    # A crime, a threat or an emergency: the card says so at the top.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "bot": sent by the resident; "oral": taken by the inspector in person, by phone or at a meeting.
    source: Mapped[str] = mapped_column(String(16), default="bot", server_default="bot")

    building: Mapped[Building] = relationship()
    inspector: Mapped[Inspector | None] = relationship()
    resident: Mapped[User | None] = relationship()
    messages: Mapped[list[AppealMessage]] = relationship(
        back_populates="appeal", order_by="AppealMessage.id", cascade="all, delete-orphan"
    )
    # Loaded with the appeal: every card of an oral appeal names its applicant.
    oral: Mapped[OralAppeal | None] = relationship(lazy="selectin", cascade="all, delete-orphan")


class OralAppeal(Base):
    """Who brought an oral appeal and how: the applicant may not be in the bot at all."""

    __tablename__ = "oral_appeals"

    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # "in_person", "phone" or "meeting"
    channel: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(String(128))
    contact: Mapped[str | None] = mapped_column(String(64))
    # The staff member who took it (Telegram id): the receipt names them.
    recorded_by: Mapped[int] = mapped_column(BigInteger)


class AnswerTemplate(Base):
    """A short reusable answer in one language: an inspector's own, or shared by an administrator (no inspector)."""

    __tablename__ = "answer_templates"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExtensionStatus(StrEnum):
    PENDING = "pending"  # waiting for the head's (an administrator's) decision
    APPROVED = "approved"
    DECLINED = "declined"


class AppealExtension(Base):
    """An extension of an appeal's term: asked for by the inspector with a reason, decided where the law says."""

    __tablename__ = "appeal_extensions"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    previous_due: Mapped[datetime] = mapped_column(UtcDateTime)
    new_due: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    appeal: Mapped[Appeal] = relationship()


class AppealMessage(Base):
    """One message of an appeal's thread; attachments are kept as Telegram file ids."""

    __tablename__ = "appeal_messages"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # "resident" or "staff"
    author: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(256))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The original, to copy it without its sender (an anonymous resident's name must not travel with it);
    # cleared by /forget_me, so nothing the resident sent can be copied again.
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    delivered: Mapped[bool] = mapped_column(Boolean, server_default=false())

    appeal: Mapped[Appeal] = relationship(back_populates="messages")


class AppealEvent(Base):
    """The appeal's history: who changed what, when."""

    __tablename__ = "appeal_events"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class MessageLink(Base):
    """A message the bot sent (or a person wrote) and the message or appeal it stands for.

    Replies are routed by this table, never by the text of a message, so routing survives restarts and edits.
    """

    __tablename__ = "message_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    peer_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    peer_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A notice or announcement the outbox delivered to a building chat: replies to it are questions.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    # A question passed to the inspector privately: their reply to it goes back to the chat.
    question_id: Mapped[int | None] = mapped_column(ForeignKey("group_questions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Counter(Base):
    """Gapless sequences (appeal numbers): incremented inside the transaction that uses the value."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ProcessedUpdate(Base):
    """Update ids already handled: Telegram redelivers after timeouts, and a redelivery must do nothing."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
