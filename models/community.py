"""Talking to whole buildings: notices, meetings and their RSVPs, residents' proposals, questions asked in chats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SurrogateKey, UtcDateTime, buildings_of
from models.registry import Building, Inspector

notice_buildings = buildings_of("notices")
meeting_buildings = buildings_of("meetings")


class Notice(Base):
    """A notice an inspector (or an administrator) sent to building chats."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    # The dialog's id: a second press on Send finds the notice the first one made.
    draft_key: Mapped[str] = mapped_column(String(36), unique=True)
    author_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    # photo, document or video; None for a text notice
    media_kind: Mapped[str | None] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    buildings: Mapped[list[Building]] = relationship(secondary=notice_buildings, order_by="Building.code")


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Meeting(Base):
    """A meeting of the inspector with the residents of one or more buildings."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    draft_key: Mapped[str] = mapped_column(String(36), unique=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # The zone the time was typed in and is shown in (the buildings').
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(256))
    agenda: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    # Calendar clients take an update of the same UID only with a higher SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attendance: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[str | None] = mapped_column(Text)
    held_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    inspector: Mapped[Inspector | None] = relationship()
    buildings: Mapped[list[Building]] = relationship(secondary=meeting_buildings, order_by="Building.code")


class RsvpAnswer(StrEnum):
    YES = "yes"
    NO = "no"


class Rsvp(Base):
    """Will come / cannot: one answer per person and meeting, counted per chat the announcement is in."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    # A bare Telegram id, not a foreign key: anyone in the building chat may answer; /forget_me deletes it.
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    answer: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProposalStatus(StrEnum):
    RECORDED = "recorded"
    IN_PLAN = "in_plan"
    DONE = "done"
    DECLINED = "declined"


class Proposal(Base):
    """A residents' proposal, raised at a meeting or sent with /propose; it feeds the work plan and the report."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    # None for a proposal of a meeting held for several buildings: it belongs to all of them.
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    # The resident who sent it with /propose; blanked by /forget_me, the proposal itself stays in the plan.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # "meeting" or "bot"
    source: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    building: Mapped[Building | None] = relationship()


class GroupQuestion(Base):
    """A resident's reply, in a building chat, to the bot's notice or announcement: passed to its author privately."""

    __tablename__ = "group_questions"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    # Shown in the chat already; kept to tell the inspector who asks. /forget_me deletes the question.
    asker_id: Mapped[int] = mapped_column(BigInteger, index=True)
    asker_name: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))

    building: Mapped[Building] = relationship()
