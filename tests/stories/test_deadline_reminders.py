"""Appeal deadlines: the first response, the deadline two days off, and an overdue appeal every day until it is
closed — to the inspector in their working hours, escalated to the administrators in office hours.

The appeal is sent on Monday 23 November 2026 at 14:00 in Almaty (UTC+5): its first response is due on the 24th at
14:00 there. Its deadline is set to 8 December at 14:00 there, so that these stories keep to the reminders' own
timing; the law's deadlines and the reminders that follow them are the stories of test_appeal_law.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from models import Appeal, Inspector, Reminder, User
from tests.conftest import ADMIN_ID
from tests.support.appeal_steps import send_appeal
from tests.support.harness import Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, district, resident_of

FIRST_DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SOON_DUE = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

FIRST = "⏰ The first response to appeal"
SOON = "⏳ Appeal"
OVERDUE = "⚠️ Appeal"
ESCALATION = "🚨 Appeal"
MINE = (FIRST, SOON, OVERDUE, ESCALATION)


def said(tg: Telegram, chat_id: int, marker: str) -> list[str]:
    """The texts a chat received that contain the marker, in order."""
    return [text for m in tg.fake.sent_to(chat_id) if marker in (text := m.get("text") or "")]


def message_with(tg: Telegram, chat_id: int, marker: str) -> dict[str, object]:
    return next(m for m in reversed(tg.fake.sent_to(chat_id)) if marker in (m.get("text") or ""))


async def english_admin(tg: Telegram) -> Person:
    """The administrator, who chose English (the bot keeps their language)."""
    await admin_record(tg, "en")
    return tg.person(ADMIN_ID, "Aigerim", language_code="en")


async def admin_record(tg: Telegram, language: str) -> None:
    async with tg.app.sessionmaker.begin() as session:
        session.add(
            User(id=ADMIN_ID, first_name="Aigerim", language=language, reachable=True, created_at=tg.clock.now())
        )


async def statuses(tg: Telegram, kind: str) -> list[tuple[str, str]]:
    async with tg.app.sessionmaker() as session:
        rows = await session.execute(
            select(Reminder.period, Reminder.status).where(Reminder.kind == kind).order_by(Reminder.due_at, Reminder.id)
        )
        return [(period, status) for period, status in rows]


async def deadline_at(tg: Telegram, moment: datetime) -> None:
    """The appeals' deadline, set for the story (the law would give 14 December, 23:59 there)."""
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Appeal).values(due_at=moment))


async def at(tg: Telegram, moment: datetime, *, times: int = 1) -> None:
    tg.clock.at = moment
    for _ in range(times):
        await tg.tick()


async def test_an_inspector_hears_once_of_a_first_response_overdue_and_not_of_appeals_taken_or_answered_in_time(
    tg: Telegram,
) -> None:
    _, dana, inspector = await beat(tg)
    for text in ("Loud music at night.", "A car blocks the yard.", "Broken lamp at entrance 2."):
        await send_appeal(dana, text)
    await tg.tick()
    cards = {n: message_with(tg, INSPECTOR_ID, f"Appeal №{n}") for n in (2, 3)}
    await inspector.press(cards[2], "Take")
    await inspector.reply_to(cards[3], "We will call the housing office today.")

    await at(tg, datetime(2026, 11, 24, 8, 59, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, FIRST) == []
    await at(tg, FIRST_DUE, times=2)
    [reminder] = said(tg, INSPECTOR_ID, FIRST)
    assert "The first response to appeal №1 is overdue." in reminder
    assert "A-12 · Public order and noise" in reminder
    assert "First response was due: 24 November 2026, 14:00" in reminder
    await at(tg, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, FIRST)) == 1
    assert await statuses(tg, "appeal_first_response") == [
        ("first", "sent"),
        ("first", "skipped"),
        ("first", "skipped"),
    ]


async def test_a_building_with_no_inspector_has_its_first_response_reminder_go_to_the_administrators_in_russian(
    tg: Telegram, admin: Person
) -> None:
    d = await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        building = await session.merge(d.building)
        building.inspector_id = None
    await admin_record(tg, "ru")
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    await send_appeal(tg.person(RESIDENT_ID, "Dana", language_code="en"))
    await tg.tick()

    await at(tg, FIRST_DUE, times=2)
    [reminder] = said(tg, ADMIN_ID, "⏰")
    assert "Общественный порядок и шум" in reminder, "the category in the administrator's language"
    assert "24 ноября 2026, 14:00" in reminder, "the date by Babel, in Russian"
    assert said(tg, INSPECTOR_ID, "№1") == []


async def test_two_days_before_the_deadline_the_inspector_is_reminded_once(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    await deadline_at(tg, DEADLINE)
    await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Take")

    await at(tg, datetime(2026, 12, 6, 8, 59, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, SOON) == []
    await at(tg, SOON_DUE, times=2)
    [reminder] = said(tg, INSPECTOR_ID, SOON)
    assert "Appeal №1 is due in 2 days." in reminder
    assert "Status: in progress" in reminder and "Deadline: 8 December 2026, 14:00" in reminder
    await at(tg, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, SOON)) == 1
    assert said(tg, INSPECTOR_ID, FIRST) == [], "taken into work: a first response"


async def test_an_overdue_appeal_is_recalled_to_the_inspector_and_escalated_to_the_admin_daily_until_resolved(
    tg: Telegram,
) -> None:
    _, dana, inspector = await beat(tg)
    await english_admin(tg)
    await send_appeal(dana)
    await deadline_at(tg, DEADLINE)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    await inspector.press(card, "Take")
    await at(tg, SOON_DUE)

    await at(tg, DEADLINE, times=2)  # 14:00 there: at the deadline itself
    assert said(tg, INSPECTOR_ID, OVERDUE) == [
        "⚠️ Appeal №1 is overdue.\n🏢 A-12 · Public order and noise\nStatus: in progress\n"
        "Deadline: 8 December 2026, 14:00\nThe administrators are told every day until it is resolved."
    ]
    [escalation] = said(tg, ADMIN_ID, ESCALATION)
    assert "Appeal №1 of building A-12, inspector Nurlan Abenov, is overdue." in escalation
    await at(tg, datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 1 and len(said(tg, ADMIN_ID, ESCALATION)) == 1

    for day, late in ((9, "1 day"), (10, "2 days"), (11, "3 days")):
        await at(tg, datetime(2026, 12, day, 4, 0, tzinfo=UTC), times=2)  # 09:00 there, when the day's work begins
        assert f"Appeal №1 is overdue by {late}." in said(tg, INSPECTOR_ID, OVERDUE)[-1]
        assert (
            f"Appeal №1 of building A-12, inspector Nurlan Abenov, is overdue by {late}."
            in said(tg, ADMIN_ID, ESCALATION)[-1]
        )
        await at(tg, datetime(2026, 12, day, 10, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 4 and len(said(tg, ADMIN_ID, ESCALATION)) == 4

    await inspector.press(card, "Resolve")
    for day in (12, 13):
        await at(tg, datetime(2026, 12, day, 4, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 4 and len(said(tg, ADMIN_ID, ESCALATION)) == 4
    assert await statuses(tg, "appeal_overdue") == [
        ("2026-12-08", "sent"),
        ("2026-12-09", "sent"),
        ("2026-12-10", "sent"),
        ("2026-12-11", "sent"),
        ("2026-12-12", "skipped"),
    ], "one a day, none for the days after it was resolved"


async def test_a_reminder_outside_the_inspectors_working_hours_waits_until_they_start(tg: Telegram) -> None:
    d, dana, _ = await beat(tg)
    async with tg.app.sessionmaker.begin() as session:
        inspector = await session.get(Inspector, d.inspector.id)
        assert inspector is not None
        inspector.work_from, inspector.work_to = 8, 12
    await send_appeal(dana)
    await tg.tick()

    await at(tg, FIRST_DUE)  # 14:00 there: the inspector's day ended at 12:00
    assert said(tg, INSPECTOR_ID, FIRST) == []
    await at(tg, datetime(2026, 11, 24, 22, 0, tzinfo=UTC))
    await at(tg, datetime(2026, 11, 25, 2, 59, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, FIRST) == []
    await at(tg, datetime(2026, 11, 25, 3, 0, tzinfo=UTC), times=2)  # 08:00 there
    [reminder] = said(tg, INSPECTOR_ID, FIRST)
    assert "The first response to appeal №1 is overdue by 1 day." in reminder
    assert await statuses(tg, "appeal_first_response") == [("first", "sent")]


async def test_an_escalation_due_after_office_hours_waits_for_the_morning_and_comes_once_that_day(
    tg: Telegram,
) -> None:
    tg.clock.at = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 21:00 there: the deadline falls at 21:00 too
    _, dana, inspector = await beat(tg)
    await english_admin(tg)
    await send_appeal(dana)
    await deadline_at(tg, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Take")

    await at(tg, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    assert said(tg, ADMIN_ID, ESCALATION) == [] and said(tg, INSPECTOR_ID, OVERDUE) == []
    await at(tg, datetime(2026, 12, 9, 4, 0, tzinfo=UTC), times=2)  # 09:00 there
    [escalation] = said(tg, ADMIN_ID, ESCALATION)
    assert "is overdue by 1 day." in escalation
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 1
    assert (await statuses(tg, "appeal_escalation"))[:2] == [("2026-12-08", "skipped"), ("2026-12-09", "sent")], (
        "the evening's escalation gave way to the morning's"
    )


async def test_an_anonymous_appeals_reminders_name_nobody_and_their_button_opens_the_card(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    admin = await english_admin(tg)
    await send_appeal(dana, "Someone sells alcohol to teenagers at the corner.", anonymous=True)
    await deadline_at(tg, DEADLINE)
    await tg.tick()
    for moment in (FIRST_DUE, SOON_DUE, DEADLINE, datetime(2026, 12, 9, 4, 0, tzinfo=UTC)):
        await at(tg, moment)

    reminders = {
        chat: [text for marker in MINE for text in said(tg, chat, marker)] for chat in (INSPECTOR_ID, ADMIN_ID)
    }
    assert len(reminders[INSPECTOR_ID]) == 4 and len(reminders[ADMIN_ID]) == 2
    for text in reminders[INSPECTOR_ID] + reminders[ADMIN_ID]:
        assert "Appeal №1" in text or "appeal №1" in text
        for secret in ("Dana", "flat", str(RESIDENT_ID), "alcohol"):
            assert secret not in text, f"{secret!r} in {text!r}"

    reply = await admin.press(message_with(tg, ADMIN_ID, ESCALATION), "Open the appeal")
    assert "Appeal №1" in reply.text and "Anonymous" in reply.text and "Dana" not in reply.text
    reply = await inspector.press(message_with(tg, INSPECTOR_ID, OVERDUE), "Open the appeal")
    assert "Appeal №1" in reply.text and "Take" in str(reply.last["reply_markup"])


async def test_reminders_due_during_a_long_downtime_are_listed_as_missed_and_no_backlog_of_days_is_sent(
    tg: Telegram,
) -> None:
    _, dana, inspector = await beat(tg)
    await english_admin(tg)
    await send_appeal(dana)
    await deadline_at(tg, DEADLINE)
    await tg.tick()

    # Down from before the first response was due until 11 hours after (the grace is 6 hours); back at 01:00
    # there, so the list of what was missed waits for the inspector's working hours.
    await at(tg, datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, FIRST) == [] and said(tg, INSPECTOR_ID, "were due") == []
    await at(tg, datetime(2026, 11, 25, 4, 0, tzinfo=UTC))
    assert any(
        "24 November 2026, 14:00 — reminder that appeal №1 (A-12, Public order and noise) had no first response"
        in missed
        for missed in said(tg, INSPECTOR_ID, "were due")
    )
    assert await statuses(tg, "appeal_first_response") == [("first", "missed")]

    await at(tg, SOON_DUE)
    await at(tg, DEADLINE)
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 1
    # Down again from the 8th to the 11th, 11:00 there: the 9th's reminders were planned, the 10th's never were.
    # A day's reminder is no use on a later day (today's says it all): skipped and logged, not listed.
    await at(tg, datetime(2026, 12, 11, 6, 0, tzinfo=UTC))
    assert not any("9 December" in missed for missed in said(tg, INSPECTOR_ID, "were due"))
    assert said(tg, ADMIN_ID, "were due") == []
    assert "overdue by 3 days" in said(tg, INSPECTOR_ID, OVERDUE)[-1], "today's, once"
    assert len(said(tg, INSPECTOR_ID, OVERDUE)) == 2 and len(said(tg, ADMIN_ID, ESCALATION)) == 2
    assert await statuses(tg, "appeal_overdue") == [
        ("2026-12-08", "sent"),
        ("2026-12-09", "skipped"),
        ("2026-12-11", "sent"),
        ("2026-12-12", "pending"),
    ]
    await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Resolve")
