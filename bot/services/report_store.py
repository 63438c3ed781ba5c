"""Quarterly reports as records: drafts the /report dialog saves, publishing through the outbox, the archive, and
what a report shows (`view`), built from the database.

A draft is one row per dialog (`Report.draft_key`); it is saved at every preview, so /reports can show it and the
inspector can continue it later. Publishing stamps `published_at` once (an atomic claim: a second press on Publish,
or the same press delivered twice, finds it taken), freezes the figures as they are then (`Report.figures`, a
`Comparison` as a dict) and queues one message per active chat of the report's buildings in one outbox batch, so
its author gets the sender's delivery report. A second report for the same quarter and buildings is a correction:
the newest published one is "the latest".

Only the report's inspector (or an administrator) sees a draft, continues, publishes or deletes it; every building
id is checked through `buildings.managed`, since ids come from button presses a client can forge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import audit, buildings, outbox, reports
from bot.services.errors import DomainError, InvalidValue, NotAllowed, ReportGone
from bot.services.paging import Page, clamp
from bot.services.people import Actor
from bot.services.quarters import Quarter
from bot.services.render import Reader, Render, in_chat
from bot.services.report_figures import Comparison, ProposalLine, ReportView
from models import (
    Broadcast,
    Building,
    Delivery,
    Inspector,
    OutboxFile,
    Proposal,
    Report,
    meeting_buildings,
    report_buildings,
)
from models.queries import add_once, changed_rows

KIND = "report"  # the outbox batch's kind; its subject is the report's id
TEXT_LIMIT = 2000  # measures taken, plans for the next quarter
OFFENCE_LINES = 30
OFFENCE_KIND_LIMIT = 100
OFFENCE_COUNT_LIMIT = 1_000_000
PROPOSALS_LISTED = 200  # a report lists at most this many proposals (the renderers cut further)

# "Theft 4", "Hooliganism — 2", "Кража: 3", "Fraud - 1": a kind, an optional separator, a whole number.
_OFFENCE = re.compile(r"^(?P<kind>.+?)\s*[:=\-–—]?\s*(?P<count>\d+)\.?$")


class AlreadyPublished(DomainError):
    """The report is published: it is no longer a draft to change, continue or delete."""


class NotOneInspector(DomainError):
    """The chosen buildings are not all served by one inspector (an administrator's choice): a report is one's."""


# --- what the inspector typed ---------------------------------------------------------------------


@dataclass(frozen=True)
class Offences:
    """Offence figures read from a message: the lines understood, and the lines that were not (as typed)."""

    lines: list[tuple[str, int]]
    bad: list[str] = field(default_factory=list)


def parse_offences(raw: str) -> Offences:
    """One kind and a whole number per line; empty lines ignored, a kind named twice keeps its last number."""
    found: dict[str, tuple[str, int]] = {}
    bad: list[str] = []
    for line in raw.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        match = _OFFENCE.match(line)
        kind = match.group("kind").strip(" :=-–—") if match else ""
        if (
            match is None
            or not any(c.isalpha() for c in kind)
            or len(kind) > OFFENCE_KIND_LIMIT
            or int(match.group("count")) > OFFENCE_COUNT_LIMIT
        ):
            bad.append(line)
            continue
        found[kind.casefold()] = (kind, int(match.group("count")))
    lines = list(found.values())
    if len(lines) > OFFENCE_LINES:
        bad += [f"{kind} {count}" for kind, count in lines[OFFENCE_LINES:]]
        lines = lines[:OFFENCE_LINES]
    return Offences(lines, bad)


def merge_offences(kept: Sequence[Sequence[object]], more: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The figures kept so far with more lines added (a kind given again takes the new number), at most the limit."""
    merged: dict[str, tuple[str, int]] = {}
    for kind, count in [*((str(k), int(str(c))) for k, c in kept), *more]:
        merged[kind.casefold()] = (kind, count)
    return list(merged.values())[:OFFENCE_LINES]


def text(field_name: str, raw: str) -> str:
    """Measures taken or plans: not empty, at most TEXT_LIMIT characters (longer is refused, never cut)."""
    value = raw.strip()
    if not value or len(value) > TEXT_LIMIT:
        raise InvalidValue(field_name, raw)
    return value


# --- quarters to choose from ----------------------------------------------------------------------


@dataclass(frozen=True)
class Quarters:
    """The quarters /report offers: the last finished one (the default) and the three before it, and the current."""

    finished: list[Quarter]  # the latest first
    current: Quarter

    @property
    def default(self) -> Quarter:
        return self.finished[0]

    def offers(self, key: str) -> Quarter | None:
        try:
            wanted = Quarter.parse(key)
        except ValueError:
            return None
        return wanted if wanted in (*self.finished, self.current) else None


async def quarters(session: AsyncSession, clock: Clock, actor: Actor, default_zone: str) -> Quarters:
    """In the zone of the actor's buildings (their first by code), so the year turns when theirs does."""
    zone = reports.zone_of(await reports.beat(session, buildings.managed_by(actor)), default_zone)
    now = clock.now()
    return Quarters(Quarter.recent(now, zone, 4), Quarter.current(now, zone))


# --- drafts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    key: str  # the dialog's id: one row per dialog
    quarter: str  # "2026Q4"
    building_ids: list[int]
    offences: list[tuple[str, int]]
    measures: str | None
    plans: str | None


async def chosen(session: AsyncSession, actor: Actor, building_ids: list[int]) -> list[Building]:
    """The chosen buildings, each one the actor may report on, all served by one inspector."""
    if not building_ids:
        raise InvalidValue("buildings")
    found = await buildings.managed(session, actor, building_ids)
    _inspector_of(found)
    return found


async def save_draft(session: AsyncSession, clock: Clock, actor: Actor, draft: Draft) -> Report:
    """Create the dialog's draft, or bring it up to date; AlreadyPublished once it is out."""
    try:
        Quarter.parse(draft.quarter)
    except ValueError:
        raise InvalidValue("quarter", draft.quarter) from None
    found = await chosen(session, actor, draft.building_ids)
    inspector_id = _inspector_of(found)
    offences = [[kind, count] for kind, count in draft.offences[:OFFENCE_LINES]]
    measures = text("measures", draft.measures) if draft.measures else None
    plans = text("plans", draft.plans) if draft.plans else None
    report = await _by_key(session, draft.key)
    if report is None:
        new = Report(
            draft_key=draft.key,
            inspector_id=inspector_id,
            author_id=actor.telegram_id,
            quarter=draft.quarter,
            figures={},
            offences=offences,
            measures=measures,
            plans=plans,
            created_at=clock.now(),
            published_at=None,
            buildings=found,
        )
        # The same step handled twice at once: the other one made the row; update it.
        saved, created = await add_once(session, new, lambda: _by_key(session, draft.key))
        if created:
            return saved
        report = saved
    _check_may_edit(actor, report)
    report.inspector_id = inspector_id
    report.quarter = draft.quarter
    report.offences = offences
    report.measures = measures
    report.plans = plans
    report.buildings = found
    await session.flush()
    return report


def as_draft(report: Report) -> Draft:
    """A saved draft as the dialog holds it, to continue it."""
    return Draft(
        key=report.draft_key,
        quarter=report.quarter,
        building_ids=[building.id for building in report.buildings],
        offences=[(str(kind), int(count)) for kind, count in report.offences],
        measures=report.measures,
        plans=report.plans,
    )


async def delete_draft(session: AsyncSession, clock: Clock, actor: Actor, report_id: int) -> None:
    report = await for_staff(session, actor, report_id)
    if report.published_at is not None:
        raise AlreadyPublished()
    await session.execute(delete(Report).where(Report.id == report.id, Report.published_at.is_(None)))
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="report_draft_deleted",
        object_type="report",
        object_id=report.id,
    )


# --- publishing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    report: Report
    chats: int  # how many chats it is (or was) queued for
    silent: list[Building]  # chosen buildings with no chat to post it in
    created: bool  # False: it was published before (a second press on Publish)


@dataclass(frozen=True)
class Publication:
    """What publishing a draft will do, read before the report is drawn: drawing takes a second or more per
    language, and no transaction (on SQLite, the write lock) may stay open that long."""

    report: Report
    buildings: list[Building]
    readers: list[Reader]  # the active chats of the buildings, each to get the report in its language
    view: ReportView  # as it will be published, dated `at`
    at: datetime


async def prepare(session: AsyncSession, clock: Clock, actor: Actor, key: str) -> Publication | Published:
    """Read what publishing the dialog's draft takes; Published when it was published before (a second press)."""
    report = await _by_key(session, key)
    if report is None:
        raise ReportGone()
    _check_may_edit(actor, report, published_ok=True)
    if report.published_at is not None:
        return await _again(session, report)
    found = await chosen(session, actor, [building.id for building in report.buildings])
    readers = [
        in_chat(chat, building.timezone)
        for building in found
        for chat in sorted(building.chats, key=lambda c: c.chat_id)
        if chat.active
    ]
    return Publication(report, found, readers, await view(session, report), clock.now())


async def publish(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    publication: Publication,
    render: Render[ReportView],
    title: str,
) -> Published:
    """Publish once: freeze the figures the report was drawn from and queue it for each chat as `render` has it.

    `render` was drawn before the transaction (see `Publication`); `title` names the report in the author's delivery
    report.
    """
    report = publication.report
    # The claim: of two presses at once only one finds the report unpublished (PostgreSQL locks the row, and the
    # second one's condition is read again after the first commits; SQLite runs one writer at a time).
    claimed = await changed_rows(
        session,
        update(Report)
        .where(Report.id == report.id, Report.published_at.is_(None))
        .values(published_at=publication.at, figures=publication.view.comparison.as_dict()),
    )
    await session.refresh(report, ["published_at", "figures"])
    if not claimed:
        return await _again(session, report)
    silent = [building for building in publication.buildings if not any(chat.active for chat in building.chats)]
    if publication.readers:
        batch = await outbox.start_broadcast(
            session, clock, author_id=actor.telegram_id, kind=KIND, subject_id=report.id, title=title
        )
        for reader in publication.readers:
            message = render(publication.view, reader)
            await outbox.enqueue(session, clock, chat_id=reader.chat_id, parts=message, broadcast=batch)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="report_published",
        object_type="report",
        object_id=report.id,
        details={
            "quarter": report.quarter,
            "buildings": [b.code for b in publication.buildings],
            "chats": len(publication.readers),
        },
    )
    return Published(report, chats=len(publication.readers), silent=silent, created=True)


# --- reading --------------------------------------------------------------------------------------


async def for_staff(session: AsyncSession, actor: Actor, report_id: int) -> Report:
    """A report from the archive: the inspector's own, or any for an administrator (ids from buttons are checked)."""
    report = await _load(session, Report.id == report_id)
    if report is None:
        raise ReportGone()
    _check_may_edit(actor, report, published_ok=True)
    return report


async def archive(session: AsyncSession, actor: Actor, *, page: int, size: int) -> Page[Report]:
    """Reports newest first: an inspector's own, drafts included; every report for an administrator."""
    condition = _archive_condition(actor)
    total = await session.scalar(select(func.count(Report.id)).where(condition)) or 0
    page, pages = clamp(page, total, size)
    rows = await session.scalars(
        select(Report)
        .where(condition)
        .options(selectinload(Report.buildings), selectinload(Report.inspector))
        .order_by(Report.id.desc())
        .offset(page * size)
        .limit(size)
    )
    return Page(list(rows), total, page, pages)


async def latest_for_building(session: AsyncSession, building_id: int) -> Report | None:
    """The building's latest published report (a correction published later replaces the earlier one)."""
    return await _load(
        session,
        Report.id
        == (
            select(Report.id)
            .join(report_buildings, report_buildings.c.report_id == Report.id)
            .where(report_buildings.c.building_id == building_id, Report.published_at.is_not(None))
            .order_by(Report.published_at.desc(), Report.id.desc())
            .limit(1)
            .scalar_subquery()
        ),
    )


async def drawn(session: AsyncSession, report: Report, language: str) -> OutboxFile | None:
    """The report's printable page as drawn before in this language (with Telegram's file id once sent)."""
    digest = (report.renders or {}).get(language, {}).get("pdf")
    return await outbox.kept_file(session, digest) if digest else None


async def keep_drawn(session: AsyncSession, clock: Clock, report: Report, language: str, pdf: bytes) -> OutboxFile:
    """Keep a page just drawn, so no later /report in this language draws it again."""
    digest = await outbox.keep_file(session, clock, pdf)
    renders = {**(report.renders or {}), language: {"pdf": digest}}
    await session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(renders=renders)
        .execution_options(synchronize_session=False)
    )
    kept = await outbox.kept_file(session, digest)
    assert kept is not None
    return kept


async def view(session: AsyncSession, report: Report, *, default_zone: str = "Asia/Almaty") -> ReportView:
    """Everything the report shows: the frozen figures of a published report, fresh ones for a draft; the
    proposals of its buildings recorded within the quarter, with their status now."""
    listed = await reports.listed(session, [building.id for building in report.buildings])
    ids = [building.id for building in listed]
    quarter = Quarter.parse(report.quarter)
    if report.published_at is not None and report.figures:
        figures = Comparison.from_dict(report.figures)
    else:
        figures = await reports.comparison(session, building_ids=ids, quarter=quarter)
    inspector = await session.get(Inspector, report.inspector_id)
    return ReportView(
        quarter=report.quarter,
        inspector_name=inspector.full_name if inspector is not None else "",
        inspector_rank=inspector.rank if inspector is not None else "",
        buildings=[(building.code, building.address) for building in listed],
        comparison=figures,
        offences=[(str(kind), int(count)) for kind, count in report.offences],
        measures=report.measures,
        plans=report.plans,
        proposals=await _proposals(session, listed, quarter),
        timezone=reports.zone_of(listed, default_zone),
    )


# --- helpers --------------------------------------------------------------------------------------


def _inspector_of(found: Sequence[Building]) -> int:
    inspectors = {building.inspector_id for building in found}
    if len(inspectors) != 1 or None in inspectors:
        raise NotOneInspector()
    (inspector_id,) = inspectors
    assert inspector_id is not None
    return inspector_id


def _check_may_edit(actor: Actor, report: Report, *, published_ok: bool = False) -> None:
    """The report's inspector or an administrator; a published report is changed by nobody."""
    if not (actor.is_admin or (actor.inspector is not None and actor.inspector.id == report.inspector_id)):
        raise NotAllowed()
    if not published_ok and report.published_at is not None:
        raise AlreadyPublished()


def _archive_condition(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return Report.id.is_not(None)
    if actor.inspector is None:
        raise NotAllowed()
    return Report.inspector_id == actor.inspector.id


async def _load(session: AsyncSession, condition: ColumnElement[bool]) -> Report | None:
    return await session.scalar(
        select(Report)
        .where(condition)
        .options(
            selectinload(Report.buildings).selectinload(Building.chats),
            selectinload(Report.buildings).selectinload(Building.inspector),
            selectinload(Report.inspector),
        )
        .execution_options(populate_existing=True)
    )


async def _by_key(session: AsyncSession, key: str) -> Report | None:
    return await _load(session, Report.draft_key == key)


async def _again(session: AsyncSession, report: Report) -> Published:
    queued = await session.scalar(
        select(func.count(Delivery.id))
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(Broadcast.kind == KIND, Broadcast.subject_id == report.id)
    )
    return Published(report, chats=queued or 0, silent=[], created=False)


async def _proposals(
    session: AsyncSession, listed: Sequence[reports.ReportBuilding], quarter: Quarter
) -> list[ProposalLine]:
    """Proposals of these buildings, and of no single building raised at a meeting held for any of them, recorded
    within the quarter (each building's own calendar), oldest first."""
    codes = {building.id: building.code for building in listed}
    zones: dict[str, list[int]] = defaultdict(list)
    for building in listed:
        zones[building.timezone].append(building.id)
    found: dict[int, tuple[datetime, ProposalLine]] = {}
    for zone, ids in zones.items():
        start, end = quarter.span(zone)
        held_for = select(meeting_buildings.c.meeting_id).where(meeting_buildings.c.building_id.in_(ids))
        rows = await session.execute(
            select(Proposal.id, Proposal.created_at, Proposal.text, Proposal.status, Proposal.building_id)
            .where(
                or_(
                    Proposal.building_id.in_(ids),
                    and_(Proposal.building_id.is_(None), Proposal.meeting_id.in_(held_for)),
                ),
                Proposal.created_at >= start,
                Proposal.created_at < end,
            )
            .order_by(Proposal.created_at, Proposal.id)
            .limit(PROPOSALS_LISTED)
        )
        for proposal_id, created_at, body, status, building_id in rows:
            code = codes.get(building_id) if building_id is not None else None
            found[proposal_id] = (created_at, ProposalLine(text=body, status=status, building_code=code))
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[0]))
    return [line for _id, (_at, line) in ordered][:PROPOSALS_LISTED]


async def published_quarters(
    session: AsyncSession, inspector_ids: Collection[int], quarters: Collection[str]
) -> set[tuple[int, str]]:
    """(inspector id, "2026Q4") of these inspectors' reports of these quarters that are published."""
    rows = await session.execute(
        select(Report.inspector_id, Report.quarter).where(
            Report.inspector_id.in_(set(inspector_ids)),
            Report.quarter.in_(set(quarters)),
            Report.published_at.is_not(None),
        )
    )
    return {(inspector_id, quarter) for inspector_id, quarter in rows}
