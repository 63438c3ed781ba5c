"""The scheduler's rules every reminder shares: once each, quiet hours, downtime and its grace, one SQLite process."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Meeting, MeetingStatus, Reminder
from scheduler.kinds import meetings
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, District, bound_chats, district

CHAT = -101


async def meeting_at(tg: Telegram, d: District, starts_at: datetime, *, sequence: int = 0) -> Meeting:
    """A planned meeting for the district's building, announced now."""
    async with tg.app.sessionmaker.begin() as session:
        meeting = Meeting(
            draft_key=f"m{starts_at.isoformat()}",
            inspector_id=d.inspector.id,
            author_id=INSPECTOR_ID,
            starts_at=starts_at,
            timezone="Asia/Almaty",
            place="Yard by entrance 2",
            agenda="Parking in the yard",
            status=MeetingStatus.PLANNED.value,
            sequence=sequence,
            created_at=tg.clock.now(),
        )
        session.add(meeting)
        await session.flush()
        await session.execute(
            Meeting.buildings.property.secondary.insert().values(meeting_id=meeting.id, building_id=d.building.id)
        )
    return meeting


def chat_texts(tg: Telegram, chat_id: int = CHAT) -> list[str]:
    return [m.get("text") or "" for m in tg.fake.sent_to(chat_id)]


async def statuses(tg: Telegram) -> list[tuple[str, str]]:
    """The meeting reminders' (the weekly and other periodic kinds plan rows of their own)."""
    async with tg.app.sessionmaker() as session:
        rows = await session.execute(
            select(Reminder.period, Reminder.status)
            .where(Reminder.kind.in_((meetings.CHATS, meetings.RESIDENTS)))
            .order_by(Reminder.id)
        )
        return [(period, status) for period, status in rows]


async def test_a_meeting_is_recalled_in_its_building_chat_a_day_and_two_hours_before_once_each(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    # Now is Monday 23 November, 14:00 in Almaty; the meeting is on Wednesday at 19:00 there.
    await meeting_at(tg, d, datetime(2026, 11, 25, 14, 0, tzinfo=UTC))

    await tg.tick()
    assert chat_texts(tg) == []
    tg.clock.at = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    await tg.tick()
    await tg.tick()
    assert len(chat_texts(tg)) == 1
    assert "Reminder: the meeting with the district inspector is in 1 day." in chat_texts(tg)[0]
    assert "25 November 2026, 19:00" in chat_texts(tg)[0] and "Yard by entrance 2" in chat_texts(tg)[0]

    tg.clock.at = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    await tg.tick()
    assert len(chat_texts(tg)) == 2 and "is in 2 hours" in chat_texts(tg)[1]
    tg.clock.advance(hours=1)
    await tg.tick()
    assert len(chat_texts(tg)) == 2
    assert await statuses(tg) == [("24h@0", "sent"), ("2h@0", "sent")]


async def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    # A meeting at 09:00 Almaty time: the two-hour reminder would come at 07:00, inside quiet hours (22:00-08:00).
    await meeting_at(tg, d, datetime(2026, 11, 26, 4, 0, tzinfo=UTC))
    tg.clock.at = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 09:00 the day before: the 24-hour one goes
    await tg.tick()
    assert len(chat_texts(tg)) == 1

    tg.clock.at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 07:00 there
    report = await tg.tick()
    assert report.deferred == 1 and len(chat_texts(tg)) == 1
    tg.clock.at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 08:00 there
    await tg.tick()
    assert len(chat_texts(tg)) == 2 and "is in 1 hour" in chat_texts(tg)[1], "it says the time really left"


async def test_after_a_short_downtime_the_reminder_goes_at_the_first_tick_and_after_a_long_one_it_is_listed_as_missed(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    await meeting_at(tg, d, datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    await meeting_at(tg, d, datetime(2026, 11, 28, 14, 0, tzinfo=UTC))
    await tg.tick()  # both planned while the bot runs

    # The first meeting's 24-hour reminder was due at 14:00 UTC; the bot is back two hours later: it goes now.
    tg.clock.at = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    await tg.tick()
    assert len(chat_texts(tg)) == 1 and "27 November 2026, 19:00" in chat_texts(tg)[0]

    # The second one's fell due while the bot was down for seven hours, longer than the grace (6 hours): the
    # meeting is still to come, so the inspector is told it was not sent.
    tg.clock.at = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)  # 02:00 there: the list waits for working hours
    await tg.tick()
    assert len(chat_texts(tg)) == 1
    assert not [m for m in tg.fake.sent_to(INSPECTOR_ID) if "were due" in m["text"]]
    tg.clock.at = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # 09:00 there
    await tg.tick()
    [missed] = [m["text"] for m in tg.fake.sent_to(INSPECTOR_ID) if "were due" in m["text"]]
    assert "reminder to the chat «Abay 10 entrance 101» of the meeting on 28 November 2026, 19:00" in missed
    assert "27 November 2026" not in missed.split("—")[-1]
    assert ("24h@0", "missed") in await statuses(tg)


async def test_a_reminder_of_a_meeting_that_began_while_the_bot_was_down_is_skipped_not_listed(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    await meeting_at(tg, d, datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    await tg.tick()

    tg.clock.at = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # back the day after the meeting
    await tg.tick()
    assert chat_texts(tg) == []
    assert not [m for m in tg.fake.sent_to(INSPECTOR_ID) if "were due" in (m.get("text") or "")]
    assert await statuses(tg) == [("24h@0", "skipped"), ("2h@0", "skipped")]


async def test_a_changed_meeting_is_recalled_at_its_new_time_and_a_cancelled_one_not_at_all(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    meeting = await meeting_at(tg, d, datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    await tg.tick()
    async with tg.app.sessionmaker.begin() as session:
        changed = await session.get(Meeting, meeting.id)
        assert changed is not None
        changed.starts_at, changed.sequence = datetime(2026, 11, 26, 14, 0, tzinfo=UTC), 1

    tg.clock.at = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    await tg.tick()
    assert chat_texts(tg) == [], "the old time's reminder is not sent"
    tg.clock.at = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    await tg.tick()
    assert len(chat_texts(tg)) == 1 and "26 November 2026, 19:00" in chat_texts(tg)[0]

    async with tg.app.sessionmaker.begin() as session:
        cancelled = await session.get(Meeting, meeting.id)
        assert cancelled is not None
        cancelled.status = MeetingStatus.CANCELLED.value
    tg.clock.at = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    await tg.tick()
    assert len(chat_texts(tg)) == 1


async def test_a_second_bot_process_on_the_same_sqlite_file_refuses_to_start(tg: Telegram, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("one process per database is a SQLite rule")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env={
            **os.environ,
            "BOT_TOKEN": "123456:TEST-token-for-the-fake-telegram-xyz",
            "DATABASE_URL": database_url,
            "TELEGRAM_API_URL": tg.fake.base_url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 1
    message = err.decode()
    assert "another bot process is running on" in message and "use PostgreSQL to run several" in message
    assert "Traceback" not in message
