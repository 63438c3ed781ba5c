"""Oral appeals: the inspector registers an appeal received in person, by phone or at a meeting on a resident's behalf.

It is an appeal like any other (the same gapless number, the statutory deadline, the card and its buttons), with
`source` "oral" and its applicant kept beside it. If the applicant is registered in the bot, the inspector picks them
among the registered residents of the flat they gave (nobody else's names are shown), and the receipt goes to their
chat through the outbox; the inspector's answers then reach them like any appeal's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import appeals, outbox, parts
from bot.services.appeals import Content, Policy, Submitted
from bot.services.errors import InvalidValue, NotAllowed
from bot.services.parts import Media
from bot.services.people import Actor
from models import Building, Category, OralAppeal, Priority, Residency, User

CHANNELS = ("in_person", "phone", "meeting")
SOURCE_ORAL = "oral"
NAME_LIMIT = 128
CONTACT_LIMIT = 64
FLAT_LIMIT = 16
MATCHES_SHOWN = 8


@dataclass(frozen=True)
class OralDraft:
    key: str
    building_id: int
    channel: str
    applicant_name: str
    contact: str | None
    flat: str | None
    resident_id: int | None  # a registered resident of the building and flat, chosen by the inspector
    category: Category
    kind: str | None  # the law's kind where the country has several (bot.services.law); None: its default
    text: str
    source: Content
    attachments: list[Content] = field(default_factory=list)


def _clean(raw: str | None, limit: int, name: str) -> str | None:
    value = " ".join((raw or "").split())
    if len(value) > limit:
        raise InvalidValue(name)
    return value or None


def applicant_name(raw: str) -> str:
    value = _clean(raw, NAME_LIMIT, "name")
    if value is None:
        raise InvalidValue("name")
    return value


def contact(raw: str) -> str | None:
    return _clean(raw, CONTACT_LIMIT, "contact")


def flat(raw: str) -> str | None:
    return _clean(raw, FLAT_LIMIT, "flat")


async def building_for(session: AsyncSession, actor: Actor, building_id: int) -> Building:
    building = await session.get(Building, building_id)
    if building is None or not actor.can_manage(building):
        raise NotAllowed()
    return building


async def registered_in_flat(session: AsyncSession, actor: Actor, building_id: int, flat: str) -> list[User]:
    """The bot's residents of that building and flat: the only names the inspector is shown to pick the applicant."""
    await building_for(session, actor, building_id)
    found = await session.scalars(
        select(User)
        .join(Residency, Residency.user_id == User.id)
        .where(Residency.building_id == building_id, Residency.flat == flat)
        .order_by(User.first_name, User.id)
        .limit(MATCHES_SHOWN)
    )
    return list(found)


async def record(session: AsyncSession, clock: Clock, policy: Policy, actor: Actor, draft: OralDraft) -> Submitted:
    """Register the oral appeal; a second press on Record finds the first one's appeal."""
    building = await building_for(session, actor, draft.building_id)
    if draft.channel not in CHANNELS:
        raise InvalidValue("channel", draft.channel)
    if draft.resident_id is not None:
        residency = await session.scalar(select(Residency).where(Residency.user_id == draft.resident_id))
        # A forged or stale choice: only a resident of this building and flat may be tied to the appeal.
        if residency is None or residency.building_id != building.id or residency.flat != draft.flat:
            raise NotAllowed()
    submitted = await appeals.on_behalf(
        session,
        clock,
        policy,
        actor,
        key=draft.key,
        building_id=building.id,
        resident_id=draft.resident_id,
        flat=draft.flat,
        category=draft.category,
        kind=draft.kind,
        text=draft.text,
        contents=[draft.source, *draft.attachments],
    )
    if submitted.created:
        appeal = submitted.appeal
        appeal.source = SOURCE_ORAL
        appeal.oral = OralAppeal(
            channel=draft.channel,
            applicant_name=draft.applicant_name,
            contact=draft.contact,
            recorded_by=actor.telegram_id,
        )
        await session.flush()
    return submitted


async def send_receipt(session: AsyncSession, clock: Clock, chat_id: int, text: str, pdf: bytes, filename: str) -> None:
    """The receipt (text and its printable page) to the registered resident, through the outbox."""
    message = parts.message(text, media=Media(kind="document", filename=filename, data=pdf))
    await outbox.enqueue(session, clock, chat_id=chat_id, parts=message, priority=Priority.PERSONAL)
