"""The proposals register: the inspector lists residents' proposals by building and status with /proposals and moves
each one recorded → in the work plan → done, or declines it with a comment; the resident who sent it is told."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import people, proposals
from bot.services.errors import NotAllowed
from bot.services.parts import Part, message
from bot.services.proposals import CommentRequired, InvalidMove
from bot.services.render import Reader
from bot.ui.callbacks import ProposalCb, RegisterCb
from bot.ui.proposals.register import to_resident
from models import AuditEvent, Delivery, Proposal
from tests.stories.test_notices import another_building
from tests.stories.test_proposals import a_meeting, press_results
from tests.stories.test_questions import CHAT
from tests.support.appeal_steps import texts_in
from tests.support.harness import Group, Person, Reply, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, bound_chats, district, resident_of

ADMIN_ID = 1
OTHER_INSPECTOR = 2001
LIGHT = "Install a light at <entrance 2> & the yard"


# --- steps ------------------------------------------------------------------------------------------


async def proposal_of(
    tg: Telegram,
    building_id: int | None,
    text: str = LIGHT,
    *,
    resident_id: int | None = None,
    meeting_id: int | None = None,
    status: str = "recorded",
    days_ago: int = 0,
) -> int:
    """A proposal as /propose (with a resident) or a meeting records it (the dialogs have their own stories)."""
    async with tg.app.sessionmaker.begin() as session:
        at = tg.clock.now() - timedelta(days=days_ago)
        row = Proposal(
            building_id=building_id,
            meeting_id=meeting_id,
            resident_id=resident_id,
            source="bot" if resident_id is not None else "meeting",
            text=text,
            status=status,
            created_at=at,
            updated_at=at,
        )
        session.add(row)
        await session.flush()
        return row.id


async def status_of(tg: Telegram, proposal_id: int) -> str:
    async with tg.app.sessionmaker() as session:
        row = await session.get(Proposal, proposal_id)
        assert row is not None
        return row.status


async def audited(tg: Telegram, action: str) -> list[AuditEvent]:
    async with tg.app.sessionmaker() as session:
        return list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def press_exactly(person: Person, message: dict[str, Any], label: str) -> Reply:
    """Press the button labelled exactly `label` (a filter's current choice is marked with "• ")."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    matching = [b for row in keyboard for b in row if b["text"].removeprefix("• ") == label]
    assert matching, f"no button {label!r} among {labels(message)}"
    return await person.press_data(message, matching[0]["callback_data"], require_button=True)


async def open_card(person: Person, number: int) -> Reply:
    """/proposals, then the proposal's button in the list."""
    reply = await person.send("/proposals")
    return await person.press(reply.last, f"№{number} ")


async def forge(person: Person, data: str) -> Reply:
    """Callback data a modified client made up, pressed under one of the person's own messages."""
    message = (await person.send("/help")).last
    return await person.press_data(message, data)


def in_language(tg: Telegram, language: str, text: str, status: str, comment: str | None = None) -> str:
    """What the resident should read, rendered in their language (as Telegram shows the HTML)."""
    with tg.app.i18n.context(), tg.app.i18n.use_locale(language):
        return unescape(to_resident(Proposal(text=text, status=status, comment=comment)))


# --- the register -----------------------------------------------------------------------------------


async def test_proposals_from_propose_and_from_a_recorded_meeting_appear_in_the_register(tg: Telegram) -> None:
    d, dana, inspector = await beat(tg)
    reply = await dana.send(f"/propose {LIGHT}")
    await dana.press(reply.last, "Send")
    meeting_id = await a_meeting(tg, d, extra=1)  # A-12 and Z-0: its proposals belong to no single building
    await press_results(inspector, meeting_id)
    reply = await inspector.send("31")
    await inspector.press(reply.last, "Skip")
    reply = await inspector.send("A common playground for both buildings")
    reply = await inspector.press(reply.last, "Done")
    await inspector.press(reply.last, "Save")

    reply = await inspector.send("/proposals")
    register = reply.last
    assert "Proposals: 2" in reply.text
    assert "№1 · A-12 · 23 November 2026 · recorded\nInstall a light at <entrance 2> & the yard" in reply.text
    assert "№2 · A-12, Z-0 · 23 November 2026 · recorded\nA common playground for both buildings" in reply.text
    assert labels(register)[2:4] == ["• All buildings", "A-12"], "Z-0 is not the inspector's building"

    reply = await inspector.press(register, "№1 ")
    card = reply.text
    assert "Proposal №1 · A-12" in card and "Status: recorded" in card
    assert "Sent by a resident through the bot on 23 November 2026." in card
    assert LIGHT in card and "23 November 2026, 14:00 — recorded" in card
    assert "The resident who sent it is told of each change." in card
    assert "Dana" not in card, "the register keeps no names"
    assert labels(reply.last) == ["📋 Into the work plan", "⛔ Decline", "◀️ Back to the list"]

    reply = await inspector.press(reply.last, "Back to the list")
    reply = await inspector.press(reply.last, "№2 ")
    assert "Proposal №2 · A-12, Z-0" in reply.text
    assert "Raised at the meeting of 23 November 2026, 12:00, The yard of Abay ave 10." in reply.text
    assert "is told" not in reply.text

    # The administrator sees every proposal; another inspector none of these; /help lists the command.
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/start")
    assert "Proposals: 2" in (await admin.send("/proposals")).text
    await district(tg, inspector_id=OTHER_INSPECTOR, code="B-1")
    other = tg.person(OTHER_INSPECTOR, "Serik", language_code="en")
    reply = await other.send("/proposals")
    assert "Proposals: 0" in reply.text and "No proposals here." in reply.text
    assert "/proposals — residents' proposals" in (await inspector.send("/help")).text


async def test_the_register_filters_by_building_and_status_and_pages(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    second = await another_building(tg, d, "A-14")
    for number in range(8):
        await proposal_of(tg, d.building.id, f"Bench number {number}", days_ago=20 - number)
    await proposal_of(tg, second.building.id, "Speed bump", status="in_plan", days_ago=3)
    await proposal_of(tg, second.building.id, "Lights on the path", status="in_plan", days_ago=2)
    await proposal_of(tg, second.building.id, "Fix the gate", status="done", days_ago=1)
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="B-1")
    await proposal_of(tg, other.building.id, "Not the inspector's")

    reply = await inspector.send("/proposals")
    assert "Proposals: 11" in reply.text and "Fix the gate" in reply.text and "Not the inspector's" not in reply.text
    assert "Bench number 2" not in reply.text, "the oldest are on the second page"
    assert "1/2" in labels(reply.last)
    reply = await inspector.press(reply.last, "▶️")
    assert "Bench number 0" in reply.text and "Bench number 4" in reply.text and "Fix the gate" not in reply.text

    reply = await press_exactly(inspector, reply.last, "A-14")
    assert "Proposals: 3 · building A-14" in reply.text and "Bench" not in reply.text
    reply = await press_exactly(inspector, reply.last, "in the work plan")
    assert "Proposals: 2 · building A-14, in the work plan" in reply.text
    assert "Speed bump" in reply.text and "Fix the gate" not in reply.text
    reply = await press_exactly(inspector, reply.last, "All buildings")
    assert "Proposals: 2 · in the work plan" in reply.text
    reply = await press_exactly(inspector, reply.last, "recorded")
    assert "Proposals: 8 · recorded" in reply.text

    reply = await inspector.send("/proposals a-14")
    assert "Proposals: 3 · building A-14" in reply.text
    reply = await inspector.send("/proposals B-1")
    assert "There are no proposals for building B-1 in your register." in reply.text
    # A filter forged with another inspector's building shows nothing of theirs.
    reply = await forge(inspector, RegisterCb(building_id=other.building.id).pack())
    assert "Proposals: 11" in reply.text and "Not the inspector's" not in reply.text
    # A page past the end lands on the last one.
    reply = await forge(inspector, RegisterCb(page=9).pack())
    assert "Bench number 0" in reply.text


# --- moving a proposal ------------------------------------------------------------------------------


async def test_moving_a_proposal_into_the_plan_and_done_tells_the_resident_each_time_in_their_language(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana", language="ru")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    number = await proposal_of(tg, d.building.id, resident_id=RESIDENT_ID)

    reply = await open_card(inspector, number)
    tg.clock.advance(hours=26)
    reply = await inspector.press(reply.last, "Into the work plan")
    assert f"Proposal №{number} is now: in the work plan." in reply.text
    assert "Status: in the work plan" in reply.text
    assert labels(reply.last) == ["✅ Done", "⛔ Decline", "◀️ Back to the list"]
    await tg.drain()
    assert in_language(tg, "ru", LIGHT, "in_plan") in texts_in(tg, RESIDENT_ID)

    tg.clock.advance(days=30)
    reply = await inspector.press(reply.last, "Done")
    assert "Status: done" in reply.text
    assert "24 November 2026, 16:00 — in the work plan\n24 December 2026, 16:00 — done" in reply.text
    assert labels(reply.last) == ["◀️ Back to the list"], "done is final"
    await tg.drain()
    assert in_language(tg, "ru", LIGHT, "done") in texts_in(tg, RESIDENT_ID)

    moves = await audited(tg, "proposal_moved")
    assert [(e.actor_id, e.object_id, e.details) for e in moves] == [
        (INSPECTOR_ID, str(number), {"from": "recorded", "to": "in_plan", "comment": None}),
        (INSPECTOR_ID, str(number), {"from": "in_plan", "to": "done", "comment": None}),
    ]
    assert [e.at for e in moves] == [tg.clock.now() - timedelta(days=30), tg.clock.now()]


async def test_the_resident_is_told_in_their_own_language_and_with_the_inspectors_comment(tg: Telegram) -> None:
    """The service hands the renderer the language of the resident who sent the proposal, not the inspector's."""
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana", language="kk")
    number = await proposal_of(tg, d.building.id, resident_id=RESIDENT_ID)
    seen: list[tuple[str, str | None, str]] = []

    def render(proposal: Proposal, reader: Reader) -> list[Part]:
        seen.append((proposal.status, proposal.comment, reader.locale))
        return message(f"{reader.locale}: {proposal.status}")

    async with tg.app.sessionmaker.begin() as session:
        actor = await people.load_actor(session, INSPECTOR_ID, is_admin=False)
        moved = await proposals.move(session, tg.clock, actor, number, "in_plan", " In March ", notice=render)
        assert moved.told == RESIDENT_ID and moved.previous == "recorded"
        with pytest.raises(CommentRequired):
            await proposals.move(session, tg.clock, actor, number, "declined", "  ", notice=render)
        with pytest.raises(InvalidMove):
            await proposals.move(session, tg.clock, actor, number, "recorded", notice=render)
        parts = list(await session.scalars(select(Delivery.parts).where(Delivery.chat_id == RESIDENT_ID)))
    assert seen == [("in_plan", "In March", "kk")]
    assert [p[0]["text"] for p in parts] == ["kk: in_plan"]
    assert "The inspector's comment: In March" in in_language(tg, "en", LIGHT, "in_plan", "In March")


async def test_declining_asks_for_a_comment_which_the_resident_reads(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    number = await proposal_of(tg, d.building.id, resident_id=RESIDENT_ID)
    reason = "The yard belongs to the city <akimat>; I passed it to them & will follow it up."

    reply = await open_card(inspector, number)
    card = reply.last
    reply = await inspector.press(card, "Decline")
    assert f"Why is proposal №{number} declined? Write a comment of up to 500 characters." in reply.text
    assert "The resident who sent it will read it." in reply.text
    assert "Cancelled." in (await inspector.send("/cancel")).text
    assert await status_of(tg, number) == "recorded"

    await inspector.press(card, "Decline")
    reply = await inspector.send("x" * 501)
    assert "The comment is too long: 501 characters, the limit is 500." in reply.text
    reply = await inspector.send(reason)
    assert f"Proposal №{number} is now: declined." in reply.text
    assert "Status: declined" in reply.text and f"— declined: {reason}" in reply.text
    assert labels(reply.last) == ["◀️ Back to the list"]
    assert await status_of(tg, number) == "declined"
    await tg.drain()
    assert f"Your proposal «{LIGHT}» was declined: {reason}" in texts_in(tg, RESIDENT_ID)

    # The list shows it declined; the stale card's buttons no longer move it.
    reply = await inspector.press(card, "Into the work plan")
    assert f"Proposal №{number} is declined already: that is final." in reply.text
    assert await status_of(tg, number) == "declined"


async def test_a_forbidden_transition_is_refused(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    done = await proposal_of(tg, d.building.id, "Fix the gate", status="done")
    recorded = await proposal_of(tg, d.building.id, "Paint the benches")

    reply = await forge(inspector, ProposalCb(action="move", proposal_id=done, to="in_plan").pack())
    assert f"Proposal №{done} is done already: that is final." in reply.text
    reply = await forge(inspector, ProposalCb(action="move", proposal_id=done, to="declined").pack())
    assert "that is final" in reply.text and "Why is" not in reply.text
    reply = await forge(inspector, ProposalCb(action="move", proposal_id=recorded, to="done").pack())
    assert f"Proposal №{recorded} is recorded now: it cannot be moved that way." in reply.text
    reply = await forge(inspector, ProposalCb(action="move", proposal_id=recorded, to="bogus").pack())
    assert "cannot be moved that way" in reply.text
    assert (await status_of(tg, done), await status_of(tg, recorded)) == ("done", "recorded")
    assert await audited(tg, "proposal_moved") == []


# --- rights -----------------------------------------------------------------------------------------


async def test_another_inspectors_proposal_is_refused_and_recorded(tg: Telegram) -> None:
    d, _dana, _inspector = await beat(tg)
    theirs = await proposal_of(tg, d.building.id, resident_id=RESIDENT_ID)
    meeting_id = await a_meeting(tg, d, extra=1)
    of_meeting = await proposal_of(tg, None, "A common playground", meeting_id=meeting_id)
    await district(tg, inspector_id=OTHER_INSPECTOR, code="B-1")
    other = tg.person(OTHER_INSPECTOR, "Serik", language_code="en")

    for data in (
        ProposalCb(action="open", proposal_id=theirs),
        ProposalCb(action="move", proposal_id=theirs, to="in_plan"),
        ProposalCb(action="move", proposal_id=theirs, to="declined"),
        ProposalCb(action="open", proposal_id=of_meeting),
        ProposalCb(action="open", proposal_id=999_999),
    ):
        reply = await forge(other, data.pack())
        assert "This proposal is not yours to handle." in reply.text
        assert LIGHT not in reply.text and "Why is" not in reply.text

    assert await status_of(tg, theirs) == "recorded"
    refused = await audited(tg, "proposal_refused")
    assert len(refused) == 5 and {e.actor_id for e in refused} == {OTHER_INSPECTOR}
    reply = await other.send("Some text")
    assert "declined" not in reply.text, "no decline dialog was started"
    await tg.drain()
    assert "Your proposal" not in texts_in(tg, RESIDENT_ID)

    # The service refuses the same way, whatever the handler does.
    async with tg.app.sessionmaker() as session:
        actor = await people.load_actor(session, OTHER_INSPECTOR, is_admin=False)
        with pytest.raises(NotAllowed):
            await proposals.move(session, tg.clock, actor, theirs, "in_plan")


async def test_a_resident_is_refused_proposals(tg: Telegram) -> None:
    d, dana, _inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    number = await proposal_of(tg, d.building.id, resident_id=RESIDENT_ID)

    assert "This command is for district inspectors." in (await dana.send("/proposals")).text
    assert "Please use this command in a private chat" in (await dana.send("/proposals", chat=Group(CHAT))).text
    reply = await forge(dana, ProposalCb(action="move", proposal_id=number, to="in_plan").pack())
    assert "This button is no longer available." in reply.text
    assert await status_of(tg, number) == "recorded"
    assert len(await audited(tg, "callback_refused")) == 1


async def test_a_proposal_whose_author_used_forget_me_moves_without_anyone_told(tg: Telegram) -> None:
    _d, dana, inspector = await beat(tg)
    reply = await dana.send("/propose More benches")
    await dana.press(reply.last, "Send")
    await tg.drain()  # the inspector is told of it before Dana goes on
    reply = await dana.send("/forget_me")
    await dana.press(reply.last, "Delete my data")
    await tg.drain()
    before = len(tg.fake.sent_to(RESIDENT_ID))

    reply = await open_card(inspector, 1)
    assert "Its author has deleted their data: nobody is told of changes." in reply.text
    reply = await inspector.press(reply.last, "Into the work plan")
    assert "Status: in the work plan" in reply.text
    reply = await inspector.press(reply.last, "Decline")
    assert "It is kept in the register and the report." in reply.text
    reply = await inspector.send("Out of the inspector's remit")
    assert "Proposal №1 is now: declined." in reply.text
    await tg.drain()

    assert len(tg.fake.sent_to(RESIDENT_ID)) == before, "nobody to tell"
    async with tg.app.sessionmaker() as session:
        pending = await session.scalar(select(func.count(Delivery.id)).where(Delivery.chat_id == RESIDENT_ID))
    assert pending == 0
    assert len(await audited(tg, "proposal_moved")) == 2
