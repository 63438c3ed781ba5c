"""An appeal's statutory terms beyond the answer: extending the term, and sending an appeal outside the police's
competence on to the body it belongs to. The limits and who decides are the building's country's (bot.services.law).

Extension: the inspector asks with a reason (and, if they wish, the date); where the law has the head of the body
decide (KZ and UZ), an administrator approves or declines with one button, unless the one asking is an
administrator. Once approved, the due date moves and the resident is told through the outbox at once — within any
notice term. Redirect outside competence: the appeal is closed as `redirected_out` with the body's name, and the
resident is told the same way.

A proposal that needs further study (Uzbekistan, ZRU-445 art. 28): its author must be told so in writing within 10
days. The inspector says so with one button while the days last; the appeal records when, and the caller tells the
resident. The inspector is reminded two days before the days run out, while the proposal is neither answered nor
noticed.

Messages are rendered by the `Render`s the caller passes, in each reader's language and the building's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import DEFAULT_COUNTRY
from bot.services import appeals, audit, law, outbox, people
from bot.services.errors import DomainError, InvalidTransition, InvalidValue, NotAllowed
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
    Inspector,
    Priority,
)
from models.queries import changed_rows

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


# --- a proposal that needs further study -------------------------------------------------------

# The inspector is reminded when this much of the days to tell the author is left (8 days old of 10).
STUDY_REMIND_BEFORE = timedelta(days=2)
# Older appeals than their notice term and this cannot still be within it (a registration day moved past holidays).
STUDY_MARGIN = timedelta(days=14)
# Neither answered nor told: a proposal still waiting for a word to its author.
UNANSWERED = (AppealStatus.NEW.value, AppealStatus.IN_PROGRESS.value, AppealStatus.REDIRECTED.value)


class StudyRefusal(StrEnum):
    NOT_BY_LAW = "not_by_law"  # not a kind the building's country's law gives such a notice (only UZ proposals)
    TOO_LATE = "too_late"  # the days to tell the author have passed
    ALREADY = "already"  # the author was told already


class StudyNoticeRefused(InvalidTransition):
    """The author cannot be told (again) that the appeal needs further study; `reason` says why, `at` is the moment
    it turns on (the last moment to tell, or when they were told), in the building's `zone`."""

    def __init__(self, reason: StudyRefusal, appeal: Appeal) -> None:
        super().__init__(appeal.status)
        self.reason = reason
        self.at = appeal.study_noticed_at if reason == StudyRefusal.ALREADY else study_due(appeal)
        self.zone = appeal.building.timezone


def study_due(appeal: Appeal) -> datetime | None:
    """By when the author must be told the appeal needs further study; None where the law has no such notice."""
    building = appeal.building
    return law.study_notice_due(building.country, appeal.kind, appeal.created_at, building.timezone)


def study_refusal(appeal: Appeal, now: datetime) -> StudyRefusal | None:
    """Why the author cannot be told now that the appeal needs further study; None: they can."""
    due = study_due(appeal)
    if due is None:
        return StudyRefusal.NOT_BY_LAW
    if appeal.study_noticed_at is not None:
        return StudyRefusal.ALREADY
    return StudyRefusal.TOO_LATE if now > due else None


def may_notice_study(appeal: Appeal, now: datetime) -> bool:
    """Whether the card offers "Needs further study": an open appeal of such a kind, within its days, not told yet."""
    return appeal.status in OPEN_STATUSES and study_refusal(appeal, now) is None


async def notice_study(session: AsyncSession, clock: Clock, actor: Actor, appeal_id: int) -> Appeal:
    """Record that the appeal needs further study, once, by whoever manages its building now; the caller tells the
    resident (by the appeal's due date, which does not move). A second press, or one too late, is refused."""
    appeal = await appeals.for_staff(session, actor, appeal_id)
    if not actor.can_manage(appeal.building):
        raise NotAllowed()
    appeals.ensure_open(appeal)
    now = clock.now()
    refusal = study_refusal(appeal, now)
    if refusal is not None:
        raise StudyNoticeRefused(refusal, appeal)
    changed = await changed_rows(
        session,
        update(Appeal)
        .where(
            Appeal.id == appeal.id,
            Appeal.study_noticed_at.is_(None),
            Appeal.status.in_([status.value for status in OPEN_STATUSES]),
        )
        .values(study_noticed_at=now)
        .execution_options(synchronize_session=False),
    )
    appeal = await appeals.for_staff(session, actor, appeal.id)  # as the winner of a race left it
    if changed != 1:
        appeals.ensure_open(appeal)
        raise StudyNoticeRefused(StudyRefusal.ALREADY, appeal)
    _event(session, appeal, now, actor.telegram_id, "study_noticed")
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="appeal_study_noticed",
        object_type="appeal",
        object_id=appeal.id,
    )
    await session.flush()
    return appeal


@dataclass(frozen=True)
class StudyReminder:
    appeal_id: int
    at: datetime
    inspector_user_id: int | None  # None: the building has no (active) inspector, the administrators handle it


async def study_reminders(session: AsyncSession, now: datetime, until: datetime) -> list[StudyReminder]:
    """Open appeals of the kinds whose author must be told of further study, neither answered nor told, whose
    reminder falls by `until` and whose days are not over: the moment each is reminded, and to whom."""
    found: list[StudyReminder] = []
    for country in law.COUNTRIES:
        for kind, term in law.rules(country).study_notices.items():
            age = timedelta(days=term.amount) - STUDY_REMIND_BEFORE
            rows = await session.execute(
                select(Appeal.id, Appeal.created_at, Building.timezone, Inspector.user_id)
                .join(Building, Building.id == Appeal.building_id)
                .outerjoin(Inspector, and_(Inspector.id == Appeal.inspector_id, Inspector.active))
                .where(
                    Building.country == country,
                    Appeal.kind == kind,
                    Appeal.status.in_(UNANSWERED),
                    Appeal.study_noticed_at.is_(None),
                    Appeal.created_at <= until - age,
                    Appeal.created_at > now - timedelta(days=term.amount) - STUDY_MARGIN,
                )
            )
            for appeal_id, created_at, zone, user_id in rows:
                due = law.study_notice_due(country, kind, created_at, zone)
                if due is not None and due > now:
                    found.append(StudyReminder(appeal_id, max(created_at + age, now), user_id))
    return found


def _event(
    session: AsyncSession, appeal: Appeal, now: datetime, actor_id: int, action: str, note: str | None = None
) -> None:
    session.add(
        AppealEvent(appeal_id=appeal.id, at=now, actor_id=actor_id, action=action, status=appeal.status, note=note)
    )
