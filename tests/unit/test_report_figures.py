"""A quarter's figures from the bot's own records: an inspector's beat through the fourth quarter of 2026, with the
third quarter beside it — every figure of both checked, on SQLite and PostgreSQL.

The beat: A-1 and A-2 in Almaty (UTC+5) and M-1 in Moscow (UTC+3), where the quarter starts and ends two hours
later in UTC terms; B-1 is another inspector's building, and nothing of it may count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import reports
from bot.services.quarters import Quarter
from bot.services.report_figures import Comparison, Figures
from models import Appeal, AppealStatus, Building, Inspector, Meeting, MeetingStatus, Proposal, ProposalStatus, User

ALMATY = "Asia/Almaty"
MOSCOW = "Europe/Moscow"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
_numbers = count(1)


def local(zone: str, month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class Beat:
    """Builds the records straight into the database (the dialogs that make them are tested elsewhere)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.buildings: dict[str, Building] = {}
        self.inspectors: dict[str, Inspector] = {}

    async def inspector(self, name: str, user_id: int) -> Inspector:
        self.session.add(User(id=user_id, first_name=name, language="en", reachable=True, created_at=CREATED))
        inspector = Inspector(
            user_id=user_id,
            full_name=name,
            rank="police major",
            phone="+77010000000",
            reception_point="Abay ave 10",
            reception_hours="Tue 18-20",
            created_at=CREATED,
        )
        self.session.add(inspector)
        await self.session.flush()
        self.inspectors[name] = inspector
        return inspector

    async def building(self, code: str, zone: str, inspector: Inspector) -> Building:
        building = Building(
            code=code, address=f"{code} Abay ave", timezone=zone, inspector_id=inspector.id, created_at=CREATED
        )
        self.session.add(building)
        await self.session.flush()
        self.buildings[code] = building
        return building

    def appeal(
        self,
        code: str,
        created: datetime,
        category: str,
        *,
        first_hours: float | None = None,
        closed: datetime | None = None,
        rejected: bool = False,
        rating: int | None = None,
    ) -> None:
        """An appeal with the default terms (a first response within 24 hours, a resolution within 15 days)."""
        building = self.buildings[code]
        number = next(_numbers)
        if closed is not None:
            status = AppealStatus.REJECTED if rejected else AppealStatus.RESOLVED
        else:
            status = AppealStatus.IN_PROGRESS if first_hours is not None else AppealStatus.NEW
        self.session.add(
            Appeal(
                number=number,
                draft_key=f"appeal-{number}",
                building_id=building.id,
                inspector_id=building.inspector_id,
                category=category,
                anonymous=False,
                status=status.value,
                text="Noise at night",
                created_at=created,
                first_response_due=created + timedelta(hours=24),
                first_response_at=created + timedelta(hours=first_hours) if first_hours is not None else None,
                due_at=created + timedelta(days=15),
                resolved_at=closed,
                delivered_at=created,
                reopened=False,
                reject_reason="Not a police matter" if rejected else None,
                rating=rating,
            )
        )

    async def meeting(
        self, codes: list[str], starts: datetime, status: MeetingStatus, attendance: int | None = None
    ) -> Meeting:
        first = self.buildings[codes[0]]
        meeting = Meeting(
            draft_key=f"meeting-{next(_numbers)}",
            inspector_id=first.inspector_id,
            author_id=1000,
            starts_at=starts,
            timezone=first.timezone,
            place="Yard",
            agenda="Parking",
            status=status.value,
            sequence=0,
            attendance=attendance,
            created_at=starts - timedelta(days=7),
            buildings=[self.buildings[code] for code in codes],
        )
        self.session.add(meeting)
        await self.session.flush()
        return meeting

    def proposal(
        self, code: str | None, created: datetime, status: ProposalStatus, meeting: Meeting | None = None
    ) -> None:
        self.session.add(
            Proposal(
                building_id=self.buildings[code].id if code else None,
                meeting_id=meeting.id if meeting else None,
                source="meeting" if meeting else "bot",
                text="A light over entrance 2",
                status=status.value,
                created_at=created,
                updated_at=created,
            )
        )


async def a_beat_through_two_quarters(session: AsyncSession) -> Beat:
    beat = Beat(session)
    mine = await beat.inspector("Serik", 1000)
    other = await beat.inspector("Dana", 1001)
    await beat.building("A-1", ALMATY, mine)
    await beat.building("A-2", ALMATY, mine)
    await beat.building("M-1", MOSCOW, mine)
    await beat.building("B-1", ALMATY, other)
    a = beat.appeal

    # --- received in the fourth quarter (Almaty) ---
    a("A-1", local(ALMATY, 10, 5), "public_order", first_hours=2, closed=local(ALMATY, 10, 8), rating=5)
    a("A-1", local(ALMATY, 11, 10), "theft_fraud", first_hours=4, closed=local(ALMATY, 11, 15), rating=3)
    # rejected: closed, no rating
    a("A-2", local(ALMATY, 12, 1), "public_order", first_hours=6, closed=local(ALMATY, 12, 2), rejected=True)
    # still open at the end, its deadline (15 December) long past: overdue
    a("A-2", local(ALMATY, 12, 10), "traffic", first_hours=10)
    # closed on day 31, after its deadline (4 November): overdue
    a("A-1", local(ALMATY, 10, 20), "domestic", first_hours=1, closed=local(ALMATY, 11, 20), rating=4)
    # open at the end, deadline in January: not overdue; no response yet
    a("A-1", local(ALMATY, 12, 28), "youth")
    # closed in January within its term: open at the quarter's end, not resolved within it; its rating is January's
    a("A-2", local(ALMATY, 12, 30), "other", first_hours=8, closed=local(ALMATY, 1, 5, year=2027), rating=2)
    # due on 20 December, closed in January: late (and open at the quarter's end); its rating is January's
    a("A-1", local(ALMATY, 12, 5), "drugs_alcohol", first_hours=5, closed=local(ALMATY, 1, 8, year=2027), rating=1)
    # 1 October 01:00 in Almaty (30 September in UTC): October
    a("A-1", utc(9, 30, 20), "public_order", first_hours=1, closed=utc(9, 30, 20) + timedelta(days=2))
    # 1 November 00:30 in Almaty: November
    a("A-2", utc(10, 31, 19, 30), "traffic", first_hours=2, closed=utc(10, 31, 19, 30) + timedelta(days=1))
    # M-1: 31 December 23:30 in Moscow (1 January in Almaty): December; open
    a("M-1", utc(12, 31, 20, 30), "youth")

    # --- received in the third quarter ---
    a("A-1", local(ALMATY, 7, 15), "public_order", first_hours=3, closed=local(ALMATY, 7, 20), rating=4)
    # closed on 3 October: resolved in the fourth quarter, rated 5 there
    a("A-1", local(ALMATY, 9, 25), "drugs_alcohol", first_hours=12, closed=local(ALMATY, 10, 3), rating=5)
    # never answered in full, open ever since: overdue in the third quarter, open at the end of both
    a("A-2", local(ALMATY, 8, 1), "theft_fraud", first_hours=30)
    # M-1: 30 September 23:00 in Moscow (1 October in Almaty): the third quarter; closed on 2 October in Moscow
    a("M-1", utc(9, 30, 20), "other", first_hours=24, closed=utc(9, 30, 20) + timedelta(days=2), rating=1)

    # --- another inspector's building: none of it counts ---
    a("B-1", local(ALMATY, 10, 10), "public_order")
    a("B-1", local(ALMATY, 11, 1), "theft_fraud", first_hours=1, closed=local(ALMATY, 11, 2), rating=1)
    a("B-1", local(ALMATY, 8, 1), "traffic", first_hours=1, closed=local(ALMATY, 8, 2), rating=1)

    # --- meetings ---
    both = await beat.meeting(["A-1", "A-2"], local(ALMATY, 10, 15, 19), MeetingStatus.HELD, 30)  # counted once
    await beat.meeting(["A-1"], local(ALMATY, 11, 20, 19), MeetingStatus.HELD, 12)
    await beat.meeting(["A-2"], local(ALMATY, 12, 5, 19), MeetingStatus.CANCELLED)
    await beat.meeting(["A-1"], local(ALMATY, 12, 20, 19), MeetingStatus.PLANNED)  # its results never recorded
    await beat.meeting(["A-1"], local(ALMATY, 8, 10, 19), MeetingStatus.HELD, 8)
    others = await beat.meeting(["B-1"], local(ALMATY, 11, 1, 19), MeetingStatus.HELD, 50)
    shared = await beat.meeting(["A-1", "B-1"], local(ALMATY, 12, 12, 19), MeetingStatus.HELD, 20)
    await beat.meeting(["M-1"], local(MOSCOW, 12, 31, 21), MeetingStatus.HELD, 5)  # 1 January 01:00 in Almaty

    # --- proposals ---
    p = beat.proposal
    p("A-1", local(ALMATY, 10, 2), ProposalStatus.RECORDED)
    p("A-1", local(ALMATY, 11, 3), ProposalStatus.IN_PLAN)
    p("A-2", local(ALMATY, 12, 4), ProposalStatus.DONE)
    p("A-2", local(ALMATY, 11, 5), ProposalStatus.DECLINED)
    p(None, local(ALMATY, 10, 15, 21), ProposalStatus.IN_PLAN, both)
    p(None, local(ALMATY, 12, 12, 21), ProposalStatus.DONE, shared)
    p("M-1", utc(12, 31, 20, 30), ProposalStatus.RECORDED)  # 31 December in Moscow
    p("A-1", local(ALMATY, 8, 11), ProposalStatus.DONE)
    p("M-1", utc(9, 30, 20), ProposalStatus.IN_PLAN)  # 30 September in Moscow
    p("B-1", local(ALMATY, 11, 2), ProposalStatus.RECORDED)
    p(None, local(ALMATY, 11, 1, 21), ProposalStatus.RECORDED, others)
    await session.flush()
    return beat


FOURTH = Figures(
    quarter="2026Q4",
    building_codes=["A-1", "A-2", "M-1"],
    received=11,
    resolved=8,
    overdue=3,
    open_at_end=6,
    by_category={
        "public_order": 3,
        "domestic": 1,
        "youth": 2,
        "theft_fraud": 1,
        "traffic": 2,
        "drugs_alcohol": 1,
        "other": 1,
    },
    by_month=[3, 2, 6],
    first_response_hours_median=4.0,  # 1 1 2 2 4 5 6 8 10
    resolution_days_median=4.0,  # 1 1 2 3 | 5 6 31 34
    rating_average=3.6,  # 5 3 4 5 1
    rated=5,
    meetings_held=4,
    attendance=67,
    proposals_recorded=2,
    proposals_in_plan=2,
    proposals_done=2,
    proposals_declined=1,
)

THIRD = Figures(
    quarter="2026Q3",
    building_codes=["A-1", "A-2", "M-1"],
    received=4,
    resolved=1,
    overdue=1,
    open_at_end=3,
    by_category={"public_order": 1, "theft_fraud": 1, "drugs_alcohol": 1, "other": 1},
    by_month=[1, 1, 2],
    first_response_hours_median=18.0,  # 3 12 | 24 30
    resolution_days_median=5.0,  # 2 5 8
    rating_average=4.0,
    rated=1,
    meetings_held=1,
    attendance=8,
    proposals_recorded=0,
    proposals_in_plan=1,
    proposals_done=1,
    proposals_declined=0,
)


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


async def test_an_inspector_reporting_on_the_fourth_quarter_sees_every_figure_of_the_beat_beside_the_third(
    session: AsyncSession,
) -> None:
    beat = await a_beat_through_two_quarters(session)
    mine = await reports.beat(session, beat.inspectors["Serik"].id)
    assert [b.code for b in mine] == ["A-1", "A-2", "M-1"]
    await session.commit()

    result = await reports.comparison(session, building_ids=[b.id for b in mine], quarter=Quarter(2026, 4))

    assert result.current == FOURTH
    assert result.previous == THIRD
    assert list(result.current.by_category) == [
        "public_order",
        "domestic",
        "youth",
        "theft_fraud",
        "traffic",
        "drugs_alcohol",
        "other",
    ]  # in the categories' order, the empty ones left out
    assert Comparison.from_dict(result.as_dict()) == result  # as Report.figures keeps it


async def test_a_report_for_one_building_counts_that_building_and_the_meetings_held_for_it_with_others(
    session: AsyncSession,
) -> None:
    beat = await a_beat_through_two_quarters(session)
    await session.commit()

    result = await reports.comparison(session, building_ids=[beat.buildings["A-2"].id], quarter=Quarter(2026, 4))

    fourth = result.current
    assert fourth.building_codes == ["A-2"]
    assert (fourth.received, fourth.resolved, fourth.overdue, fourth.open_at_end) == (4, 2, 1, 3)
    assert fourth.by_category == {"public_order": 1, "traffic": 2, "other": 1}
    assert fourth.by_month == [0, 1, 3]
    assert fourth.first_response_hours_median == 7.0  # 2 6 | 8 10
    assert fourth.resolution_days_median == 1.0  # 1 1 6
    assert (fourth.rating_average, fourth.rated) == (None, 0)
    assert (fourth.meetings_held, fourth.attendance) == (1, 30)  # the one held with A-1; the cancelled one is not
    assert (fourth.proposals_recorded, fourth.proposals_in_plan, fourth.proposals_done, fourth.proposals_declined) == (
        0,
        1,
        1,
        1,
    )
    third = result.previous
    assert (third.received, third.overdue, third.open_at_end, third.first_response_hours_median) == (1, 1, 1, 30.0)
    assert third.resolution_days_median is None


async def test_a_building_in_another_zone_counts_by_its_own_calendar_at_the_quarters_edges(
    session: AsyncSession,
) -> None:
    beat = await a_beat_through_two_quarters(session)
    await session.commit()

    result = await reports.comparison(session, building_ids=[beat.buildings["M-1"].id], quarter=Quarter(2026, 4))

    fourth, third = result.current, result.previous
    # 31 December 23:30 in Moscow is the fourth quarter there (it is 1 January in Almaty)
    assert (fourth.received, fourth.by_month, fourth.by_category) == (1, [0, 0, 1], {"youth": 1})
    assert (fourth.meetings_held, fourth.attendance, fourth.proposals_recorded) == (1, 5, 1)
    # 30 September 23:00 in Moscow is the third quarter there; it was closed on 2 October
    assert (third.received, third.by_month, third.open_at_end, third.proposals_in_plan) == (1, [0, 0, 1], 1, 1)
    assert (fourth.resolved, fourth.rated, fourth.rating_average, fourth.open_at_end) == (1, 1, 1.0, 1)


async def test_a_quarter_with_nothing_in_it_has_zero_figures_and_no_medians(session: AsyncSession) -> None:
    beat = await a_beat_through_two_quarters(session)
    await session.commit()

    result = await reports.comparison(session, building_ids=[beat.buildings["A-1"].id], quarter=Quarter(2025, 1))

    assert result.current == Figures(quarter="2025Q1", building_codes=["A-1"])
    assert result.previous == Figures(quarter="2024Q4", building_codes=["A-1"])
    nothing = await reports.comparison(session, building_ids=[], quarter=Quarter(2026, 4))
    assert nothing.current == Figures(quarter="2026Q4", building_codes=[])


async def test_the_default_quarter_is_the_last_one_finished_in_the_buildings_zone(session: AsyncSession) -> None:
    beat = await a_beat_through_two_quarters(session)
    await session.commit()
    new_year_in_almaty = utc(12, 31, 19, 30)  # 00:30 on 1 January in Almaty, 22:30 on 31 December in Moscow

    assert Quarter.last_finished(new_year_in_almaty, ALMATY) == Quarter(2026, 4)
    assert Quarter.last_finished(new_year_in_almaty, MOSCOW) == Quarter(2026, 3)
    assert Quarter.recent(new_year_in_almaty, ALMATY, 3) == [Quarter(2026, 4), Quarter(2026, 3), Quarter(2026, 2)]
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 4).previous().key == "2026Q3"
    assert Quarter.parse("2026Q4") == Quarter(2026, 4)
    for bad in ("2026Q5", "2026", "Q4", "26Q1", "2026Q0", "x2026Q1"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)
    assert Quarter(2026, 4).span(ALMATY) == (utc(9, 30, 19), datetime(2026, 12, 31, 19, tzinfo=UTC))

    everyone = await reports.beat(session, None)
    assert [b.code for b in everyone] == ["A-1", "A-2", "B-1", "M-1"]
    chosen = await reports.listed(session, [beat.buildings["M-1"].id, beat.buildings["A-2"].id, 999_999])
    assert [(b.code, b.timezone) for b in chosen] == [("A-2", ALMATY), ("M-1", MOSCOW)]
    assert reports.zone_of(chosen, "UTC") == ALMATY
    assert reports.zone_of([], "UTC") == "UTC"
