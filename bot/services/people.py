"""Who is writing: the actor behind an update, their roles and language, and their own record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit
from bot.services.errors import StaffCannotForget
from models import Appeal, AppealMessage, Building, Inspector, Residency, User


@dataclass(frozen=True)
class Person:
    """What Telegram tells about a person, as plain values."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class Actor:
    """The one who sent an update. Rights come from here, never from what the client sent."""

    telegram_id: int
    is_admin: bool
    user: User | None
    inspector: Inspector | None
    residency: Residency | None
    # A plain copy: error handlers read it after the update's session was rolled back and closed.
    language: str | None = None

    @property
    def is_inspector(self) -> bool:
        return self.inspector is not None

    @property
    def is_resident(self) -> bool:
        return self.residency is not None

    @property
    def is_staff(self) -> bool:
        return self.is_admin or self.is_inspector

    def can_manage(self, building: Building) -> bool:
        """Admins manage every building; an inspector manages the buildings assigned to them."""
        return self.is_admin or (self.inspector is not None and building.inspector_id == self.inspector.id)


async def load_actor(session: AsyncSession, telegram_id: int, *, is_admin: bool) -> Actor:
    user = await session.scalar(
        select(User)
        .where(User.id == telegram_id)
        .options(
            selectinload(User.inspector),
            selectinload(User.residency).selectinload(Residency.building).selectinload(Building.inspector),
        )
    )
    inspector = user.inspector if user is not None and user.inspector and user.inspector.active else None
    residency = user.residency if user is not None else None
    return Actor(
        telegram_id=telegram_id,
        is_admin=is_admin,
        user=user,
        inspector=inspector,
        residency=residency,
        language=user.language if user is not None else None,
    )


async def ensure_user(session: AsyncSession, clock: Clock, person: Person, *, language: str) -> User:
    """The person's record, made if missing (staff, consenting residents); names kept current."""
    user = await session.get(User, person.id)
    if user is None:
        user = User(
            id=person.id,
            first_name=person.first_name,
            last_name=person.last_name,
            username=person.username,
            language=language,
            reachable=True,
            created_at=clock.now(),
        )
        session.add(user)
    elif person.first_name:
        user.first_name, user.last_name, user.username = person.first_name, person.last_name, person.username
    await session.flush()
    return user


async def set_language(session: AsyncSession, user: User, language: str) -> None:
    user.language = language
    await session.flush()


async def set_reachable(session: AsyncSession, telegram_id: int, reachable: bool) -> None:
    await session.execute(update(User).where(User.id == telegram_id).values(reachable=reachable))


async def forget(session: AsyncSession, clock: Clock, telegram_id: int) -> bool:
    """Delete what is kept about a resident; False when nothing was kept."""
    user = await session.get(User, telegram_id, options=[selectinload(User.inspector)])
    if user is None:
        return False
    if user.inspector is not None:
        raise StaffCannotForget()
    await _anonymise_appeals(session, telegram_id)
    await session.delete(user)
    await audit.forget_actor(session, telegram_id)
    await audit.record(session, clock, actor_id=None, action="forget_me", object_type="user")
    return True


async def _anonymise_appeals(session: AsyncSession, telegram_id: int) -> None:
    """The appeals stay in the statistics (category, dates, status, rating); nothing the resident wrote does."""
    mine = select(Appeal.id).where(Appeal.resident_id == telegram_id).scalar_subquery()
    await session.execute(
        update(AppealMessage)
        .where(AppealMessage.appeal_id.in_(mine), AppealMessage.author == "resident")
        .values(text=None, file_id=None, extra=None)
    )
    await session.execute(
        update(Appeal)
        .where(Appeal.resident_id == telegram_id)
        .values(resident_id=None, flat=None, text="", feedback=None)
    )


async def languages(session: AsyncSession, telegram_ids: list[int]) -> dict[int, str]:
    """The languages of the people the bot is about to write to (those it keeps a record of)."""
    if not telegram_ids:
        return {}
    rows = await session.execute(select(User.id, User.language).where(User.id.in_(telegram_ids)))
    return {telegram_id: language for telegram_id, language in rows}
