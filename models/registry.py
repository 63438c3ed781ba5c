"""People and places: users, inspectors, buildings, their group chats and residents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, SmallInteger, String, select, true
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import Base, SurrogateKey, UtcDateTime


class User(Base):
    """A Telegram user the bot keeps: staff, and residents who consented."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    # False once Telegram answers 403 (blocked, or never started the bot); a later message sets it back.
    reachable: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    inspector: Mapped[Inspector | None] = relationship(back_populates="user")
    residency: Mapped[Residency | None] = relationship(back_populates="user", cascade="all, delete-orphan")


class Inspector(Base):
    __tablename__ = "inspectors"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    rank: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    reception_point: Mapped[str] = mapped_column(String(256))
    reception_hours: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # Working hours (local hours, from inclusive, to exclusive): the inspector's reminders wait for them.
    work_from: Mapped[int] = mapped_column(SmallInteger, default=9, server_default="9")
    work_to: Mapped[int] = mapped_column(SmallInteger, default=18, server_default="18")
    # The weekly post in the inspector's building chats about what is coming up; the inspector may turn it off.
    chat_week: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="inspector")
    buildings: Mapped[list[Building]] = relationship(back_populates="inspector", order_by="Building.code")


class Building(Base):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str] = mapped_column(String(256))
    district: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    # KZ or UZ: the law its appeals follow, its calendar of working days, the wording its people read.
    country: Mapped[str] = mapped_column(String(2), server_default="KZ")
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    inspector: Mapped[Inspector | None] = relationship(back_populates="buildings")
    chats: Mapped[list[BuildingChat]] = relationship(back_populates="building", cascade="all, delete-orphan")


class BuildingChat(Base):
    """A Telegram group bound to a building with /bind; `active` follows the bot's membership."""

    __tablename__ = "building_chats"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The building's country, loaded with the chat: the chat reads that country's wording (bot.config.reading_locale).
    country: Mapped[str] = column_property(
        select(Building.country).where(Building.id == building_id).correlate_except(Building).scalar_subquery()
    )

    building: Mapped[Building] = relationship(back_populates="chats")


class Residency(Base):
    """A resident's registration to one building, made only after consent."""

    __tablename__ = "residencies"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    flat: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="residency")
    building: Mapped[Building] = relationship()
