"""Meetings: an inspector announces one to the building chats, residents answer, the inspector changes or cancels it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from bot.services import buildings, meetings, outbox, parts, people
from bot.services.meetings import Draft, Published
from bot.ui.meetings.cards import ChatCards
from models import AuditEvent, BuildingChat, Delivery, Meeting, Rsvp
from tests.support.harness import Group, Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, bound_chats, district, resident_of

CHATS = [-101, -102]
PLACE = "Abay ave 10, the yard by entrance 2"
AGENDA = "Parking in the yard\nNoise after 23:00"


async def building_in(tg: Telegram, d: District, code: str, timezone: str, chat_id: int) -> None:
    """Another building of the inspector's, in its own time zone, with a bound chat."""
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code=code, address=f"{code} street 1", district=None, timezone=timezone, actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
        tg.fake.add_group(chat_id, f"{code} chat", creator_id=INSPECTOR_ID)
        session.add(
            BuildingChat(
                building_id=building.id,
                chat_id=chat_id,
                title=f"{code} chat",
                language="en",
                active=True,
                bound_at=tg.clock.now(),
            )
        )


async def building_chat(tg: Telegram, d: District, chat_id: int) -> None:
    """A bound chat of the district's building (its own title)."""
    async with tg.app.sessionmaker.begin() as session:
        tg.fake.add_group(chat_id, f"{d.building.code} chat", creator_id=d.inspector.user_id)
        session.add(
            BuildingChat(
                building_id=d.building.id,
                chat_id=chat_id,
                title=f"{d.building.code} chat",
                language="en",
                active=True,
                bound_at=tg.clock.now(),
            )
        )


async def preview(
    inspector: Person, *, codes: tuple[str, ...] = ("A-12",), when: str = "25.11 19:00", place: str = PLACE
) -> dict[str, Any]:
    """/meeting → buildings → Done → date and time → place → agenda: the preview message."""
    picker = (await inspector.send("/meeting")).last
    for code in codes:
        await inspector.press(picker, code)
    await inspector.press(picker, "Done")
    reply = await inspector.send(when)
    assert "Where will it be?" in reply.text, reply.text
    await inspector.send(place)
    reply = await inspector.send(AGENDA)
    assert "Preview" in reply.last["text"]
    return reply.last


async def announce(tg: Telegram, inspector: Person, **kwargs: Any) -> None:
    await inspector.press(await preview(inspector, **kwargs), "Publish")
    await tg.drain()


async def the_meeting(tg: Telegram) -> Meeting:
    async with tg.app.sessionmaker() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
        return meeting


def announcement(tg: Telegram, chat_id: int) -> dict[str, Any]:
    """The announcement in the chat as members see it now (after edits)."""
    return next(m for m in tg.fake.chat_history(chat_id) if "Meeting with the district inspector" in m.get("text", ""))


def calendars(tg: Telegram, chat_id: int) -> list[Any]:
    """The events of every calendar file the bot posted in the chat, in order."""
    found = []
    for message in tg.fake.sent_to(chat_id):
        if "document" in message:
            assert message["document"]["file_name"] == "meeting.ics"
            content = tg.fake.world.files.by_id[message["document"]["file_id"]].content
            calendar = Calendar.from_ical(content)
            [event] = calendar.walk("VEVENT")
            found.append((calendar, event))
    return found


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def texts(tg: Telegram, chat_id: int) -> str:
    return "\n".join(m.get("text") or m.get("caption") or "" for m in tg.fake.sent_to(chat_id))


async def open_card(tg: Telegram, inspector: Person, day: str = "25 November 2026") -> dict[str, Any]:
    """/meetings, then the meeting's button: its card."""
    listing = (await inspector.send("/meetings")).last
    reply = await inspector.press(listing, day)
    return reply.last


async def announce_from(tg: Telegram, inspector: Person, shown: dict[str, Any]) -> None:
    reply = await inspector.press(shown, "Publish")
    assert "announced in 2 chats" in reply.text
    await tg.drain()


async def test_an_inspector_announces_a_meeting_and_residents_answer_with_live_counts(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    aliya, bolat = tg.person(5001, "Aliya", language_code="en"), tg.person(5002, "Bolat", language_code="en")

    shown = await preview(inspector, when="19.00 25/11")
    assert "Wednesday, 25 November 2026, 19:00" in shown["text"]
    assert "A-12 (2 chats)" in shown["text"]
    await announce_from(tg, inspector, shown)

    for chat_id in CHATS:
        text = announcement(tg, chat_id)["text"]
        assert "Wednesday, 25 November 2026, 19:00" in text and PLACE in text and "Noise after 23:00" in text
        assert "Nurlan Abenov" in text
        assert labels(announcement(tg, chat_id)) == ["✅ I will come (0)", "❌ I cannot (0)"]
        [(calendar, event)] = calendars(tg, chat_id)
        assert event.decoded("dtstart") == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
        assert event.decoded("dtend") == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
        meeting = await the_meeting(tg)
        assert str(event["uid"]) == f"meeting-{meeting.id}@inspector-bot"
        assert int(event["sequence"]) == 0 and str(calendar["method"]) == "PUBLISH"
        assert str(event["location"]) == PLACE
    assert "delivered to every chat (2)" in texts(tg, INSPECTOR_ID)

    reply = await aliya.press(announcement(tg, -101), "I will come")
    assert "you will come" in reply.text
    assert labels(announcement(tg, -101)) == ["✅ I will come (1)", "❌ I cannot (0)"]
    await bolat.press(announcement(tg, -101), "I cannot")
    assert labels(announcement(tg, -101)) == ["✅ I will come (1)", "❌ I cannot (1)"]
    assert labels(announcement(tg, -102)) == ["✅ I will come (0)", "❌ I cannot (0)"], "counts are per chat"

    # A second press on the same answer changes nothing and fails nowhere; changing one's mind moves the count.
    reply = await aliya.press(announcement(tg, -101), "I will come")
    assert "already noted" in reply.text and "editMessageReplyMarkup" not in reply.methods()
    await bolat.press(announcement(tg, -101), "I will come")
    assert labels(announcement(tg, -101)) == ["✅ I will come (2)", "❌ I cannot (0)"]
    async with tg.app.sessionmaker() as session:
        answers = list(await session.scalars(select(Rsvp).order_by(Rsvp.user_id)))
    assert [(a.user_id, a.answer, a.chat_id) for a in answers] == [(5001, "yes", -101), (5002, "yes", -101)]


async def test_the_dialog_takes_the_time_typed_in_several_ways_and_refuses_a_past_one(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    picker = (await inspector.send("/meeting")).last
    reply = await inspector.press(picker, "Done")
    assert "Choose at least one building" in reply.text
    await inspector.press(picker, "A-12")
    reply = await inspector.press(picker, "Done")
    assert "Asia/Almaty (GMT+05:00) time" in reply.text
    for typed, problem in [
        ("20.11 19:00", "That time has already passed"),
        ("tomorrow evening", "I could not read a date and time"),
        ("31.11 19:00", "There is no such date: 31.11"),
        ("25.11", "Please add the time too"),
        ("25.11.2028 19:00", "more than a year ahead"),
    ]:
        reply = await inspector.send(typed)
        assert problem in reply.text, (typed, reply.text)
    reply = await inspector.send("25.11.26 19.00")
    assert "Wednesday, 25 November 2026, 19:00" in reply.text
    await inspector.send(PLACE)
    shown = (await inspector.send(AGENDA)).last

    # From the preview, the time typed again another way.
    await inspector.press(shown, "Time")
    reply = await inspector.send("2026-11-26 18:30")
    assert "Thursday, 26 November 2026, 18:30" in reply.last["text"]
    await inspector.press(reply.last, "Publish")
    await tg.drain()
    assert (await the_meeting(tg)).starts_at == datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    assert "Thursday, 26 November 2026, 18:30" in announcement(tg, -101)["text"]


async def test_a_building_in_tashkent_reads_the_time_there(tg: Telegram) -> None:
    d = await district(tg)
    await building_in(tg, d, "T-1", "Asia/Tashkent", -301)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    await announce(tg, inspector, codes=("T-1",))

    assert (await the_meeting(tg)).starts_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    [(_calendar, event)] = calendars(tg, -301)
    assert event.decoded("dtstart") == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert "25 November 2026, 19:00" in announcement(tg, -301)["text"]


async def test_buildings_in_different_zones_use_the_first_ones_and_each_chat_sees_its_own(tg: Telegram) -> None:
    # Almaty and Tashkent are both UTC+5 since Kazakhstan's one zone of March 2024; Bishkek is UTC+6.
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    await building_in(tg, d, "B-1", "Asia/Bishkek", -401)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    shown = await preview(inspector, codes=("A-12", "B-1"))
    assert "The time is in Asia/Almaty (GMT+05:00), the zone of A-12" in shown["text"]
    await inspector.press(shown, "Publish")
    await tg.drain()

    assert (await the_meeting(tg)).starts_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert "25 November 2026, 19:00" in announcement(tg, -101)["text"]
    assert "25 November 2026, 20:00 — Asia/Bishkek (GMT+06:00)" in announcement(tg, -401)["text"]


async def test_the_announcement_is_pinned_where_the_bot_may_and_unpinned_after_the_meeting(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    tg.fake.world.chats[-101].bot_status = "administrator"
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    await announce(tg, inspector)

    assert tg.fake.world.chats[-101].pinned == [announcement(tg, -101)["message_id"]]
    assert tg.fake.world.chats[-102].pinned == []  # no right to pin there: no pin, and no error

    # A notice after the announcement is not held back by the unpin waiting for the meeting's end.
    async with tg.app.sessionmaker.begin() as session:
        await outbox.enqueue(session, tg.clock, chat_id=-101, parts=parts.message("Water is off on Friday."))
    tg.app.sender.wake()
    await tg.drain()
    assert "Water is off on Friday." in texts(tg, -101)
    assert tg.fake.world.chats[-101].pinned

    tg.clock.advance(days=2, hours=6)  # 25.11, 15:00 UTC: the meeting is on
    await tg.drain()
    assert tg.fake.world.chats[-101].pinned
    tg.clock.advance(hours=1)  # 16:00 UTC: it ended
    await tg.drain()
    assert tg.fake.world.chats[-101].pinned == []


async def test_an_edit_changes_the_announcement_tells_the_chats_and_moves_the_unpin(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    tg.fake.world.chats[-101].bot_status = "administrator"
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await announce(tg, inspector)
    aliya = tg.person(5001, "Aliya", language_code="en")
    await aliya.press(announcement(tg, -101), "I will come")

    card = await open_card(tg, inspector)
    await inspector.press(card, "Edit")
    await inspector.press(card, "Time")
    reply = await inspector.send("26.11 18.00")
    assert "Thursday, 26 November 2026, 18:00" in reply.last["text"]
    reply = await inspector.press(reply.last, "Save")
    assert "Saved" in reply.text
    await tg.drain()

    meeting = await the_meeting(tg)
    assert meeting.sequence == 1 and meeting.starts_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    for chat_id in CHATS:
        edited = announcement(tg, chat_id)
        assert "Thursday, 26 November 2026, 18:00" in edited["text"] and "edit_date" in edited
        assert "has changed" in texts(tg, chat_id) and "New time: Thursday, 26 November 2026, 18:00" in texts(
            tg, chat_id
        )
        [_first, (_calendar, event)] = calendars(tg, chat_id)
        assert int(event["sequence"]) == 1
        assert event.decoded("dtstart") == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
        assert str(event["uid"]) == f"meeting-{meeting.id}@inspector-bot"
    assert labels(announcement(tg, -101)) == ["✅ I will come (1)", "❌ I cannot (0)"], "the answers stay"
    assert "«Meeting changed: 26 November 2026, 18:00" in texts(tg, INSPECTOR_ID)

    tg.clock.advance(days=2, hours=8)  # 25.11, 17:00 UTC: the old end passed, the new one not
    await tg.drain()
    assert tg.fake.world.chats[-101].pinned
    tg.clock.advance(days=1)
    await tg.drain()
    assert tg.fake.world.chats[-101].pinned == []

    # The place, changed the same way; the change message says what is new.
    card = await open_card(tg, inspector, "26 November 2026")
    await inspector.press(card, "Edit")
    await inspector.press(card, "Place")
    reply = await inspector.send("School №5, hall")
    await inspector.press(reply.last, "Save")
    await tg.drain()
    assert "New place: School №5, hall" in texts(tg, -102)
    assert "School №5, hall" in announcement(tg, -102)["text"]
    assert (await the_meeting(tg)).sequence == 2


async def test_a_cancelled_meeting_is_marked_in_the_chats_unpinned_and_refuses_answers(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    tg.fake.world.chats[-101].bot_status = "administrator"
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await announce(tg, inspector)
    aliya = tg.person(5001, "Aliya", language_code="en")
    before = announcement(tg, -101)
    yes = next(b["callback_data"] for row in before["reply_markup"]["inline_keyboard"] for b in row)

    card = await open_card(tg, inspector)
    reply = await inspector.press(card, "Cancel the meeting")
    assert "Cancel the meeting on Wednesday, 25 November 2026, 19:00?" in reply.text
    reply = await inspector.press(card, "Yes, cancel it")
    assert "is cancelled" in reply.text
    await tg.drain()

    meeting = await the_meeting(tg)
    assert meeting.status == "cancelled" and meeting.sequence == 1
    for chat_id in CHATS:
        withdrawn = next(m for m in tg.fake.chat_history(chat_id) if m["message_id"] == before["message_id"])
        assert "is cancelled" in withdrawn["text"] and "reply_markup" not in withdrawn
        assert "on Wednesday, 25 November 2026, 19:00 is cancelled" in texts(tg, chat_id)
        [_first, (calendar, event)] = calendars(tg, chat_id)
        assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert int(event["sequence"]) == 1
    assert tg.fake.world.chats[-101].pinned == []
    assert "«Meeting cancelled: 25 November 2026, 19:00" in texts(tg, INSPECTOR_ID)

    # A stale client still shows the buttons: the press says the meeting is cancelled.
    reply = await aliya.press_data(before, yes)
    assert "This meeting is cancelled." in reply.text
    # Pressing Yes again on the old confirmation cancels nothing twice.
    reply = await inspector.press_data(card, f"mt:cancel_ok:{meeting.id}")
    assert "This meeting is cancelled." in reply.text
    async with tg.app.sessionmaker() as session:
        sent = list(await session.scalars(select(Delivery).where(Delivery.chat_id == -101)))
    assert len([row for row in sent if row.parts[0]["kind"] == "unpin" and row.status == "sent"]) == 1
    tg.clock.advance(days=3)
    await tg.drain()
    assert len(tg.fake.calls("unpinChatMessage")) == 2  # now, once per chat; the scheduled ones were withdrawn


async def test_a_meeting_cancelled_before_its_announcement_went_out_withdraws_it(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    # Telegram makes -102 wait: its announcement is still in the outbox when the meeting is cancelled.
    tg.fake.fail_next(
        "sendMessage",
        chat_id=-102,
        error_code=429,
        description="Too Many Requests: retry after 60",
        parameters={"retry_after": 60},
    )
    await announce(tg, inspector)
    assert "Meeting with the district inspector" in texts(tg, -101) and tg.fake.sent_to(-102) == []

    card = await open_card(tg, inspector)
    await inspector.press(card, "Cancel the meeting")
    await inspector.press(card, "Yes, cancel it")
    await tg.drain()
    tg.clock.advance(minutes=2)
    await tg.drain()

    assert tg.fake.sent_to(-102) == [], "never announced there, so nothing to take back"
    assert "is cancelled" in texts(tg, -101)
    assert "delivered to every chat (1)" in texts(tg, INSPECTOR_ID)


async def test_meetings_lists_them_for_the_inspector_the_resident_and_the_building_chat(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    stranger = tg.person(6001, "Stranger", language_code="en")
    await announce(tg, inspector)
    await dana.press(announcement(tg, -101), "I will come")
    await tg.person(5002, "Bolat", language_code="en").press(announcement(tg, -102), "I cannot")

    reply = await inspector.send("/meetings")
    assert "Planned meetings: 1" in reply.text
    assert "25 November 2026, 19:00 · A-12" in reply.text and "✅ 1 will come · ❌ 1 cannot" in reply.text
    card = (await inspector.press(reply.last, "25 November 2026")).last
    assert labels(card) == ["✏️ Edit", "❌ Cancel the meeting"]

    reply = await dana.send("/meetings")
    assert "Wednesday, 25 November 2026, 19:00" in reply.text and PLACE in reply.text
    assert "Your answer: you will come." in reply.text

    reply = await dana.send("/meetings", chat=Group(-102))
    assert "Wednesday, 25 November 2026, 19:00" in reply.text and "Your answer" not in reply.text

    reply = await stranger.send("/meetings")
    assert "You are not registered yet" in reply.text

    # Once its time has passed, the card offers to record the results (another dialog records them).
    tg.clock.advance(days=2, hours=6)
    reply = await inspector.send("/meetings")
    assert "results not recorded" in reply.text
    card = (await inspector.press(reply.last, "25 November 2026")).last
    assert labels(card) == ["📝 Record results", "✏️ Edit", "❌ Cancel the meeting"]
    reply = await dana.press(announcement(tg, -101), "I cannot")
    assert "already begun" in reply.text
    tg.clock.advance(hours=2)
    assert "No meetings" in (await dana.send("/meetings")).text


async def test_forged_meeting_buttons_get_the_generic_refusal_and_are_recorded(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await announce(tg, inspector)
    meeting = await the_meeting(tg)
    post = announcement(tg, -101)

    # No such meeting; not a number at all.
    for data in ("mt:yes:999999", "mt:yes:abc"):
        reply = await dana.press_data(post, data)
        assert "This button is no longer available." in reply.text
    # The meeting, answered from the chat of a building it is not for.
    other = await district(tg, inspector_id=2001, code="Z-9")
    await building_chat(tg, other, -901)
    elsewhere = (await dana.send("/meetings", chat=Group(-901))).last
    reply = await dana.press_data(elsewhere, f"mt:yes:{meeting.id}")
    assert "This button is no longer available." in reply.text
    # A resident forging the inspector's buttons in private; another inspector forging a cancel.
    own = (await dana.send("/meetings")).last
    reply = await dana.press_data(own, f"mt:cancel_ok:{meeting.id}")
    assert "This button is no longer available." in reply.text
    other_inspector = tg.person(2001, "Other", language_code="en")
    theirs = (await other_inspector.send("/meetings")).last
    reply = await other_inspector.press_data(theirs, f"mt:cancel_ok:{meeting.id}")
    assert "This button is no longer available." in reply.text

    assert (await the_meeting(tg)).status == "planned"
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("%refused"))))
        answers = (await session.scalars(select(Rsvp))).all()
    # "mt:yes:abc" is stopped before any handler: no button the bot makes carries that.
    assert refused.count("meeting_refused") == 3 and refused.count("button_refused") == 1
    assert refused.count("callback_refused") == 1
    assert answers == []


async def test_a_forged_answer_on_another_bot_message_repaints_nothing(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await announce(tg, inspector)
    meeting = await the_meeting(tg)
    other_message = (await dana.send("/inspector", chat=Group(-101))).last

    reply = await dana.press_data(other_message, f"mt:yes:{meeting.id}")
    assert "This button is no longer available." in reply.text
    assert not [
        c for c in tg.fake.calls("editMessageReplyMarkup") if c.params["message_id"] == other_message["message_id"]
    ]
    async with tg.app.sessionmaker() as session:
        assert (await session.scalars(select(Rsvp))).all() == []
    reply = await dana.press(announcement(tg, -101), "I will come")
    assert "you will come" in reply.text


async def test_a_stranger_and_a_resident_are_refused_meeting(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    stranger = tg.person(6001, "Stranger", language_code="en")

    for person in (dana, stranger):
        reply = await person.send("/meeting")
        assert "This command is for district inspectors." in reply.text
    async with tg.app.sessionmaker() as session:
        assert (await session.scalars(select(Meeting))).all() == []


async def test_a_second_press_on_publish_or_a_redelivered_update_publishes_once(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    shown = await preview(inspector)
    publish = next(
        b["callback_data"] for row in shown["reply_markup"]["inline_keyboard"] for b in row if "Publish" in b["text"]
    )

    update = tg.fake.callback_update(INSPECTOR_ID, shown, publish)
    first = await tg.deliver(update)
    assert "announced in 2 chats" in first.text
    again = await inspector.press_data(shown, publish)
    assert "announced" not in again.text
    await tg.redeliver(update)
    await tg.drain()

    async with tg.app.sessionmaker() as session:
        assert len((await session.scalars(select(Meeting))).all()) == 1
    for chat_id in CHATS:
        assert (
            len([m for m in tg.fake.sent_to(chat_id) if "Meeting with the district inspector" in m.get("text", "")])
            == 1
        )
        assert len(calendars(tg, chat_id)) == 1


async def test_two_presses_on_publish_at_the_same_moment_make_one_meeting(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    draft = Draft(
        key=str(uuid.uuid4()),
        building_ids=[d.building.id],
        starts_at=datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
        place=PLACE,
        agenda=AGENDA,
    )

    async def press() -> Published:
        async with tg.app.sessionmaker.begin() as session:
            actor = await people.load_actor(session, INSPECTOR_ID, is_admin=False)
            return await meetings.publish(session, tg.clock, actor, draft, ChatCards(tg.app.i18n))

    with tg.app.i18n.context(), tg.app.i18n.use_locale("en"):
        results = await asyncio.gather(press(), press())

    assert sorted(result.created for result in results) == [False, True]
    assert results[0].meeting.id == results[1].meeting.id
    async with tg.app.sessionmaker() as session:
        assert len((await session.scalars(select(Meeting))).all()) == 1
        announcements = (await session.scalars(select(Delivery).where(Delivery.chat_id < 0))).all()
    assert sorted(row.chat_id for row in announcements if row.parts[0]["kind"] == "text") == sorted(CHATS)
