"""A quarter's figures from the bot's own records, beside the previous quarter's; the beat's buildings.

For the report dialog (handlers) and the report store:

- `comparison(session, building_ids=..., quarter=...)` → `Comparison` (current and previous quarter's
  `Figures`, see bot.services.report_figures for what each figure counts). Ids are not checked here: pass ids the
  actor may use (`buildings.managed`). Unknown ids count nothing; `Figures.building_codes` lists what was counted.
- Quarters are `bot.services.quarters.Quarter` values (its `span(zone)` gives each zone's start and end).
- Buildings: `beat(session, inspector_id)` (an inspector's, or every building for an administrator) and
  `listed(session, building_ids)`, as plain `ReportBuilding` values ordered by code; `zone_of(buildings, default)`
  is the zone a report's dates are shown in (`ReportView.timezone`) and its default quarter is found in.

How the rules are applied (each building's quarter runs over its own zone's local calendar dates, from midnight of
the first day to midnight after the last):

- An appeal is closed when it has `resolved_at` (resolved, rejected, or sent to another body outside the police —
  counted apart as redirected_out; "not resolved" reopening clears it).
  Figures read the records as they are now, the end of the quarter being reconstructed from the dates: an appeal
  resolved after the quarter ended was open at its end.
- overdue: received within the quarter, and either closed after its deadline (whenever), or not closed at all and
  its deadline before the quarter's end. An appeal closed after the quarter's end but after a deadline within it
  counts by the first rule.
- Medians: hours from receipt to the first response (a resolution or a rejection without an answer counts as the
  first response, as the appeal service records it) and days from receipt to closing, of the appeals received
  within the quarter, whenever the response or the closing came; durations to the second. The database works out
  each appeal's month, lateness and durations; the medians are taken in Python over those numbers (one row of
  plain values per appeal received, never an ORM object).
- by_category: received, in the order of `models.Category` (unknown codes after), categories with none left out.
- rating: the appeals closed within the quarter that carry a rating (ratings have no date of their own).
- A meeting counts once, however many of the buildings it was held for; its start within the quarter of any of
  them. Proposals: those of the buildings, and those of no single building raised at a meeting held for any of
  them, created within the quarter; counted by their status now.

Cost: three statements on appeals per quarter and zone. The received ones are read by `created_at`; the closed and
the open ones by `(building_id, resolved_at)` ranges, which an index on those two columns serves without reading
the buildings' whole history (benchmarks/report.py).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.oral import SOURCE_ORAL
from bot.services.quarters import Quarter
from bot.services.reminders import at_local
from bot.services.report_figures import Comparison, Figures
from models import (
    Appeal,
    AppealStatus,
    Building,
    Category,
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalStatus,
    meeting_buildings,
)

__all__ = [
    "ReportBuilding",
    "beat",
    "comparison",
    "figures",
    "listed",
    "zone_of",
]

# --- buildings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportBuilding:
    id: int
    code: str
    address: str
    timezone: str


async def beat(session: AsyncSession, inspector_id: int | None) -> list[ReportBuilding]:
    """The inspector's buildings by code; every building when inspector_id is None (an administrator)."""
    query = select(Building.id, Building.code, Building.address, Building.timezone).order_by(Building.code)
    if inspector_id is not None:
        query = query.where(Building.inspector_id == inspector_id)
    return [ReportBuilding(*row) for row in (await session.execute(query)).all()]


async def listed(session: AsyncSession, building_ids: Sequence[int]) -> list[ReportBuilding]:
    """These buildings by code (unknown ids left out)."""
    if not building_ids:
        return []
    query = (
        select(Building.id, Building.code, Building.address, Building.timezone)
        .where(Building.id.in_(set(building_ids)))
        .order_by(Building.code)
    )
    return [ReportBuilding(*row) for row in (await session.execute(query)).all()]


def zone_of(buildings: Sequence[ReportBuilding], default: str) -> str:
    """The zone a report of these buildings is dated in: the first building's by code, or the default."""
    return min(buildings, key=lambda b: b.code).timezone if buildings else default


# --- figures ------------------------------------------------------------------------------------


def _month_starts(quarter: Quarter, zone: str) -> list[datetime]:
    """The UTC moments the quarter's second and third months begin in the zone."""
    first = quarter.first_day
    return [at_local(first.replace(month=first.month + n), time(0), zone) for n in (1, 2)]


async def comparison(session: AsyncSession, *, building_ids: Sequence[int], quarter: Quarter) -> Comparison:
    """The quarter's figures for these buildings beside the previous quarter's."""
    buildings = await listed(session, building_ids)
    return Comparison(await figures(session, buildings, quarter), await figures(session, buildings, quarter.previous()))


@dataclass
class _Tally:
    """What the zones of a quarter add up to, before the medians are taken."""

    received: int = 0
    oral: int = 0
    resolved: int = 0
    redirected_out: int = 0
    overdue: int = 0
    open_at_end: int = 0
    rated: int = 0
    rating_sum: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_month: list[int] = field(default_factory=lambda: [0, 0, 0])
    response_hours: list[float] = field(default_factory=list)
    resolution_days: list[float] = field(default_factory=list)
    meetings: dict[int, int] = field(default_factory=dict)  # meeting id → attendance (a meeting of several zones once)
    proposals: dict[int, str] = field(default_factory=dict)  # proposal id → status (likewise)


async def figures(session: AsyncSession, buildings: Sequence[ReportBuilding], quarter: Quarter) -> Figures:
    """One quarter's figures for these buildings, each building's quarter in its own zone."""
    tally = _Tally()
    zones: dict[str, list[int]] = defaultdict(list)
    for building in buildings:
        zones[building.timezone].append(building.id)
    for zone, ids in zones.items():
        start, end = quarter.span(zone)
        await _received(session, tally, ids, start, end, _month_starts(quarter, zone))
        await _oral(session, tally, ids, start, end)
        await _closed_and_open(session, tally, ids, start, end)
        await _meetings(session, tally, ids, start, end)
        await _proposals(session, tally, ids, start, end)
    statuses = Counter(tally.proposals.values())
    order = {category.value: n for n, category in enumerate(Category)}
    return Figures(
        quarter=quarter.key,
        building_codes=sorted(b.code for b in buildings),
        received=tally.received,
        oral=tally.oral,
        resolved=tally.resolved,
        redirected_out=tally.redirected_out,
        overdue=tally.overdue,
        open_at_end=tally.open_at_end,
        by_category=dict(sorted(tally.by_category.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))),
        by_month=tally.by_month,
        first_response_hours_median=statistics.median(tally.response_hours) if tally.response_hours else None,
        resolution_days_median=statistics.median(tally.resolution_days) if tally.resolution_days else None,
        rating_average=tally.rating_sum / tally.rated if tally.rated else None,
        rated=tally.rated,
        meetings_held=len(tally.meetings),
        attendance=sum(tally.meetings.values()),
        proposals_recorded=statuses[ProposalStatus.RECORDED.value],
        proposals_in_plan=statuses[ProposalStatus.IN_PLAN.value],
        proposals_done=statuses[ProposalStatus.DONE.value],
        proposals_declined=statuses[ProposalStatus.DECLINED.value],
    )


async def _received(
    session: AsyncSession, tally: _Tally, ids: list[int], start: datetime, end: datetime, months: list[datetime]
) -> None:
    """Appeals received within the quarter: counts, overdue and the durations the medians are taken over.

    Months, lateness and durations are worked out by the database: a row is a few plain values, not five dates.
    """
    second, third = months
    month = case((Appeal.created_at < second, 0), (Appeal.created_at < third, 1), else_=2)
    late = or_(
        and_(Appeal.resolved_at.is_not(None), Appeal.resolved_at > Appeal.due_at),
        and_(Appeal.resolved_at.is_(None), Appeal.due_at < end),
    )
    rows = await session.execute(
        select(
            Appeal.category,
            month,
            case((late, 1), else_=0),
            _seconds(session, Appeal.first_response_at, Appeal.created_at),
            _seconds(session, Appeal.resolved_at, Appeal.created_at),
        ).where(Appeal.building_id.in_(ids), Appeal.created_at >= start, Appeal.created_at < end)
    )
    for category, month_index, overdue, to_response, to_closing in rows:
        tally.received += 1
        tally.by_category[category] += 1
        tally.by_month[month_index] += 1
        tally.overdue += overdue
        if to_response is not None:
            tally.response_hours.append(round(to_response) / 3600)
        if to_closing is not None:
            tally.resolution_days.append(round(to_closing) / 86400)


async def _oral(session: AsyncSession, tally: _Tally, ids: list[int], start: datetime, end: datetime) -> None:
    """Of the appeals received, those the inspector recorded from an oral appeal: the report counts them apart."""
    oral = await session.scalar(
        select(func.count()).where(
            Appeal.building_id.in_(ids),
            Appeal.created_at >= start,
            Appeal.created_at < end,
            Appeal.source == SOURCE_ORAL,
        )
    )
    tally.oral += oral or 0


def _seconds(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[float]:
    """Seconds from one moment to a later one, by the database (NULL when either is)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", later - earlier), Float)
    # SQLite keeps UTC moments as text; julianday() reads it to the millisecond.
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


async def _closed_and_open(
    session: AsyncSession, tally: _Tally, ids: list[int], start: datetime, end: datetime
) -> None:
    """Closed within the quarter (whenever received) with their ratings, and those open when it ended.

    Each condition a range of (building, resolved_at), so that an index on those reads only the quarter's appeals
    and those still open or closed since, however long the buildings' history.
    """
    closed = (
        await session.execute(
            select(
                func.count(),
                func.count(Appeal.rating),
                func.coalesce(func.sum(Appeal.rating), 0),
                func.count(case((Appeal.status == AppealStatus.REDIRECTED_OUT.value, 1))),
            ).where(Appeal.building_id.in_(ids), Appeal.resolved_at >= start, Appeal.resolved_at < end)
        )
    ).one()
    still_open = select(func.count()).where(Appeal.building_id.in_(ids), Appeal.created_at < end)
    open_at_end = await session.scalar(
        select(
            still_open.where(Appeal.resolved_at.is_(None)).scalar_subquery()
            + still_open.where(Appeal.resolved_at >= end).scalar_subquery()
        )
    )
    tally.resolved += closed[0] - closed[3]
    tally.redirected_out += closed[3]
    tally.rated += closed[1]
    tally.rating_sum += int(closed[2] or 0)
    tally.open_at_end += open_at_end or 0


async def _meetings(session: AsyncSession, tally: _Tally, ids: list[int], start: datetime, end: datetime) -> None:
    rows = await session.execute(
        select(Meeting.id, Meeting.attendance).where(
            Meeting.id.in_(select(meeting_buildings.c.meeting_id).where(meeting_buildings.c.building_id.in_(ids))),
            Meeting.status == MeetingStatus.HELD.value,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
    )
    for meeting_id, attendance in rows:
        tally.meetings[meeting_id] = attendance or 0


async def _proposals(session: AsyncSession, tally: _Tally, ids: list[int], start: datetime, end: datetime) -> None:
    held_for = select(meeting_buildings.c.meeting_id).where(meeting_buildings.c.building_id.in_(ids))
    rows = await session.execute(
        select(Proposal.id, Proposal.status).where(
            or_(
                Proposal.building_id.in_(ids),
                and_(Proposal.building_id.is_(None), Proposal.meeting_id.in_(held_for)),
            ),
            Proposal.created_at >= start,
            Proposal.created_at < end,
        )
    )
    for proposal_id, status in rows:
        tally.proposals[proposal_id] = status
