"""Questions under a notice: a resident's reply in the building chat reaches the inspector privately, the answer
goes back under the resident's message, and one button makes the question an appeal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.services import outbox, parts
from bot.ui.callbacks import QuestionCb
from models import Appeal, AuditEvent, Delivery, GroupQuestion
from tests.support.appeal_steps import PHOTO, texts_in
from tests.support.harness import Group, Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, bound_chats, district, resident_of

CHAT = -101
NOTICE = "Water is off on Friday 10:00-14:00."
STRANGER_ID = 4001


async def notice_in_chat(
    tg: Telegram, text: str = NOTICE, *, link: bool = True, kind: str = "notice"
) -> dict[str, Any]:
    """The inspector's notice, as the outbox posts it in the building chat (replies to it are questions)."""
    async with tg.app.sessionmaker.begin() as session:
        batch = await outbox.start_broadcast(session, tg.clock, author_id=INSPECTOR_ID, kind=kind, title=text)
        await outbox.enqueue(session, tg.clock, chat_id=CHAT, parts=parts.message(text, link=link), broadcast=batch)
    tg.app.sender.wake()
    await tg.drain()
    return tg.fake.sent_to(CHAT)[-1]


async def building_chat_with_notice(tg: Telegram) -> tuple[Person, Person, dict[str, Any]]:
    d, dana, inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    return dana, inspector, await notice_in_chat(tg)


async def ask(tg: Telegram, person: Person, notice: dict[str, Any], text: str) -> dict[str, Any]:
    """The person replies to the notice in the chat; returns the message the inspector then received."""
    await person.reply_to(notice, text)
    await tg.drain()
    return tg.fake.sent_to(INSPECTOR_ID)[-1]


async def questions(tg: Telegram) -> list[GroupQuestion]:
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(GroupQuestion).order_by(GroupQuestion.id)))


async def appeals(tg: Telegram) -> list[Appeal]:
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(Appeal).order_by(Appeal.id)))


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def current(tg: Telegram, message: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in tg.fake.chat_history(message["chat"]["id"]) if m["message_id"] == message["message_id"])


async def test_a_residents_reply_under_a_notice_reaches_the_inspector_privately(tg: Telegram) -> None:
    _dana, _inspector, notice = await building_chat_with_notice(tg)

    update = tg.fake.message_update(
        RESIDENT_ID, CHAT, "Will the <b>hot</b> water be off too?", reply_to_message_id=notice["message_id"]
    )
    reply = await tg.deliver(update)
    # Nothing to read in the chat: a reaction tells the asker it went on.
    assert reply.methods() == ["setMessageReaction"]
    assert reply.calls[0].params["reaction"] == [{"type": "emoji", "emoji": "👀"}]
    await tg.drain()

    relayed = tg.fake.sent_to(INSPECTOR_ID)[-1]
    assert relayed["text"].startswith(
        "❓ Dana (building A-12) asks under your notice «Water is off on Friday 10:00-14:00.»:"
    )
    assert "Will the <b>hot</b> water be off too?" in relayed["text"], "the resident's markup shown as typed"
    assert buttons(relayed) == ["📨 Make it an appeal"]

    await tg.redeliver(update)  # Telegram sends the same update again
    await tg.drain()
    [question] = await questions(tg)
    assert question.asker_id == RESIDENT_ID and question.asker_name == "Dana"
    assert question.text == "Will the <b>hot</b> water be off too?"
    assert sum("asks under your notice" in (m.get("text") or "") for m in tg.fake.sent_to(INSPECTOR_ID)) == 1
    assert tg.fake.sent_to(CHAT) == [notice]


async def test_a_question_under_a_meeting_announcement_says_so(tg: Telegram) -> None:
    d, dana, _inspector = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    announcement = await notice_in_chat(tg, "Meeting with residents, 25 November 19:00", kind="meeting")

    relayed = await ask(tg, dana, announcement, "Can I bring my neighbour?")

    assert "asks under your meeting announcement «Meeting with residents, 25 November 19:00»" in relayed["text"]


async def test_the_inspectors_answer_is_posted_under_the_residents_message_signed(tg: Telegram) -> None:
    dana, inspector, notice = await building_chat_with_notice(tg)
    relayed = await ask(tg, dana, notice, "Will the hot water be off too?")
    [question] = await questions(tg)

    reply = await inspector.reply_to(relayed, "Yes, the hot water too, <until> 14:00 & no later.")
    assert "Posted in the chat as a reply to Dana" in reply.text
    await tg.drain()

    posted = tg.fake.sent_to(CHAT)[-1]
    assert posted["text"] == (
        "👮 Nurlan Abenov, district inspector:\nYes, the hot water too, <until> 14:00 & no later."
    )
    assert posted["reply_to_message"]["message_id"] == question.message_id
    [call] = [c for c in tg.fake.calls("sendMessage") if c.params["chat_id"] == CHAT and "reply_parameters" in c.params]
    assert call.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert "«Yes, the hot water too, <until> 14:00 & no later.»: delivered" in texts_in(tg, INSPECTOR_ID)
    [question] = await questions(tg)
    assert question.answered_at == tg.clock.now()

    # The resident follows up under the answer: it reaches the inspector again.
    relayed = await ask(tg, dana, posted, "Thank you! And on Saturday?")
    assert "Dana (building A-12) replies to your answer «Yes, the hot water too" in relayed["text"]
    assert "Thank you! And on Saturday?" in relayed["text"]


async def test_a_photo_answer_is_copied_with_the_signature_as_caption(tg: Telegram) -> None:
    dana, inspector, notice = await building_chat_with_notice(tg)
    relayed = await ask(tg, dana, notice, "Which entrances are affected?")
    [question] = await questions(tg)

    await inspector.send(photo=PHOTO, caption="This plan shows them.", reply_to_message_id=relayed["message_id"])
    await tg.drain()

    posted = tg.fake.sent_to(CHAT)[-1]
    assert posted["caption"] == "👮 Nurlan Abenov, district inspector:\nThis plan shows them."
    assert posted["photo"][-1]["file_id"] == "photo-big"
    assert posted["reply_to_message"]["message_id"] == question.message_id


async def test_a_voice_answer_cannot_be_posted_in_the_chat(tg: Telegram) -> None:
    dana, inspector, notice = await building_chat_with_notice(tg)
    relayed = await ask(tg, dana, notice, "Which entrances are affected?")
    sent_before = len(tg.fake.sent_to(CHAT))

    voice = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}
    reply = await inspector.send(voice=voice, reply_to_message_id=relayed["message_id"])

    assert "Only text, a photo, a document or a video can be posted in the chat" in reply.text
    await tg.drain()
    assert len(tg.fake.sent_to(CHAT)) == sent_before


async def test_a_photo_reply_passes_on_its_caption_and_one_without_words_is_told_to_write(tg: Telegram) -> None:
    dana, _inspector, notice = await building_chat_with_notice(tg)
    chat = Group(CHAT)

    reply = await dana.send(photo=PHOTO, chat=chat, reply_to_message_id=notice["message_id"])
    assert "Only text questions reach the inspector" in reply.text
    assert reply.last["reply_to_message"]["from"]["id"] == RESIDENT_ID, "told as a reply, in the chat"
    sticker = {
        "file_id": "sticker-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    reply = await dana.send(sticker=sticker, chat=chat, reply_to_message_id=notice["message_id"])
    assert "Only text questions reach the inspector" in reply.text
    assert await questions(tg) == []

    await dana.send(photo=PHOTO, caption="Is this leak why?", chat=chat, reply_to_message_id=notice["message_id"])
    await tg.drain()
    relayed = tg.fake.sent_to(INSPECTOR_ID)[-1]
    assert "asks under your notice" in relayed["text"] and "Is this leak why?" in relayed["text"]


async def test_a_reply_to_the_bots_other_messages_is_ignored(tg: Telegram) -> None:
    d, dana, inspector = await beat(tg)
    group = tg.group(-200, "Abay 10", creator=inspector)
    welcome = (await inspector.send("/bind A-12", chat=group)).last
    assert "now connected" in welcome["text"]

    reply = await dana.reply_to(welcome, "Hello, how do I register?")
    assert reply.calls == []

    # A message the outbox sent without asking for questions (link=False) is not a notice to ask under.
    await bound_chats(tg, d, [CHAT])
    plain = await notice_in_chat(tg, "Report", link=False)
    reply = await dana.reply_to(plain, "What report?")
    assert reply.calls == []
    await tg.drain()
    assert await questions(tg) == []
    assert "asks under" not in texts_in(tg, INSPECTOR_ID)


async def test_make_it_an_appeal_registers_one_appeal_and_tells_the_registered_asker(tg: Telegram) -> None:
    dana, inspector, notice = await building_chat_with_notice(tg)
    relayed = await ask(tg, dana, notice, "Someone broke the lock on entrance 2 again.")
    [question] = await questions(tg)

    reply = await inspector.press(relayed, "Make it an appeal")

    assert "Appeal №1 is registered" in reply.text
    card = next(m for m in tg.fake.sent_to(INSPECTOR_ID) if "Category:" in (m.get("text") or ""))
    assert card["text"].startswith("📨 Appeal №1")
    assert "Someone broke the lock on entrance 2 again." in card["text"]
    assert "Dana" in card["text"] and "flat 7" in card["text"]
    assert "Other" in card["text"]
    assert buttons(current(tg, relayed)) == ["📨 Appeal №1"]
    await tg.drain()
    assert "Your question in the building chat is now appeal №1" in texts_in(tg, RESIDENT_ID)

    [appeal] = await appeals(tg)
    assert appeal.resident_id == RESIDENT_ID and appeal.category == "other" and not appeal.anonymous
    assert appeal.draft_key == f"q{question.id}" and appeal.number == 1 and appeal.status == "new"
    assert appeal.delivered_at is not None and appeal.due_at > tg.clock.now()
    [question] = await questions(tg)
    assert question.appeal_id == appeal.id

    # A second press (a stale client still showing the button) makes no second appeal.
    data = QuestionCb(action="appeal", question_id=question.id).pack()
    reply = await inspector.press_data(relayed, data, require_button=False)
    assert "This question is already appeal №1" in reply.text
    await tg.drain()
    assert len(await appeals(tg)) == 1
    assert texts_in(tg, RESIDENT_ID).count("is now appeal №1") == 1
    assert sum("Category" in (m.get("text") or "") for m in tg.fake.sent_to(INSPECTOR_ID)) == 1

    # The new button opens the appeal's card.
    reply = await inspector.press(current(tg, relayed), "Appeal №1")
    assert "Appeal №1" in reply.text


async def test_an_unregistered_askers_question_becomes_an_appeal_without_a_resident(tg: Telegram) -> None:
    _dana, inspector, notice = await building_chat_with_notice(tg)
    timur = tg.person(STRANGER_ID, "Timur", language_code="en")
    relayed = await ask(tg, timur, notice, "Who do I call about the lift?")
    assert relayed["text"].startswith("❓ Timur (building A-12) asks under your notice")

    await inspector.press(relayed, "Make it an appeal")
    await tg.drain()

    [appeal] = await appeals(tg)
    assert appeal.resident_id is None and appeal.flat is None and appeal.number == 1
    assert appeal.text == "Who do I call about the lift?"
    assert tg.fake.sent_to(STRANGER_ID) == [], "nothing is written to someone who never opened the bot"
    card = next(m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №1" in (m.get("text") or ""))
    assert "not registered with the bot (asked in the building chat)" in card["text"]


async def test_only_the_buildings_inspector_or_an_admin_can_make_a_question_an_appeal(tg: Telegram) -> None:
    dana, _inspector, notice = await building_chat_with_notice(tg)
    await district(tg, inspector_id=2001, code="B-1")
    other = tg.person(2001, "Serik", language_code="en")
    relayed = await ask(tg, dana, notice, "Someone broke the lock on entrance 2 again.")
    [question] = await questions(tg)
    data = QuestionCb(action="appeal", question_id=question.id).pack()

    own = (await other.send("/help")).last
    reply = await other.press_data(own, data)
    assert "This question is not yours to handle" in reply.text
    reply = await dana.press_data((await dana.send("/help")).last, data)
    assert "This question is not yours to handle" in reply.text
    reply = await other.press_data(own, QuestionCb(action="appeal", question_id=999_999).pack())
    assert "This question is not yours to handle" in reply.text
    assert await appeals(tg) == []
    async with tg.app.sessionmaker() as session:
        refused = await session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "question_refused"))
    assert refused == 3

    admin = tg.person(1, "Aigerim", language_code="en")
    reply = await admin.press_data((await admin.send("/help")).last, data)
    assert "Appeal №1 is registered" in reply.text
    assert buttons(current(tg, relayed)) == ["📨 Make it an appeal"], "the inspector's own copy is not the admin's"


async def test_a_question_to_an_inspector_who_blocked_the_bot_fails_quietly(tg: Telegram) -> None:
    dana, _inspector, notice = await building_chat_with_notice(tg)
    tg.fake.world.chats[INSPECTOR_ID].bot_status = "kicked"

    await dana.reply_to(notice, "Is it Friday this week?")
    await tg.drain()

    assert len(await questions(tg)) == 1
    async with tg.app.sessionmaker() as session:
        relay = await session.scalar(
            select(Delivery).where(Delivery.chat_id == INSPECTOR_ID).order_by(Delivery.id.desc()).limit(1)
        )
    assert relay is not None and relay.status == "failed" and relay.reason == "blocked"


async def test_the_inspector_replying_under_their_own_notice_is_not_a_question(tg: Telegram) -> None:
    _dana, inspector, notice = await building_chat_with_notice(tg)

    reply = await inspector.reply_to(notice, "Update: until 15:00.")

    assert reply.calls == []
    assert await questions(tg) == []


async def test_a_question_from_a_registered_resident_of_another_building_keeps_no_flat(tg: Telegram) -> None:
    d, _dana, inspector = await beat(tg)
    other = await district(tg, inspector_id=2001, code="B-1")
    await resident_of(tg, other.building, 3002, "Aliya")
    aliya = tg.person(3002, "Aliya", language_code="en")
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in_chat(tg)

    relayed = await ask(tg, aliya, notice, "Does this affect B-1?")
    await inspector.press(relayed, "Make it an appeal")

    [appeal] = await appeals(tg)
    assert appeal.resident_id == 3002 and appeal.flat is None and appeal.building_id == d.building.id
