"""The week: each inspector's Monday digest with the walk of their territory, and the weekly post in building chats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from bot.emulator import FakeTelegram
from bot.services import buildings
from bot.ui.callbacks import ChatWeekCb
from models import (
    Building,
    BuildingChat,
    Inspector,
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalStatus,
    Reminder,
    Rsvp,
    RsvpAnswer,
)
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tests.support.appeal_steps import send_appeal
from tests.support.harness import FrozenClock, Group, Person, Telegram, running_bot
from tests.support.stories import INSPECTOR_ID, District, beat, bound_chats, district

OTHER_INSPECTOR = 2001
CHAT = -101
HEADING = "Your week from"
# Almaty is UTC+5: 09:00 there is 04:00 UTC.
SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def digests(tg: Telegram, user_id: int = INSPECTOR_ID) -> list[dict[str, Any]]:
    return [m for m in tg.fake.sent_to(user_id) if HEADING in (m.get("text") or "")]


def posts(tg: Telegram, chat_id: int = CHAT) -> list[str]:
    return [m.get("text") or "" for m in tg.fake.sent_to(chat_id)]


async def meeting(
    tg: Telegram,
    d: District,
    starts_at: datetime,
    *,
    place: str = "Yard by entrance 2",
    status: str = MeetingStatus.PLANNED.value,
) -> Meeting:
    async with tg.app.sessionmaker.begin() as session:
        row = Meeting(
            draft_key=str(uuid.uuid4()),
            inspector_id=d.inspector.id,
            author_id=d.inspector.user_id,
            starts_at=starts_at,
            timezone="Asia/Almaty",
            place=place,
            agenda="Parking in the yard",
            status=status,
            sequence=0,
            created_at=tg.clock.now(),
        )
        session.add(row)
        await session.flush()
        await session.execute(
            Meeting.buildings.property.secondary.insert().values(meeting_id=row.id, building_id=d.building.id)
        )
    return row


async def proposal(tg: Telegram, building_id: int, status: ProposalStatus) -> None:
    async with tg.app.sessionmaker.begin() as session:
        session.add(
            Proposal(
                building_id=building_id,
                source="bot",
                text="A light over entrance 2",
                status=status.value,
                created_at=tg.clock.now(),
                updated_at=tg.clock.now(),
            )
        )


async def another_building(tg: Telegram, d: District, code: str, address: str) -> None:
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code=code, address=address, district="Almaly", timezone="Asia/Almaty", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)


async def chat_week(tg: Telegram, inspector_id: int) -> bool:
    async with tg.app.sessionmaker() as session:
        value = await session.scalar(select(Inspector.chat_week).where(Inspector.id == inspector_id))
    assert value is not None
    return value


async def test_on_monday_morning_an_inspector_gets_one_digest_of_their_week_and_the_walk_of_their_buildings(
    tg: Telegram,
) -> None:
    tg.clock.at = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)
    d, dana, nurlan = await beat(tg)
    await another_building(tg, d, "A-14", "Dostyk ave 5")
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    await send_appeal(dana, "The lift has been broken for a month.")  # 15 working days: overdue by the digest
    tg.clock.at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    await send_appeal(dana)  # this week's

    tg.clock.at = SUNDAY
    coming = await meeting(tg, d, datetime(2026, 11, 25, 14, 0, tzinfo=UTC))  # Wednesday 19:00 there
    await meeting(tg, d, datetime(2026, 12, 5, 14, 0, tzinfo=UTC), place="Far away")  # not within the week
    await meeting(
        tg, d, datetime(2026, 11, 26, 14, 0, tzinfo=UTC), place="Called off", status=MeetingStatus.CANCELLED.value
    )
    async with tg.app.sessionmaker.begin() as session:
        for user_id, answer in ((3101, RsvpAnswer.YES), (3102, RsvpAnswer.YES), (3103, RsvpAnswer.NO)):
            session.add(Rsvp(meeting_id=coming.id, user_id=user_id, chat_id=CHAT, answer=answer.value, at=SUNDAY))
    await proposal(tg, d.building.id, ProposalStatus.RECORDED)
    await proposal(tg, d.building.id, ProposalStatus.IN_PLAN)
    await proposal(tg, other.building.id, ProposalStatus.RECORDED)
    await tg.tick()
    assert digests(tg) == []

    tg.clock.at = MONDAY_9
    await tg.tick()
    await tg.tick()
    [digest] = digests(tg)
    text = digest["text"]
    assert "Your week from 23 November 2026" in text
    assert "📨 2 open appeals" in text and "⚠️ 1 overdue" in text and "🆕 1 new in the last 7 days" in text
    assert "• 25 November 2026, 19:00 — Yard by entrance 2 · 2 will come" in text
    assert "Far away" not in text and "Called off" not in text
    assert "💡 1 proposal from residents waits for your decision" in text
    assert "☐ A-12 — Abay ave 10\n☐ A-14 — Dostyk ave 5" in text and "C-7" not in text
    [their] = digests(tg, OTHER_INSPECTOR)
    assert "☐ C-7 — Abay ave 10" in their["text"] and "📨 0 open appeals" in their["text"]
    assert tg.fake.sent_to(ADMIN_ID) == [], "an administrator who is not an inspector gets no digest"

    # The button under the digest turns the weekly chat post off; the digest stays, its button turns it back on.
    reply = await nurlan.press(digest, "off")
    assert "The weekly chat post is off." in reply.text
    assert not await chat_week(tg, d.inspector.id)
    [now_shown] = [m for m in tg.fake.chat_history(INSPECTOR_ID) if m["message_id"] == digest["message_id"]]
    assert HEADING in now_shown["text"] and now_shown["reply_markup"]["inline_keyboard"][0][0]["text"].endswith(
        "post on"
    )

    tg.clock.at = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    await tg.tick()
    assert len(digests(tg)) == 2
    again = digests(tg)[1]["text"]
    assert "Your week from 30 November 2026" in again
    assert "🆕 0 new in the last 7 days" in again
    assert "• 5 December 2026, 19:00 — Far away · 0 will come" in again and "Yard by entrance 2" not in again
    async with tg.app.sessionmaker() as session:
        weeks = await session.scalars(
            select(Reminder.period).where(Reminder.kind == "weekly_digest", Reminder.recipient_id == INSPECTOR_ID)
        )
        assert sorted(weeks) == ["2026-W48", "2026-W49", "2026-W50"]


async def test_an_inspector_who_starts_work_at_ten_gets_the_digest_at_ten(tg: Telegram) -> None:
    tg.clock.at = SUNDAY
    d = await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Inspector).where(Inspector.id == d.inspector.id).values(work_from=10))
    await tg.tick()
    tg.clock.at = MONDAY_9
    report = await tg.tick()
    assert report.deferred >= 1 and digests(tg) == []
    tg.clock.at = MONDAY_10
    await tg.tick()
    assert len(digests(tg)) == 1


async def test_a_digest_due_while_the_bot_was_down_too_long_is_listed_as_missed_not_sent(tg: Telegram) -> None:
    tg.clock.at = SUNDAY
    await district(tg)
    await tg.tick()
    tg.clock.at = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 16:00 in Almaty: seven hours after it was due
    await tg.tick()
    assert digests(tg) == []
    [missed] = [m["text"] for m in tg.fake.sent_to(INSPECTOR_ID) if "were due" in m["text"]]
    assert "23 November 2026, 09:00 — the weekly digest of 23 November 2026" in missed


async def test_a_long_walk_lists_thirty_buildings_and_counts_the_rest_and_addresses_stay_as_typed(tg: Telegram) -> None:
    tg.clock.at = SUNDAY
    d = await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        session.add_all(
            Building(
                code=f"B-{number:02d}",
                address=f"Tole bi <st> {number} & yard",
                district="Almaly",
                timezone="Asia/Almaty",
                inspector_id=d.inspector.id,
                created_at=SUNDAY,
            )
            for number in range(1, 32)
        )
    tg.clock.at = MONDAY_9
    await tg.tick()
    [digest] = digests(tg)
    walk = [line for line in digest["text"].splitlines() if line.startswith("☐")]
    assert len(walk) == 30 and walk[0] == "☐ A-12 — Abay ave 10" and walk[1] == "☐ B-01 — Tole bi <st> 1 & yard"
    assert "… and 2 more buildings" in digest["text"]


async def test_the_digest_comes_when_weekly_digest_says(database_url: str, clock: FrozenClock) -> None:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    try:
        settings = make_settings(database_url, fake.base_url, weekly_digest="fri 17:00")
        clock.at = SUNDAY
        async with running_bot(fake, settings, clock) as tg:
            await district(tg)
            await tg.tick()
            tg.clock.at = MONDAY_9
            await tg.tick()
            assert digests(tg) == []
            tg.clock.at = datetime(2026, 11, 27, 11, 59, tzinfo=UTC)
            await tg.tick()
            assert digests(tg) == []
            tg.clock.at = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 17:00 in Almaty
            await tg.tick()
            [digest] = digests(tg)
            assert "Your week from 27 November 2026" in digest["text"]
    finally:
        await fake.stop()
    assert not fake.schema_violations, fake.schema_violations


async def test_a_building_chat_hears_of_the_week_only_when_a_meeting_is_coming_in_its_language_until_turned_off(
    tg: Telegram,
) -> None:
    tg.clock.at = SUNDAY
    d = await district(tg)
    await bound_chats(tg, d, [CHAT])
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(BuildingChat).where(BuildingChat.chat_id == CHAT).values(language="ru"))
    nurlan = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await tg.tick()

    tg.clock.at = MONDAY_10
    await tg.tick()
    assert posts(tg) == [], "nothing is coming up this week"

    await meeting(tg, d, datetime(2026, 12, 2, 14, 0, tzinfo=UTC))  # Wednesday 19:00 there
    tg.clock.at = datetime(2026, 11, 30, 4, 59, tzinfo=UTC)
    await tg.tick()
    assert posts(tg) == []
    tg.clock.at = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday 10:00 in Almaty
    await tg.tick()
    await tg.tick()
    [post] = posts(tg)
    # In the chat's language: Babel's date is Russian already; the sentences come with the Russian catalog.
    # TODO(after translation): assert the Russian heading here too.
    assert post.startswith("📅") and "\n🕖 среда, 2 декабря 2026, 19:00\n📍 Yard by entrance 2" in post

    reply = await nurlan.send("/chat_week")
    assert "The weekly post in your buildings' chats is on" in reply.text
    reply = await nurlan.press(reply.last, "off")
    assert "The weekly post in your buildings' chats is off" in reply.text
    assert not await chat_week(tg, d.inspector.id)

    await meeting(tg, d, datetime(2026, 12, 9, 14, 0, tzinfo=UTC))
    tg.clock.at = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    await tg.tick()
    assert len(posts(tg)) == 1, "turned off: no post"
    async with tg.app.sessionmaker() as session:
        rows = await session.execute(
            select(Reminder.period, Reminder.status, Reminder.note)
            .where(Reminder.kind == "weekly_chat")
            .order_by(Reminder.period)
        )
        assert [tuple(row) for row in rows][:3] == [
            ("2026-W48", "skipped", "nothing coming up this week"),
            ("2026-W49", "sent", None),
            ("2026-W50", "skipped", "the inspector turned the weekly post off"),
        ]


async def test_a_resident_cannot_turn_the_weekly_chat_post_off(tg: Telegram) -> None:
    d, dana, nurlan = await beat(tg)
    await bound_chats(tg, d, [CHAT])

    reply = await dana.send("/chat_week")
    assert reply.text == "This command is for district inspectors."
    forged = ChatWeekCb(on=False, card=True).pack()
    reply = await dana.press_data(reply.last, forged)
    assert "This button is no longer available." in reply.text
    assert await chat_week(tg, d.inspector.id)

    reply = await nurlan.send("/chat_week", chat=Group(CHAT))
    assert reply.text == "Please use this command in a private chat with me."
    assert await chat_week(tg, d.inspector.id)


async def test_an_administrator_with_no_beat_is_told_the_weekly_chat_post_is_an_inspectors_setting(
    tg: Telegram, admin: Person
) -> None:
    await admin.send("/start")  # an administrator who reads Russian (ADMIN_IDS, language from Telegram)
    reply = await admin.send("/chat_week")
    assert reply.text.startswith(
        "Включить или отключить еженедельное сообщение в чатах может только участковый инспектор"
    )
    assert reply.buttons() == []
