"""Who is writing: the actor behind an update, their roles and language, and their own record."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.clock import Clock
from bot.config import DEFAULT_COUNTRY, reading_locale
from bot.services import audit, outbox
from bot.services.errors import StaffCannotForget
from bot.services.reminders import one_of
from models import (
    Appeal,
    AppealEvent,
    AppealMessage,
    Broadcast,
    Building,
    Delivery,
    DeliveryStatus,
    GroupQuestion,
    Inspector,
    MessageLink,
    OralAppeal,
    Proposal,
    Reminder,
    Residency,
    Rsvp,
    User,
)
from models.queries import changed_rows

# The outbox batch that passes a question asked in a building chat to its addressee (bot.services.questions),
# the one that posts the answer back, and the one that tells staff of a new proposal (bot.services.proposals).
QUESTION_RELAY_KIND = "question"
QUESTION_ANSWER_KIND = "answer"
PROPOSAL_NOTICE_KIND = "proposal"


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
    # Plain copies: error handlers read them after the update's session was rolled back and closed.
    language: str | None = None
    # Whose wording they read: an inspector's buildings' country (most of them), a resident's building's, else COUNTRY.
    country: str = DEFAULT_COUNTRY

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


# One statement with joins, not one per relation, built once: it runs for every update.
_ACTOR = (
    select(User)
    .where(User.id == bindparam("telegram_id"))
    .options(
        joinedload(User.inspector),
        joinedload(User.residency).joinedload(Residency.building).joinedload(Building.inspector),
    )
)


async def load_actor(
    session: AsyncSession, telegram_id: int, *, is_admin: bool, default_country: str = DEFAULT_COUNTRY
) -> Actor:
    user = await session.scalar(_ACTOR, {"telegram_id": telegram_id})
    inspector = user.inspector if user is not None and user.inspector and user.inspector.active else None
    residency = user.residency if user is not None else None
    if inspector is not None:  # their buildings decide: one query, for staff only
        country = (await countries(session, [telegram_id], default_country)).get(telegram_id, default_country)
    else:
        country = residency.building.country if residency is not None else default_country
    return Actor(
        telegram_id=telegram_id,
        is_admin=is_admin,
        user=user,
        inspector=inspector,
        residency=residency,
        language=user.language if user is not None else None,
        country=country,
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


async def came_back(session: AsyncSession, clock: Clock, telegram_id: int) -> None:
    """The person opened the bot (again): they can be written to, and what waited for them goes out now."""
    await set_reachable(session, telegram_id, True)
    await outbox.release(session, clock, telegram_id)


async def forget(session: AsyncSession, clock: Clock, telegram_id: int) -> bool:
    """Delete what is kept about a resident; False when nothing was kept."""
    user = await session.get(User, telegram_id, options=[selectinload(User.inspector)])
    if user is not None and user.inspector is not None:
        raise StaffCannotForget()
    # Questions and meeting answers are kept by Telegram id: someone who never registered may have some.
    in_chats = await _forget_in_chats(session, telegram_id)
    if user is None and not in_chats:
        return False
    await _anonymise_appeals(session, telegram_id)
    if user is not None:
        await session.delete(user)
    await audit.forget_actor(session, telegram_id)
    await audit.record(session, clock, actor_id=None, action="forget_me", object_type="user")
    return True


async def kept_in_chats(session: AsyncSession, telegram_id: int) -> int:
    """How many questions and meeting answers from building chats are kept under this Telegram id."""
    questions = await session.scalar(select(func.count(GroupQuestion.id)).where(GroupQuestion.asker_id == telegram_id))
    rsvps = await session.scalar(select(func.count(Rsvp.id)).where(Rsvp.user_id == telegram_id))
    return (questions or 0) + (rsvps or 0)


async def _forget_in_chats(session: AsyncSession, telegram_id: int) -> bool:
    """Questions asked in building chats and answers to meetings go, with the messages that carried the questions
    to staff; proposals stay in the plan, nameless, and the notices that named their author are emptied."""
    asked = select(GroupQuestion.id).where(GroupQuestion.asker_id == telegram_id)
    relays = select(Broadcast.id).where(
        Broadcast.kind.in_([QUESTION_RELAY_KIND, QUESTION_ANSWER_KIND]), Broadcast.subject_id.in_(asked)
    )
    proposed = select(Proposal.id).where(Proposal.resident_id == telegram_id)
    notices = select(Broadcast.id).where(Broadcast.kind == PROPOSAL_NOTICE_KIND, Broadcast.subject_id.in_(proposed))
    for batches in (relays, notices):
        await _empty_batches(session, batches)
    questions = await changed_rows(session, delete(GroupQuestion).where(GroupQuestion.asker_id == telegram_id))
    rsvps = await changed_rows(session, delete(Rsvp).where(Rsvp.user_id == telegram_id))
    await session.execute(update(Proposal).where(Proposal.resident_id == telegram_id).values(resident_id=None))
    return bool(questions or rsvps)


async def _empty_batches(session: AsyncSession, batches: Any) -> None:
    """Outbox batches about the person keep no words: titles and parts emptied, what was waiting cancelled."""
    await session.execute(update(Broadcast).where(Broadcast.id.in_(batches)).values(title=""))
    await session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id.in_(batches), Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    await session.execute(update(Delivery).where(Delivery.broadcast_id.in_(batches)).values(parts=[]))


async def _anonymise_appeals(session: AsyncSession, telegram_id: int) -> None:
    """The appeals stay in the statistics (category, dates, status, rating); nothing the resident wrote or sent does,
    nor any way back to it: the source chat and message ids (which an Open would copy again), their Telegram id on
    events and message pairs, the outbox's messages to them, and the words and her id on its messages about them."""
    mine = list(await session.scalars(select(Appeal.id).where(Appeal.resident_id == telegram_id)))
    if mine:
        await session.execute(
            update(AppealMessage)
            .where(AppealMessage.appeal_id.in_(mine), AppealMessage.author == "resident")
            .values(text=None, file_id=None, extra=None, source_chat_id=None, source_message_id=None)
        )
        await session.execute(
            update(Appeal).where(Appeal.id.in_(mine)).values(resident_id=None, flat=None, text="", feedback=None)
        )
        # An oral appeal tied to them keeps no name or phone either.
        await session.execute(
            update(OralAppeal).where(OralAppeal.appeal_id.in_(mine)).values(applicant_name="", contact=None)
        )
        # The outbox's messages about them (cards to staff, answers, her replies, copied from her chat) keep no
        # words either: what has not gone out yet never will, and the parts of all of them are emptied.
        await session.execute(
            update(Delivery)
            .where(
                Delivery.appeal_id.in_(mine),
                Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value]),
            )
            .values(status=DeliveryStatus.CANCELLED.value)
        )
        await session.execute(update(Delivery).where(Delivery.appeal_id.in_(mine)).values(parts=[]))
    await session.execute(update(AppealEvent).where(AppealEvent.actor_id == telegram_id).values(actor_id=None))
    await session.execute(delete(MessageLink).where(MessageLink.chat_id == telegram_id))
    await session.execute(
        update(MessageLink)
        .where(MessageLink.peer_chat_id == telegram_id)
        .values(peer_chat_id=None, peer_message_id=None)
    )
    await session.execute(delete(Delivery).where(Delivery.chat_id == telegram_id))
    await session.execute(update(Delivery).where(Delivery.author_id == telegram_id).values(author_id=None))
    await session.execute(delete(Reminder).where(Reminder.recipient_id == telegram_id))


async def reading_locales(session: AsyncSession, telegram_ids: list[int], *, default_country: str) -> dict[int, str]:
    """The locales of the people the bot is about to write to (those it keeps a record of): each one's language
    with the wording of their country (`Actor.country`); `default_country` is COUNTRY."""
    if not telegram_ids:
        return {}
    # Each person's language and home building's country in one statement; staff's buildings decide over a home.
    rows = (
        await session.execute(
            select(User.id, User.language, Building.country)
            .outerjoin(Residency, Residency.user_id == User.id)
            .outerjoin(Building, Building.id == Residency.building_id)
            .where(User.id.in_(telegram_ids))
        )
    ).all()
    found = {telegram_id: country for telegram_id, _, country in rows if country is not None}
    found.update(await _staff_countries(session, [telegram_id for telegram_id, _, _ in rows], default_country))
    return {
        telegram_id: reading_locale(language, found.get(telegram_id, default_country))
        for telegram_id, language, _ in rows
    }


async def countries(session: AsyncSession, telegram_ids: list[int], default_country: str) -> dict[int, str]:
    """The country whose wording each person reads: an active inspector's buildings' (the most of them, COUNTRY
    on a tie), a resident's building's; the others are left out (they read COUNTRY's)."""
    if not telegram_ids:
        return {}
    resident_rows = await session.execute(
        select(Residency.user_id, Building.country)
        .join(Building, Building.id == Residency.building_id)
        .where(Residency.user_id.in_(telegram_ids))
    )
    found = {telegram_id: country for telegram_id, country in resident_rows}
    found.update(await _staff_countries(session, telegram_ids, default_country))
    return found


async def _staff_countries(session: AsyncSession, telegram_ids: list[int], default_country: str) -> dict[int, str]:
    """Active inspectors' countries: where most of their buildings are (COUNTRY on a tie)."""
    if not telegram_ids:
        return {}
    staff_rows = await session.execute(
        select(Inspector.user_id, Building.country, func.count())
        .join(Building, Building.inspector_id == Inspector.id)
        .where(Inspector.user_id.in_(telegram_ids), Inspector.active)
        .group_by(Inspector.user_id, Building.country)
    )
    found: dict[int, str] = {}
    best: dict[int, tuple[int, bool]] = {}
    for telegram_id, country, count in staff_rows:
        rank = (count, country == default_country)
        if telegram_id not in best or rank > best[telegram_id]:
            best[telegram_id], found[telegram_id] = rank, country
    return found


async def resident_locales(
    session: AsyncSession, telegram_ids: Collection[int], default_country: str
) -> dict[int, str]:
    """The locales of these people (thousands at once), each in their language with their building's country's
    wording (`default_country` for one with no building)."""
    rows = await session.execute(
        select(User.id, User.language, Building.country)
        .outerjoin(Residency, Residency.user_id == User.id)
        .outerjoin(Building, Building.id == Residency.building_id)
        .where(one_of(session, User.id, telegram_ids))
    )
    return {
        telegram_id: reading_locale(language, country or default_country) for telegram_id, language, country in rows
    }


async def reachable_fingerprint(session: AsyncSession) -> tuple[object, ...]:
    """Aggregates of the people the bot can write to: they change when one blocks the bot or comes back."""
    found = await session.execute(select(func.count(User.id), func.sum(User.id)).where(User.reachable))
    return tuple(found.one())
