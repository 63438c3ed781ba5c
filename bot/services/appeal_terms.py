"""An appeal's statutory terms beyond the answer: extending the term, and sending an appeal outside the police's
competence on to the body it belongs to. The limits and who decides are the building's country's (bot.services.law).

Extension: the inspector asks with a reason (and, if they wish, the date); where the law has the head of the body
decide (KZ and UZ), an administrator approves or declines with one button, unless the one asking is an
administrator. Once approved, the due date moves and the resident is told through the outbox at once — within any
notice term. Redirect outside competence: the appeal is closed as `redirected_out` with the body's name, and the
resident is told the same way.

Messages are rendered by the `Render`s the caller passes, in each reader's language and the building's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import DEFAULT_COUNTRY
from bot.services import appeals, law, outbox, people
from bot.services.errors import DomainError, InvalidValue, NotAllowed
from bot.services.people import Actor
from bot.services.render import Reader, Render
from models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealExtension,
    AppealStatus,
    Building,
    ExtensionStatus,
    Priority,
)

REASON_LIMIT = 1000
BODY_LIMIT = 256

Subject = TypeVar("Subject")


class ExtensionPending(DomainError):
    """An extension of this appeal already waits for a decision."""


class ExtensionBeyondLimit(DomainError):
    """The date asked for is past what the law allows, or not later than the term already is."""

    def __init__(self, limit: date) -> None:
        super().__init__(f"at most {limit.isoformat()}")
        self.limit = limit


class ExtensionGone(DomainError):
    """The extension was decided already, or its appeal is closed."""


@dataclass(frozen=True)
class TermChange:
    """What an extension's messages are about: the appeal, and the extension asked for or decided."""

    appeal: Appeal
    extension: AppealExtension


@dataclass(frozen=True)
class ExtensionNotices:
    resident: Render[TermChange]  # the term moved: to the resident
    decided: Render[TermChange]  # approved or declined: to the inspector who asked
    approval: Render[TermChange]  # a request with its buttons: to an administrator
    staff_language: str  # for staff the bot has no language of yet (an administrator who never opened it)


def due_day(appeal: Appeal) -> date:
    return law.local_day(appeal.building.country, appeal.due_at, appeal.building.timezone)


def limit(appeal: Appeal) -> date:
    """The latest day the appeal's term may be extended to."""
    building = appeal.building
    return law.extension_limit(building.country, appeal.kind, appeal.created_at, building.timezone)


def approver_decides(appeal: Appeal, actor: Actor) -> bool:
    """Whether someone else (an administrator, the head) must approve an extension this actor asks for."""
    return law.rules(appeal.building.country).extension.approver == "head" and not actor.is_admin


async def pending(session: AsyncSession, appeal_id: int) -> AppealExtension | None:
    return await session.scalar(
        select(AppealExtension).where(
            AppealExtension.appeal_id == appeal_id, AppealExtension.status == ExtensionStatus.PENDING.value
        )
    )


async def request_extension(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    appeal_id: int,
    *,
    reason: str,
    until: date | None,
    notices: ExtensionNotices,
    admin_ids: Sequence[int],
) -> AppealExtension:
    """The inspector's reasoned request to extend the term to `until` (None: as far as the law allows).

    Approved at once when the actor may decide (an administrator, or a country whose inspector decides); otherwise
    it waits for an administrator, each of whom is asked.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidValue("reason")
    appeal = await appeals.for_staff(session, actor, appeal_id)
    appeals.ensure_open(appeal)
    if await pending(session, appeal.id) is not None:
        raise ExtensionPending()
    ceiling = limit(appeal)
    target = until or ceiling
    if target > ceiling or target <= due_day(appeal):
        raise ExtensionBeyondLimit(ceiling)
    now = clock.now()
    extension = AppealExtension(
        appeal_id=appeal.id,
        requested_by=actor.telegram_id,
        requested_at=now,
        reason=reason[:REASON_LIMIT],
        previous_due=appeal.due_at,
        new_due=law.end_of(appeal.building.country, target, appeal.building.timezone),
        status=ExtensionStatus.PENDING.value,
    )
    session.add(extension)
    await session.flush()
    _event(session, appeal, now, actor.telegram_id, "extension_requested", extension.reason)
    if not approver_decides(appeal, actor):
        await _approve(session, clock, actor, appeal, extension, notices)
        return extension
    admins = [a for a in admin_ids if a != actor.telegram_id]
    await _tell_each(session, clock, admins, appeal, TermChange(appeal, extension), notices.approval)
    await session.flush()
    return extension


async def decide(
    session: AsyncSession, clock: Clock, actor: Actor, extension_id: int, *, approve: bool, notices: ExtensionNotices
) -> AppealExtension:
    """An administrator (the head) approves or declines a pending extension; the inspector who asked is told, and
    on approval the resident too."""
    if not actor.is_admin:
        raise NotAllowed()
    extension = await session.get(AppealExtension, extension_id)
    if extension is None or extension.status != ExtensionStatus.PENDING:
        raise ExtensionGone()
    appeal = await appeals.for_staff(session, actor, extension.appeal_id)
    if appeal.status not in OPEN_STATUSES:
        raise ExtensionGone()
    if approve:
        await _approve(session, clock, actor, appeal, extension, notices)
    else:
        now = clock.now()
        extension.status = ExtensionStatus.DECLINED.value
        extension.decided_by, extension.decided_at = actor.telegram_id, now
        _event(session, appeal, now, actor.telegram_id, "extension_declined")
    if extension.requested_by != actor.telegram_id:
        await _tell_each(
            session,
            clock,
            [extension.requested_by],
            appeal,
            TermChange(appeal, extension),
            notices.decided,
            fallback=notices.staff_language,
        )
    await session.flush()
    return extension


async def _approve(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    appeal: Appeal,
    extension: AppealExtension,
    notices: ExtensionNotices,
) -> None:
    now = clock.now()
    extension.status = ExtensionStatus.APPROVED.value
    extension.decided_by, extension.decided_at = actor.telegram_id, now
    appeal.due_at = extension.new_due  # the reminders plan by it from now on
    _event(session, appeal, now, actor.telegram_id, "extended", extension.reason)
    if appeal.resident_id is not None:
        await _tell_each(session, clock, [appeal.resident_id], appeal, TermChange(appeal, extension), notices.resident)
    await session.flush()


async def _tell_each(
    session: AsyncSession,
    clock: Clock,
    chat_ids: Sequence[int],
    appeal: Appeal,
    subject: Subject,
    render: Render[Subject],
    *,
    fallback: str | None = None,
) -> None:
    """Each reader in their language and the appeal's building's zone; one the bot keeps no record of gets the
    fallback, or nothing without one (a resident who asked to be forgotten)."""
    country = await session.scalar(select(Building.country).where(Building.id == appeal.building_id))
    known = await people.reading_locales(session, list(chat_ids), default_country=country or DEFAULT_COUNTRY)
    for chat_id in chat_ids:
        language = known.get(chat_id, fallback)
        if language is not None:
            message = render(subject, Reader(chat_id, language, appeal.building.timezone))
            await outbox.enqueue(session, clock, chat_id=chat_id, parts=message, priority=Priority.PERSONAL)


async def history(session: AsyncSession, appeal_id: int) -> list[AppealExtension]:
    """The appeal's extensions, oldest first."""
    return list(
        await session.scalars(
            select(AppealExtension).where(AppealExtension.appeal_id == appeal_id).order_by(AppealExtension.id)
        )
    )


# --- outside the police's competence ------------------------------------------------------------


async def redirect_out(
    session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int, body: str, *, notice: Render[Appeal]
) -> Appeal:
    """The appeal belongs to another body: closed as redirected there, and the resident told with the body's name."""
    body = " ".join(body.split())
    if not body:
        raise InvalidValue("body")
    appeal = await appeals.for_staff(session, actor, appeal_id)
    appeals.ensure_open(appeal)
    now = clock.now()
    appeal.status = AppealStatus.REDIRECTED_OUT.value
    appeal.redirect_body = body[:BODY_LIMIT]
    appeal.resolved_at = now
    appeal.first_response_at = appeal.first_response_at or now
    _event(session, appeal, now, actor.telegram_id, "redirected_out", appeal.redirect_body)
    if appeal.resident_id is not None:
        await _tell_each(session, clock, [appeal.resident_id], appeal, appeal, notice)
    await session.flush()
    return appeal


def _event(
    session: AsyncSession, appeal: Appeal, now: datetime, actor_id: int, action: str, note: str | None = None
) -> None:
    session.add(
        AppealEvent(appeal_id=appeal.id, at=now, actor_id=actor_id, action=action, status=appeal.status, note=note)
    )
