"""Appeals: intake, the lifecycle new → in_progress → answered → resolved (or rejected, redirected), rating."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.clock import Clock
from bot.services import counters, law
from bot.services.errors import AppealGone, InvalidTransition, InvalidValue, NotAllowed, RateLimited
from bot.services.inspectors import get_inspector
from bot.services.people import Actor
from models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealMessage,
    AppealStatus,
    Building,
    Category,
    Delivery,
    DeliveryStatus,
    GroupQuestion,
)
from models.queries import add_once, changed_rows

TEXT_LIMIT = 3000  # leaves room for the card's header inside Telegram's 4096 characters
ATTACHMENT_LIMIT = 10
FEEDBACK_LIMIT = 1000


@dataclass(frozen=True)
class Policy:
    first_response_hours: int
    rate_limit: int


@dataclass(frozen=True)
class Content:
    """One message of a thread as Telegram gave it: kind, text or caption, file id, and where it came from."""

    kind: str
    chat_id: int
    message_id: int
    text: str | None = None
    file_id: str | None = None
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class Draft:
    key: str
    category: Category
    text: str
    anonymous: bool
    source: Content
    attachments: list[Content] = field(default_factory=list)
    kind: str | None = None  # the law's kind (bot.services.law); None: the country's default


@dataclass(frozen=True)
class Submitted:
    appeal: Appeal
    created: bool  # False: this draft was submitted before (a second press on Confirm)


async def submit(session: AsyncSession, clock: Clock, policy: Policy, actor: Actor, draft: Draft) -> Submitted:
    residency = actor.residency
    if residency is None:
        raise NotAllowed()
    existing = await _by_key(session, draft.key)
    if existing is not None:
        return Submitted(existing, created=False)
    await check_rate(session, clock, policy, actor)
    return await _register(
        session,
        clock,
        policy,
        key=draft.key,
        building_id=residency.building_id,
        resident_id=actor.telegram_id,
        flat=residency.flat,
        category=draft.category,
        kind=draft.kind,
        anonymous=draft.anonymous,
        text=draft.text,
        # The thread keeps the words as the resident last edited them, once; captions and a first wording they
        # changed are not kept beside them (an anonymous author may have taken their name out).
        contents=[replace(draft.source, text=draft.text), *(replace(a, text=None) for a in draft.attachments)],
        actor_id=actor.telegram_id,
    )


async def from_question(
    session: AsyncSession,
    clock: Clock,
    policy: Policy,
    actor: Actor,
    question: GroupQuestion,
    *,
    resident_id: int | None,
    flat: str | None,
) -> Submitted:
    """Staff turn a question asked in a building chat into an appeal: category other, not anonymous.

    The key comes from the question, so a second press makes no second appeal. Rights are the caller's to check.
    """
    key = f"q{question.id}"
    existing = await _by_key(session, key)
    if existing is not None:
        return Submitted(existing, created=False)
    source = Content(kind="text", chat_id=question.chat_id, message_id=question.message_id, text=question.text)
    return await _register(
        session,
        clock,
        policy,
        key=key,
        building_id=question.building_id,
        resident_id=resident_id,
        flat=flat,
        category=Category.OTHER,
        kind=None,
        anonymous=False,
        text=question.text,
        contents=[source],
        actor_id=actor.telegram_id,
    )


async def on_behalf(
    session: AsyncSession,
    clock: Clock,
    policy: Policy,
    actor: Actor,
    *,
    key: str,
    building_id: int,
    resident_id: int | None,
    flat: str | None,
    category: Category,
    kind: str | None,
    text: str,
    contents: list[Content],
) -> Submitted:
    """Staff register an appeal a resident brought them (an oral one): the same counter and deadlines as any other.

    Rights are the caller's to check (bot.services.oral).
    """
    existing = await _by_key(session, key)
    if existing is not None:
        return Submitted(existing, created=False)
    return await _register(
        session,
        clock,
        policy,
        key=key,
        building_id=building_id,
        resident_id=resident_id,
        flat=flat,
        category=category,
        kind=kind,
        anonymous=False,
        text=text,
        contents=contents,
        actor_id=actor.telegram_id,
    )


async def _by_key(session: AsyncSession, key: str) -> Appeal | None:
    return await session.scalar(select(Appeal).where(Appeal.draft_key == key).options(*_card_options()))


async def _register(
    session: AsyncSession,
    clock: Clock,
    policy: Policy,
    *,
    key: str,
    building_id: int,
    resident_id: int | None,
    flat: str | None,
    category: Category,
    kind: str | None,
    anonymous: bool,
    text: str,
    contents: list[Content],
    actor_id: int,
) -> Submitted:
    """A new appeal with its number and deadlines (the building's country's law and calendar); an appeal already
    made under the key wins a race."""
    now = clock.now()
    building = await session.get(Building, building_id)
    assert building is not None
    number = await counters.next_value(session, "appeal")
    appeal = Appeal(
        number=number,
        draft_key=key,
        building_id=building.id,
        resident_id=resident_id,
        flat=flat,
        inspector_id=building.inspector_id,
        category=category.value,
        kind=law.rules(building.country).kind(kind),
        anonymous=anonymous,
        status=AppealStatus.NEW.value,
        text=text,
        created_at=now,
        first_response_due=now + timedelta(hours=policy.first_response_hours),
        due_at=law.due_date(building.country, kind, now, building.timezone),
        reopened=False,
    )
    appeal.messages = [_message(now, "resident", content, delivered=True) for content in contents]
    appeal, created = await add_once(session, appeal, lambda: _by_key(session, key))
    if not created:
        return Submitted(appeal, created=False)
    _event(session, appeal, now, actor_id, "created")
    await session.flush()
    return Submitted(await _reload(session, appeal.id), created=True)


async def check_rate(session: AsyncSession, clock: Clock, policy: Policy, actor: Actor) -> None:
    """RateLimited when the person sent the most appeals an hour allows."""
    recent = await session.scalar(
        select(func.count(Appeal.id)).where(
            Appeal.resident_id == actor.telegram_id, Appeal.created_at > clock.now() - timedelta(hours=1)
        )
    )
    if (recent or 0) >= policy.rate_limit:
        raise RateLimited()


def _message(now: Any, author: str, content: Content, *, delivered: bool) -> AppealMessage:
    return AppealMessage(
        at=now,
        author=author,
        kind=content.kind,
        text=content.text,
        file_id=content.file_id,
        extra=content.extra,
        source_chat_id=content.chat_id,
        source_message_id=content.message_id,
        delivered=delivered,
    )


def _event(
    session: AsyncSession, appeal: Appeal, now: Any, actor_id: int | None, action: str, note: str | None = None
) -> None:
    session.add(
        AppealEvent(appeal_id=appeal.id, at=now, actor_id=actor_id, action=action, status=appeal.status, note=note)
    )


def _card_options() -> list[Any]:
    # The building, inspector and resident join the appeal's own statement; the thread takes one of its own.
    return [
        joinedload(Appeal.building),
        joinedload(Appeal.inspector),
        joinedload(Appeal.resident),
        selectinload(Appeal.messages),
    ]


async def with_cards(session: AsyncSession, appeal_ids: list[int]) -> list[Appeal]:
    """The appeals, loaded as their cards need them."""
    if not appeal_ids:
        return []
    query = select(Appeal).where(Appeal.id.in_(appeal_ids)).options(*_card_options())
    return list(await session.scalars(query.execution_options(populate_existing=True)))


async def _reload(session: AsyncSession, appeal_id: int) -> Appeal:
    appeal = await session.scalar(
        select(Appeal).where(Appeal.id == appeal_id).options(*_card_options()).execution_options(populate_existing=True)
    )
    if appeal is None:
        raise AppealGone()
    return appeal


def can_handle(actor: Actor, appeal: Appeal) -> bool:
    """Administrators handle every appeal; an inspector the appeals assigned to them."""
    return actor.is_admin or (actor.inspector is not None and appeal.inspector_id == actor.inspector.id)


async def for_staff(session: AsyncSession, actor: Actor, appeal_id: int) -> Appeal:
    appeal = await _reload(session, appeal_id)
    if not can_handle(actor, appeal):
        raise NotAllowed()
    return appeal


async def for_resident(session: AsyncSession, actor: Actor, appeal_id: int) -> Appeal:
    appeal = await _reload(session, appeal_id)
    if appeal.resident_id is None or appeal.resident_id != actor.telegram_id:
        raise NotAllowed()
    return appeal


async def delivery_done(session: AsyncSession, clock: Clock, delivery: Delivery) -> None:
    """A message about an appeal went out: a card has reached its reader, a thread message its addressee."""
    if delivery.appeal_id is None or delivery.status != DeliveryStatus.SENT:
        return
    if delivery.parts and delivery.parts[0].get("card"):
        await session.execute(
            update(Appeal)
            .where(Appeal.id == delivery.appeal_id, Appeal.delivered_at.is_(None))
            .values(delivered_at=clock.now())
        )
    if delivery.appeal_message_id is not None:
        await session.execute(
            update(AppealMessage).where(AppealMessage.id == delivery.appeal_message_id).values(delivered=True)
        )


def ensure_open(appeal: Appeal) -> None:
    """InvalidTransition when the appeal is closed (resolved or rejected)."""
    if appeal.status not in OPEN_STATUSES:
        raise InvalidTransition(appeal.status)


async def _respond(session: AsyncSession, actor: Actor, appeal_id: int, now: datetime, **values: Any) -> Appeal:
    """The staff move the open appeal on (`values`); the first such move counts as the first response."""
    appeal = await for_staff(session, actor, appeal_id)
    ensure_open(appeal)
    first_response_at = appeal.first_response_at or now
    return await _claim(session, appeal.id, OPEN_STATUSES, first_response_at=first_response_at, **values)


async def _claim(
    session: AsyncSession, appeal_id: int, allowed: Collection[AppealStatus], *extra: Any, **values: Any
) -> Appeal:
    """Change the appeal only if it is still in one of the allowed states (a conditional UPDATE): of two staff
    pressing at once, one wins and the other gets InvalidTransition with the status the winner left."""
    changed = await changed_rows(
        session,
        update(Appeal)
        .where(Appeal.id == appeal_id, Appeal.status.in_([status.value for status in allowed]), *extra)
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    appeal = await _reload(session, appeal_id)
    if changed != 1:
        raise InvalidTransition(appeal.status)
    return appeal


async def take(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int) -> Appeal:
    appeal = await for_staff(session, actor, appeal_id)
    ensure_open(appeal)
    if appeal.status in (AppealStatus.NEW, AppealStatus.REDIRECTED):
        try:
            appeal = await _claim(
                session,
                appeal.id,
                (AppealStatus.NEW, AppealStatus.REDIRECTED),
                status=AppealStatus.IN_PROGRESS.value,
            )
        except InvalidTransition as lost:
            # Someone took it (or answered it) a moment earlier: taken it is, unless it was closed meanwhile.
            if lost.status not in OPEN_STATUSES:
                raise
            return appeal
        _event(session, appeal, clock.now(), actor.telegram_id, "taken")
        await session.flush()
    return appeal


async def staff_message(
    session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, content: Content, *, question: bool
) -> Appeal:
    """The inspector answers (or asks for details); the first one counts as the first response."""
    now = clock.now()
    status = AppealStatus.IN_PROGRESS if question else AppealStatus.ANSWERED
    appeal = await _respond(session, actor, appeal_id, now, status=status.value)
    appeal.messages.append(_message(now, "staff", content, delivered=False))
    _event(session, appeal, now, actor.telegram_id, "details_requested" if question else "answered")
    await session.flush()
    return appeal


async def resident_message(
    session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, content: Content, *, hourly_limit: int
) -> Appeal:
    """The resident's reply joins the appeal's thread; a reply to an answer puts the appeal back in work.
    RateLimited once the resident has sent `hourly_limit` replies (to all their appeals) within the hour."""
    appeal = await for_resident(session, actor, appeal_id)
    ensure_open(appeal)
    now = clock.now()
    recent = await session.scalar(
        select(func.count(AppealEvent.id)).where(
            AppealEvent.actor_id == actor.telegram_id,
            AppealEvent.action == "resident_replied",
            AppealEvent.at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= hourly_limit:
        raise RateLimited()
    if appeal.status == AppealStatus.ANSWERED:
        appeal = await _claim(session, appeal.id, OPEN_STATUSES, status=AppealStatus.IN_PROGRESS.value)
    appeal.messages.append(_message(now, "resident", content, delivered=False))
    _event(session, appeal, now, actor.telegram_id, "resident_replied")
    await session.flush()
    return appeal


async def resolve(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int) -> Appeal:
    return await _close(session, clock, actor, appeal_id, AppealStatus.RESOLVED)


async def reject(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidValue("reason")
    return await _close(session, clock, actor, appeal_id, AppealStatus.REJECTED, reject_reason=reason[:FEEDBACK_LIMIT])


async def _close(
    session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, status: AppealStatus, **fields: Any
) -> Appeal:
    """An open appeal resolved or rejected."""
    now = clock.now()
    appeal = await _respond(session, actor, appeal_id, now, status=status.value, resolved_at=now, **fields)
    # The event is named by the status (resolved, rejected); a rejection's note is its reason.
    _event(session, appeal, now, actor.telegram_id, status.value, appeal.reject_reason if fields else None)
    await session.flush()
    return appeal


async def redirect(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, inspector_id: int) -> Appeal:
    appeal = await for_staff(session, actor, appeal_id)
    ensure_open(appeal)
    target = await get_inspector(session, inspector_id)
    if target is None or target.id == appeal.inspector_id:
        raise InvalidTransition()
    now = clock.now()
    # The new inspector's card is still to be delivered (delivered_at cleared).
    appeal = await _claim(
        session,
        appeal.id,
        OPEN_STATUSES,
        Appeal.inspector_id.is_not_distinct_from(appeal.inspector_id),
        inspector_id=target.id,
        status=AppealStatus.REDIRECTED.value,
        delivered_at=None,
    )
    _event(session, appeal, now, actor.telegram_id, "redirected", target.full_name)
    await session.flush()
    return await _reload(session, appeal.id)


async def rate(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, rating: int) -> Appeal:
    appeal = await for_resident(session, actor, appeal_id)
    if appeal.status != AppealStatus.RESOLVED or not 1 <= rating <= 5 or appeal.rating is not None:
        raise InvalidTransition()
    appeal = await _claim(session, appeal.id, (AppealStatus.RESOLVED,), Appeal.rating.is_(None), rating=rating)
    _event(session, appeal, clock.now(), actor.telegram_id, "rated", str(rating))
    await session.flush()
    return appeal


async def leave_feedback(session: AsyncSession, actor: Actor, appeal_id: int, text: str) -> Appeal:
    appeal = await for_resident(session, actor, appeal_id)
    if appeal.rating is None or appeal.feedback is not None:
        raise InvalidTransition()
    appeal.feedback = text.strip()[:FEEDBACK_LIMIT]
    await session.flush()
    return appeal


async def reopen(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int) -> Appeal:
    """ "Not resolved": the resident sends the appeal back to work, once."""
    appeal = await for_resident(session, actor, appeal_id)
    if appeal.status != AppealStatus.RESOLVED or appeal.reopened or appeal.rating is not None:
        raise InvalidTransition()
    appeal = await _claim(
        session,
        appeal.id,
        (AppealStatus.RESOLVED,),
        Appeal.rating.is_(None),
        Appeal.reopened.is_(False),
        status=AppealStatus.IN_PROGRESS.value,
        reopened=True,
        resolved_at=None,
    )
    _event(session, appeal, clock.now(), actor.telegram_id, "reopened")
    await session.flush()
    return appeal
