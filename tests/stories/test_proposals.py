"""After a meeting the inspector records it as held with the proposals raised; residents propose any time with
/propose; /forget_me takes a person's chat questions and meeting answers away and leaves their proposals nameless."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.ui.callbacks import MeetingCb
from models import AuditEvent, Building, Delivery, GroupQuestion, Meeting, Proposal, Rsvp
from tests.stories.test_questions import CHAT, notice_in_chat
from tests.support.appeal_steps import texts_in
from tests.support.harness import Group, Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, beat, bound_chats, district, resident_of

ADMIN_ID = 1


async def a_meeting(
    tg: Telegram, d: District, *, starts_in: timedelta = timedelta(hours=-2), status: str = "planned", extra: int = 0
) -> int:
    """A meeting of the district's inspector (the meetings dialog has its own stories), with `extra` more buildings."""
    async with tg.app.sessionmaker.begin() as session:
        buildings = [await session.get(Building, d.building.id)]
        for number in range(extra):
            other = Building(
                code=f"Z-{number}", address="Abay ave 12", timezone="Asia/Almaty", created_at=tg.clock.now()
            )
            session.add(other)
            buildings.append(other)
        meeting = Meeting(
            draft_key=str(uuid.uuid4()),
            inspector_id=d.inspector.id,
            author_id=INSPECTOR_ID,
            starts_at=tg.clock.now() + starts_in,
            timezone="Asia/Almaty",
            place="The yard of Abay ave 10",
            agenda="Safety in the yard",
            status=status,
            sequence=0,
            created_at=tg.clock.now(),
            buildings=[b for b in buildings if b is not None],
        )
        session.add(meeting)
        await session.flush()
        return meeting.id


async def press_results(person: Person, meeting_id: int) -> Any:
    """Press the /meetings card's "Results" button (the meetings dialog shows it; here its data is pressed)."""
    message = (await person.send("/help")).last
    return await person.press_data(message, MeetingCb(action="results", meeting_id=meeting_id).pack())


async def meeting(tg: Telegram, meeting_id: int) -> Meeting:
    async with tg.app.sessionmaker() as session:
        found = await session.get(Meeting, meeting_id)
        assert found is not None
        return found


async def proposals(tg: Telegram) -> list[Proposal]:
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(Proposal).order_by(Proposal.id)))


# --- the meeting's results ------------------------------------------------------------------------


async def test_the_inspector_records_a_meeting_as_held_with_the_proposals_raised(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    meeting_id = await a_meeting(tg, d)

    reply = await press_results(inspector, meeting_id)
    assert "Results of the meeting: 23 November 2026, 12:00, The yard of Abay ave 10" in reply.text
    assert "How many residents came?" in reply.text
    reply = await inspector.send("many")
    assert "as a whole number" in reply.text
    reply = await inspector.send("-3")
    assert "as a whole number" in reply.text
    reply = await inspector.send("23")
    assert "Short minutes" in reply.text
    reply = await inspector.send("x" * 2001)
    assert "The minutes are too long: 2001 characters, the limit is 2000" in reply.text
    reply = await inspector.send("Discussed parking in the yard and the broken light at entrance 2.")
    assert "Send each proposal as a message" in reply.text
    reply = await inspector.send("y" * 1001)
    assert "too long: 1001 characters, the limit is 1000" in reply.text
    await inspector.send("Install a light at entrance 2")
    reply = await inspector.send("A speed bump <by> the playground & school")
    assert "Proposal 2 noted" in reply.text

    reply = await inspector.press(reply.last, "Done")
    summary = reply.last
    assert "Attendance: 23" in summary["text"] and "Proposals raised (2):" in summary["text"]
    assert "2. A speed bump <by> the playground & school" in summary["text"]
    save = next(
        b["callback_data"] for row in summary["reply_markup"]["inline_keyboard"] for b in row if "Save" in b["text"]
    )
    reply = await inspector.press(summary, "Save")
    assert "is recorded as held: " in reply.text and "Attendance: 23. 2 proposals recorded." in reply.text

    held = await meeting(tg, meeting_id)
    assert held.status == "held" and held.attendance == 23 and held.held_recorded_at == tg.clock.now()
    assert held.minutes == "Discussed parking in the yard and the broken light at entrance 2."
    rows = await proposals(tg)
    assert [(p.text, p.source, p.status, p.meeting_id, p.building_id, p.resident_id) for p in rows] == [
        ("Install a light at entrance 2", "meeting", "recorded", meeting_id, d.building.id, None),
        ("A speed bump <by> the playground & school", "meeting", "recorded", meeting_id, d.building.id, None),
    ]

    # A second press on Save (a stale client) records nothing twice.
    reply = await inspector.press_data(summary, save)
    assert "no longer available" in reply.text
    assert len(await proposals(tg)) == 2


async def test_a_meeting_of_several_buildings_without_minutes_or_proposals(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    meeting_id = await a_meeting(tg, d, extra=1)

    await press_results(inspector, meeting_id)
    reply = await inspector.send("0")
    reply = await inspector.press(reply.last, "Skip")
    assert "Send each proposal as a message" in reply.text
    reply = await inspector.press(reply.last, "Done")
    assert "No proposals raised." in reply.text and "Minutes: none" in reply.text
    reply = await inspector.press(reply.last, "Save")
    assert "Attendance: 0. 0 proposals recorded." in reply.text

    held = await meeting(tg, meeting_id)
    assert held.status == "held" and held.attendance == 0 and held.minutes is None
    assert await proposals(tg) == []


async def test_proposals_of_a_meeting_of_several_buildings_belong_to_no_single_building(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    meeting_id = await a_meeting(tg, d, extra=2)

    await press_results(inspector, meeting_id)
    reply = await inspector.send("41")
    await inspector.press(reply.last, "Skip")
    reply = await inspector.send("A common playground for the three buildings")
    reply = await inspector.press(reply.last, "Done")
    await inspector.press(reply.last, "Save")

    [row] = await proposals(tg)
    assert row.building_id is None and row.meeting_id == meeting_id


async def test_results_are_refused_before_the_start_for_a_cancelled_or_recorded_meeting_and_to_others(
    tg: Telegram,
) -> None:
    d, _dana, inspector = await beat(tg)
    await district(tg, inspector_id=2001, code="B-1")
    other = tg.person(2001, "Serik", language_code="en")
    upcoming = await a_meeting(tg, d, starts_in=timedelta(hours=3))
    cancelled = await a_meeting(tg, d, status="cancelled")
    recorded = await a_meeting(tg, d, status="held")
    past = await a_meeting(tg, d)

    assert "has not started yet" in (await press_results(inspector, upcoming)).text
    assert "was cancelled" in (await press_results(inspector, cancelled)).text
    assert "already recorded as held" in (await press_results(inspector, recorded)).text
    assert "not yours to record" in (await press_results(other, past)).text
    assert "not yours to record" in (await press_results(other, 999_999)).text
    reply = await other.send("23")
    assert "Attendance" not in reply.text, "no dialog was started"
    async with tg.app.sessionmaker() as session:
        refused = await session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "meeting_refused"))
    assert refused == 2

    # Time passes: the upcoming meeting can be recorded once it has started; an administrator may do it too.
    tg.clock.advance(hours=4)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    assert "How many residents came?" in (await press_results(admin, upcoming)).text


async def test_a_meeting_cancelled_during_the_dialog_is_not_saved(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    meeting_id = await a_meeting(tg, d)
    await press_results(inspector, meeting_id)
    reply = await inspector.send("12")
    reply = await inspector.press(reply.last, "Skip")
    reply = await inspector.press(reply.last, "Done")
    async with tg.app.sessionmaker.begin() as session:
        found = await session.get(Meeting, meeting_id)
        assert found is not None
        found.status = "cancelled"

    reply = await inspector.press(reply.last, "Save")

    assert "was cancelled" in reply.text
    assert (await meeting(tg, meeting_id)).attendance is None


# --- /propose ---------------------------------------------------------------------------------------


async def test_a_resident_proposes_inline_and_the_inspector_is_told(tg: Telegram) -> None:
    _d, dana, _inspector = await beat(tg)

    reply = await dana.send("/propose Install a light at <entrance 2>")
    assert "Your proposal to the inspector of building A-12:" in reply.text
    assert "Install a light at <entrance 2>" in reply.text
    reply = await dana.press(reply.last, "Send")
    assert "Your proposal is recorded and passed to the inspector" in reply.text
    await tg.drain()

    told = texts_in(tg, INSPECTOR_ID)
    assert "💡 New proposal from Dana, a resident of A-12:\n\nInstall a light at <entrance 2>" in told
    assert "flat" not in told
    [row] = await proposals(tg)
    assert (row.source, row.status, row.resident_id, row.meeting_id) == ("bot", "recorded", RESIDENT_ID, None)
    assert row.building_id == _d.building.id and row.text == "Install a light at <entrance 2>"


async def test_a_resident_proposes_step_by_step_and_may_cancel(tg: Telegram) -> None:
    _d, dana, _inspector = await beat(tg)

    reply = await dana.send("/propose")
    assert "What do you propose" in reply.text
    reply = await dana.send("More benches in the yard")
    assert "More benches in the yard" in reply.text
    reply = await dana.press(reply.last, "Cancel")
    assert "The proposal was not sent." in reply.text
    assert await proposals(tg) == []

    await dana.send("/propose")
    reply = await dana.send("More benches in the yard")
    await dana.press(reply.last, "Send")
    assert len(await proposals(tg)) == 1


async def test_a_too_long_proposal_is_refused_not_cut(tg: Telegram) -> None:
    _d, dana, _inspector = await beat(tg)

    reply = await dana.send("/propose " + "a" * 1001)
    assert "The proposal is too long: 1001 characters, the limit is 1000" in reply.text
    reply = await dana.send("b" * 1000)
    reply = await dana.press(reply.last, "Send")
    [row] = await proposals(tg)
    assert row.text == "b" * 1000


async def test_proposals_are_limited_to_five_a_day(tg: Telegram) -> None:
    _d, dana, _inspector = await beat(tg)
    for number in range(5):
        reply = await dana.send(f"/propose Proposal {number}")
        await dana.press(reply.last, "Send")
        tg.clock.advance(hours=1)

    reply = await dana.send("/propose One more")
    assert "You have sent 5 proposals in the last 24 hours, which is the limit" in reply.text
    assert len(await proposals(tg)) == 5

    tg.clock.advance(hours=20)  # the first one is now more than a day old
    reply = await dana.send("/propose One more")
    await dana.press(reply.last, "Send")
    assert len(await proposals(tg)) == 6


async def test_propose_needs_registration(tg: Telegram) -> None:
    await district(tg)
    stranger = tg.person(4001, "Timur", language_code="en")

    reply = await stranger.send("/propose A light at entrance 2")

    assert "You are not registered yet" in reply.text
    assert await proposals(tg) == []


async def test_a_proposal_from_a_building_without_an_inspector_goes_to_the_administrators(tg: Telegram) -> None:
    await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        lonely = Building(code="C-3", address="Tole bi 5", timezone="Asia/Almaty", created_at=tg.clock.now())
        session.add(lonely)
    await resident_of(tg, lonely, 3005, "Erlan")
    erlan = tg.person(3005, "Erlan", language_code="en")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/start")  # the bot learns the administrator's language

    reply = await erlan.send("/propose Repair the stairs")
    await erlan.press(reply.last, "Send")
    await tg.drain()

    assert "New proposal from Erlan, a resident of C-3" in texts_in(tg, ADMIN_ID)
    assert "New proposal" not in texts_in(tg, INSPECTOR_ID)


async def test_propose_in_a_group_answers_with_a_button_to_the_private_chat(tg: Telegram) -> None:
    d, dana, _inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])

    reply = await dana.send("/propose", chat=Group(CHAT))
    [button] = reply.last["reply_markup"]["inline_keyboard"][0]
    assert button["url"].endswith("?start=propose")
    assert await proposals(tg) == []

    reply = await dana.send("/start propose")
    assert "What do you propose" in reply.text


# --- /forget_me -------------------------------------------------------------------------------------


async def test_forget_me_removes_chat_questions_and_rsvps_and_leaves_proposals_nameless(tg: Telegram) -> None:
    d, dana, _inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in_chat(tg)
    meeting_id = await a_meeting(tg, d, starts_in=timedelta(days=2))
    async with tg.app.sessionmaker.begin() as session:
        session.add(Rsvp(meeting_id=meeting_id, user_id=RESIDENT_ID, chat_id=CHAT, answer="yes", at=tg.clock.now()))
    reply = await dana.send("/propose More benches")
    await dana.press(reply.last, "Send")
    await dana.reply_to(notice, "Which water, hot or cold?")
    await tg.drain()
    # A second question waits: the inspector's chat is held by flood control.
    tg.fake.fail_next(
        "sendMessage",
        chat_id=INSPECTOR_ID,
        error_code=429,
        description="Too Many Requests: retry after 60",
        parameters={"retry_after": 60},
    )
    await dana.reply_to(notice, "And on Saturday?")
    await tg.drain()

    reply = await dana.send("/forget_me")
    await dana.press(reply.last, "Delete my data")
    tg.clock.advance(seconds=61)
    await tg.drain()

    async with tg.app.sessionmaker() as session:
        assert (await session.scalar(select(func.count(GroupQuestion.id)))) == 0
        assert (await session.scalar(select(func.count(Rsvp.id)))) == 0
        [row] = list(await session.scalars(select(Proposal)))
        waiting = list(await session.scalars(select(Delivery.status).where(Delivery.chat_id == INSPECTOR_ID)))
    assert row.resident_id is None and row.text == "More benches", "the proposal stays in the plan"
    assert "cancelled" in waiting and "pending" not in waiting
    assert "And on Saturday?" not in texts_in(tg, INSPECTOR_ID), "a forgotten question is not passed on"


async def test_forget_me_works_for_someone_only_known_from_a_chat_question(tg: Telegram) -> None:
    d, _dana, _inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in_chat(tg)
    timur = tg.person(4001, "Timur", language_code="en")
    await timur.reply_to(notice, "Is it the whole street?")
    await tg.drain()

    reply = await timur.send("/privacy")
    assert "The bot keeps your answers and questions from building chats: 1." in reply.text
    reply = await timur.send("/forget_me")
    reply = await timur.press(reply.last, "Delete my data")
    assert "Your data has been deleted" in reply.text
    async with tg.app.sessionmaker() as session:
        assert (await session.scalar(select(func.count(GroupQuestion.id)))) == 0
    reply = await timur.send("/forget_me")
    assert "The bot keeps nothing about you." in reply.text
