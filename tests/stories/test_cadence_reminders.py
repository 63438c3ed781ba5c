"""The inspector's rhythm: a meeting with every building each month, a report to the residents each quarter —
reminded at the start of the inspector's working hours (/hours), in their zone and language, once each."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from bot.services import buildings
from models import AuditEvent, Building, Inspector, Meeting, MeetingStatus, Reminder, Report, User
from scheduler.kinds import readers
from tests.conftest import ADMIN_ID
from tests.support.harness import Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, beat, district

MONTHLY = "no meeting with residents held or planned"
PREPARE = "prepare your report to the residents"
LATE = "is not published yet"
TOLD_ADMIN = "has not published the report"


async def add_buildings(tg: Telegram, d: District, *codes: str) -> None:
    """More buildings of the district's inspector, in Almaty."""
    async with tg.app.sessionmaker.begin() as session:
        for number, code in enumerate(codes, start=1):
            building = await buildings.add_building(
                session,
                tg.clock,
                code=code,
                address=f"Abay ave {10 + 2 * number}",
                district="Almaly",
                timezone="Asia/Almaty",
                actor_id=1,
            )
            await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)


async def meeting_for(
    tg: Telegram, code: str, starts_at: datetime, status: MeetingStatus = MeetingStatus.PLANNED
) -> None:
    async with tg.app.sessionmaker.begin() as session:
        building = await session.scalar(select(Building).where(Building.code == code))
        assert building is not None and building.inspector_id is not None
        meeting = Meeting(
            draft_key=f"{code}@{starts_at.isoformat()}",
            inspector_id=building.inspector_id,
            author_id=INSPECTOR_ID,
            starts_at=starts_at,
            timezone=building.timezone,
            place="Yard by entrance 2",
            agenda="Parking in the yard",
            status=status.value,
            sequence=0,
            created_at=tg.clock.now(),
        )
        session.add(meeting)
        await session.flush()
        await session.execute(
            Meeting.buildings.property.secondary.insert().values(meeting_id=meeting.id, building_id=building.id)
        )


def received(tg: Telegram, chat_id: int, marker: str) -> list[dict[str, Any]]:
    return [m for m in tg.fake.sent_to(chat_id) if marker in (m.get("text") or "")]


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def statuses(tg: Telegram, kind: str) -> list[tuple[str, int, str]]:
    async with tg.app.sessionmaker() as session:
        rows = await session.execute(
            select(Reminder.period, Reminder.recipient_id, Reminder.status)
            .where(Reminder.kind == kind)
            .order_by(Reminder.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_on_the_first_an_inspector_hears_of_the_buildings_without_a_meeting_and_plans_one_with_the_button(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await add_buildings(tg, d, "A-13", "A-14")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await meeting_for(tg, "A-12", datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    await meeting_for(tg, "A-13", datetime(2026, 11, 20, 14, 0, tzinfo=UTC), MeetingStatus.HELD)  # last month's

    tg.clock.at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 08:00 in Almaty, before the working hours
    await tg.tick()
    assert received(tg, INSPECTOR_ID, MONTHLY) == []
    tg.clock.at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 09:00
    await tg.tick()
    [first] = received(tg, INSPECTOR_ID, MONTHLY)
    assert "December 2026" in first["text"] and "2 of your buildings have no meeting" in first["text"]
    assert "A-13" in first["text"] and "Abay ave 12" in first["text"] and "A-14" in first["text"]
    assert "A-12" not in first["text"]
    assert labels(first) == ["📅 Plan a meeting"]

    # The button opens /meeting's dialog; the inspector plans one for A-13.
    reply = await inspector.press(first, "Plan a meeting")
    assert "Which buildings?" in reply.text
    picker = reply.last
    await inspector.press(picker, "A-13")
    await inspector.press(picker, "Done")
    await inspector.send("12.12 11:00")
    await inspector.send("Abay ave 12, the yard")
    preview = (await inspector.send("Lighting in the yard")).last
    reply = await inspector.press(preview, "Publish")
    assert "The meeting is announced" in reply.text

    tg.clock.at = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)  # a week later
    await tg.tick()
    await tg.tick()
    [_, second] = received(tg, INSPECTOR_ID, MONTHLY)
    assert "1 of your buildings has no meeting" in second["text"]
    assert "A-14" in second["text"] and "A-13" not in second["text"] and "A-12" not in second["text"]

    # A-14's meeting is held on the 20th (a planned one cancelled meanwhile does not count).
    await meeting_for(tg, "A-14", datetime(2026, 12, 14, 14, 0, tzinfo=UTC), MeetingStatus.CANCELLED)
    await meeting_for(tg, "A-14", datetime(2026, 12, 20, 14, 0, tzinfo=UTC), MeetingStatus.HELD)
    tg.clock.at = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)
    await tg.tick()
    tg.clock.at = datetime(2026, 12, 22, 4, 0, tzinfo=UTC)
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 2, "every building has its meeting this month"
    assert await statuses(tg, "cadence_month") == [
        ("2026-12-01", INSPECTOR_ID, "sent"),
        ("2026-12-08", INSPECTOR_ID, "sent"),
        ("2026-12-15", INSPECTOR_ID, "skipped"),
        ("2026-12-22", INSPECTOR_ID, "skipped"),
    ]


async def test_the_month_is_the_buildings_own_calendar_month_and_nothing_comes_when_each_has_a_meeting(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await add_buildings(tg, d, "A-13")
    # 31 December 20:00 UTC is already 1 January in Almaty: that meeting is January's, not December's.
    await meeting_for(tg, "A-12", datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    await meeting_for(tg, "A-13", datetime(2026, 12, 3, 14, 0, tzinfo=UTC))

    tg.clock.at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    await tg.tick()
    [december] = received(tg, INSPECTOR_ID, MONTHLY)
    assert "A-12" in december["text"] and "A-13" not in december["text"]

    await meeting_for(tg, "A-12", datetime(2026, 12, 30, 14, 0, tzinfo=UTC))
    for day in (8, 15, 22, 29):
        tg.clock.at = datetime(2026, 12, day, 4, 0, tzinfo=UTC)
        await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 1

    tg.clock.at = datetime(2027, 1, 1, 4, 0, tzinfo=UTC)
    await tg.tick()
    [_, january] = received(tg, INSPECTOR_ID, MONTHLY)
    assert "January 2027" in january["text"] and "A-13" in january["text"] and "A-12" not in january["text"]


async def test_the_quarters_report_is_recalled_fourteen_days_before_its_end_in_each_inspectors_zone_and_language(
    tg: Telegram,
) -> None:
    await district(tg)
    # Another inspector reads Russian and serves a building in Bishkek (UTC+6), from 10:00.
    other = await district(tg, inspector_id=2001, code="K-1")
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == 2001).values(language="ru"))
        await session.execute(update(Building).where(Building.id == other.building.id).values(timezone="Asia/Bishkek"))
        await session.execute(update(Inspector).where(Inspector.id == other.inspector.id).values(work_from=10))
    in_russian = "4-й кв. 2026"  # Babel's quarter in Russian (the sentence around it is translated later)

    tg.clock.at = datetime(2026, 12, 17, 3, 59, tzinfo=UTC)  # 08:59 in Almaty, 09:59 in Bishkek on 17 December
    await tg.tick()
    assert received(tg, INSPECTOR_ID, PREPARE) == [] and received(tg, 2001, in_russian) == []
    tg.clock.at = datetime(2026, 12, 17, 4, 0, tzinfo=UTC)  # 09:00 in Almaty, 10:00 in Bishkek
    await tg.tick()
    [prepare] = received(tg, INSPECTOR_ID, PREPARE)
    assert "Q4 2026 ends on 31 December" in prepare["text"] and "/meeting" in prepare["text"]
    assert labels(prepare) == ["📅 Plan a meeting"]
    [russian] = received(tg, 2001, in_russian)
    assert "31 декабря" in russian["text"]

    tg.clock.at = datetime(2026, 12, 18, 5, 0, tzinfo=UTC)
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, PREPARE)) == 1 and len(received(tg, 2001, in_russian)) == 1
    assert await statuses(tg, "quarter_prepare") == [("2026Q4", INSPECTOR_ID, "sent"), ("2026Q4", 2001, "sent")]


async def test_on_the_fifth_day_of_the_new_quarter_an_unpublished_report_is_recalled_and_the_admins_are_told_once(
    tg: Telegram, admin: Person
) -> None:
    await district(tg)
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)  # the day before: planned
    await tg.tick()
    assert received(tg, INSPECTOR_ID, LATE) == [] and tg.fake.sent_to(ADMIN_ID) == []

    tg.clock.at = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)  # 09:00 in Almaty on 5 January
    await tg.tick()
    [late] = received(tg, INSPECTOR_ID, LATE)
    assert "Your report for Q4 2026 to the residents is not published yet" in late["text"]
    [told] = tg.fake.sent_to(ADMIN_ID)  # the administrator reads Russian, the default
    assert "Nurlan Abenov" in told["text"] and "4-й кв. 2026" in told["text"]

    for hours in (1, 8, 24, 48):
        tg.clock.at = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
        tg.clock.advance(hours=hours)
        await tg.tick()
    assert len(received(tg, INSPECTOR_ID, LATE)) == 1 and len(tg.fake.sent_to(ADMIN_ID)) == 1
    assert await statuses(tg, "quarter_late") == [("2026Q4", INSPECTOR_ID, "sent")]
    assert await statuses(tg, "quarter_late_admin") == [("2026Q4", ADMIN_ID, "sent")]


async def test_a_published_report_silences_the_late_reminder_and_the_admins(tg: Telegram, admin: Person) -> None:
    d = await district(tg)
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    await tg.tick()  # planned while the report is not out yet
    async with tg.app.sessionmaker.begin() as session:
        session.add(
            Report(
                draft_key="r-2026Q4",
                inspector_id=d.inspector.id,
                author_id=INSPECTOR_ID,
                quarter="2026Q4",
                figures={},
                created_at=tg.clock.now(),
                published_at=datetime(2027, 1, 4, 10, 0, tzinfo=UTC),
            )
        )

    tg.clock.at = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
    await tg.tick()
    assert received(tg, INSPECTOR_ID, LATE) == [] and tg.fake.sent_to(ADMIN_ID) == []
    assert await statuses(tg, "quarter_late") == [("2026Q4", INSPECTOR_ID, "skipped")]
    assert await statuses(tg, "quarter_late_admin") == [("2026Q4", ADMIN_ID, "skipped")]


async def test_working_hours_set_with_hours_decide_when_reminders_come(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    tg.clock.at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 07:00 in Almaty: hours 9-18 by default
    await tg.tick()
    assert received(tg, INSPECTOR_ID, MONTHLY) == []
    tg.clock.at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 1

    tg.clock.at = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # the 8th's reminder is planned for 09:00
    await tg.tick()
    reply = await inspector.send("/hours")
    assert "09:00–18:00" in reply.text
    reply = await inspector.send("7-16")
    assert "Your working hours are now 07:00–16:00" in reply.text

    tg.clock.at = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 07:00 in Almaty
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 2

    reply = await inspector.send("/hours 08:00-17:00")
    assert "07:00–16:00" not in reply.text and "08:00–17:00" in reply.text
    tg.clock.at = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 2
    tg.clock.at = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
    await tg.tick()
    assert len(received(tg, INSPECTOR_ID, MONTHLY)) == 3


async def test_a_re_plan_waits_for_a_change_of_the_inspectors_their_buildings_or_the_local_hour(tg: Telegram) -> None:
    """The cadence kinds plan again only when their fingerprint moves: the same while nothing they plan from
    changes, new as soon as something does."""
    d = await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    async def mark() -> Hashable:
        async with tg.app.sessionmaker() as session:
            return await readers.beats_fingerprint(session, tg.app.settings, tg.clock.now())

    tg.clock.at = datetime(2026, 12, 1, 4, 10, tzinfo=UTC)  # 09:10 in Almaty
    before = await mark()
    tg.clock.at = datetime(2026, 12, 1, 4, 50, tzinfo=UTC)
    assert await mark() == before
    tg.clock.at = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # a new hour: reminders may fall due, hours open
    assert await mark() != before

    before = await mark()
    await inspector.send("/hours 7-16")
    assert await mark() != before
    before = await mark()
    await add_buildings(tg, d, "A-13")
    assert await mark() != before

    # A building in a zone half an hour off: its local hours turn too.
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code="D-1", address="MG Road 1", district=None, timezone="Asia/Kolkata", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
    tg.clock.at = datetime(2026, 12, 1, 5, 10, tzinfo=UTC)  # 10:40 in Kolkata
    before = await mark()
    tg.clock.at = datetime(2026, 12, 1, 5, 40, tzinfo=UTC)  # 11:10 in Kolkata, the same hour in Almaty
    assert await mark() != before


async def test_hours_refuses_what_is_not_a_range_of_whole_hours(tg: Telegram) -> None:
    d = await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    for typed in ("/hours 18-9", "/hours 25-26", "/hours nine", "/hours 08:30-17:00", "/hours 9-9"):
        reply = await inspector.send(typed)
        assert "Send whole hours from 0 to 24, the start before the end" in reply.text, typed
    reply = await inspector.send("0-25")
    assert "Send whole hours" in reply.text
    reply = await inspector.send("0-24")
    assert "Your working hours are now 00:00–24:00" in reply.text
    async with tg.app.sessionmaker() as session:
        saved = await session.get(Inspector, d.inspector.id)
        assert saved is not None and (saved.work_from, saved.work_to) == (0, 24)
    reply = await inspector.send("9-18")
    assert "I did not understand that" in reply.text, "the dialog is over"


async def test_hours_and_the_plan_button_are_the_inspectors_alone(tg: Telegram) -> None:
    d, dana, _inspector = await beat(tg)
    reply = await dana.send("/hours 9-18")
    assert "This command is for district inspectors." in reply.text

    await district(tg, inspector_id=2001, code="B-1")
    other = tg.person(2001, "Aibek", language_code="en")
    tg.clock.at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    await tg.tick()
    [reminder] = received(tg, INSPECTOR_ID, MONTHLY)
    [data] = [b["callback_data"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row]

    own_chat = (await other.send("/help")).last
    reply = await other.press_data(own_chat, data)
    assert "This button is no longer available." in reply.text and "Which buildings?" not in reply.text
    reply = await dana.press_data(own_chat | {"chat": {"id": RESIDENT_ID, "type": "private"}, "message_id": 1}, data)
    assert "This button is no longer available." in reply.text
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting_refused")))
    assert {event.actor_id for event in refused} == {2001, RESIDENT_ID}
    assert d.inspector.user_id == INSPECTOR_ID
