"""/notice: an inspector's notice reaches the chats of the chosen buildings once, as typed, and the author hears how it went."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.services import buildings, inspectors, notices, parts, people
from bot.services.notices import Draft
from bot.services.people import Person as TelegramPerson
from bot.ui.callbacks import PickCb
from models import AuditEvent, Broadcast, Building, Delivery, MessageLink, Notice, notice_buildings
from tests.support.appeal_steps import PHOTO
from tests.support.harness import Group, Person, Reply, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, bound_chats, district, resident_of

NOTICE = "Water is off on Friday from 10:00 to 14:00."
HEADER = "📢 Notice from your district inspector\nNurlan Abenov, Police captain"
OTHER_INSPECTOR = 2001


# --- steps ------------------------------------------------------------------------------------------


async def another_building(tg: Telegram, d: District, code: str) -> District:
    """One more building on the same inspector's beat."""
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code=code, address="Abay ave 14", district="Almaly", timezone="Asia/Almaty", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
    return District(d.inspector, building)


def inspector_of(tg: Telegram) -> Person:
    return tg.person(INSPECTOR_ID, "Nurlan", language_code="en")


async def choose(person: Person, picker: dict[str, Any], codes: tuple[str, ...]) -> Reply:
    """Tick the buildings in the picker, then Done: the reply ends with the preview's summary."""
    for code in codes:
        await person.press(picker, code)
    return await person.press(picker, "Done")


async def preview(
    person: Person, text: str | None = NOTICE, *, codes: tuple[str, ...] = ("A-12",), **content: Any
) -> Reply:
    """/notice → the notice → the buildings → Done."""
    reply = await person.send("/notice")
    assert "Send the notice" in reply.text
    reply = await person.send(text, **content)
    assert "Which buildings?" in reply.text
    return await choose(person, reply.last, codes)


def button(message: dict[str, Any], label: str) -> str:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in keyboard for b in row if label in b["text"])


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def texts(tg: Telegram, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in tg.fake.sent_to(chat_id)]


def report(tg: Telegram) -> str:
    return "\n".join(texts(tg, INSPECTOR_ID))


async def count(tg: Telegram, model: Any) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def chat_deliveries(tg: Telegram) -> list[Delivery]:
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.chat_id < 0).order_by(Delivery.id)))


def slice_utf16(text: str, entity: dict[str, Any]) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[entity["offset"] * 2 : (entity["offset"] + entity["length"]) * 2].decode("utf-16-le")


# --- stories ----------------------------------------------------------------------------------------


async def test_an_inspector_sends_a_notice_to_two_buildings_and_gets_a_delivery_report(tg: Telegram) -> None:
    d = await district(tg)
    b3 = await another_building(tg, d, "B-3")
    await bound_chats(tg, d, [-101, -102])
    await bound_chats(tg, b3, [-103])
    inspector = inspector_of(tg)

    reply = await inspector.send("/notice")
    assert "Send the notice: a text, or a photo, a document or a video" in reply.text
    reply = await inspector.send(NOTICE)
    assert "Which buildings?" in reply.text and "Chosen: 0" in reply.text
    assert {"▫️ A-12", "▫️ B-3"} <= set(labels(reply.last))
    reply = await choose(inspector, reply.last, ("A-12", "B-3"))

    assert "Buildings: A-12, B-3." in reply.text
    [shown] = [m for m in reply.messages if "Notice from" in (m.get("text") or "")]
    assert shown["text"] == f"{HEADER}\n\n{NOTICE}", "the preview is the notice exactly as a chat shows it"
    summary = reply.last
    assert "Will be sent to 3 chats in 2 buildings: A-12, B-3." in summary["text"]
    assert labels(summary) == ["✅ Send", "✏️ Edit", "🏢 Other buildings", "Cancel"]
    assert await count(tg, Delivery) == 0, "nothing goes out before Send"

    reply = await inspector.press(summary, "Send")
    assert "Sending to 3 chats; you will get a report when it is done." in reply.text
    await tg.drain()

    for chat_id in (-101, -102, -103):
        assert texts(tg, chat_id) == [f"{HEADER}\n\n{NOTICE}"]
    assert "«Water is off on Friday from 10:00 to 14:00.»: delivered to every chat (3)." in report(tg)
    async with tg.app.sessionmaker() as session:
        notice = await session.scalar(select(Notice))
        assert notice is not None
        assert notice.text == NOTICE and notice.author_id == INSPECTOR_ID and notice.media_kind is None
        codes = await session.scalars(
            select(Building.code).join(notice_buildings).where(notice_buildings.c.notice_id == notice.id)
        )
        assert sorted(codes) == ["A-12", "B-3"]
        batch = await session.scalar(select(Broadcast))
        assert batch is not None and (batch.kind, batch.subject_id) == ("notice", notice.id)
        linked = list(await session.scalars(select(MessageLink.chat_id).where(MessageLink.delivery_id.is_not(None))))
    assert sorted(linked) == [-103, -102, -101], "replies under the notice can be routed to the inspector"


async def test_a_photo_with_a_caption_arrives_as_a_photo_and_a_long_caption_follows_its_document(tg: Telegram) -> None:
    d = await district(tg)
    b3 = await another_building(tg, d, "B-3")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, b3, [-103])
    inspector = inspector_of(tg)

    reply = await preview(inspector, None, photo=PHOTO, caption="The stairwell light is fixed.")
    shown = [m for m in reply.messages if "photo" in m]
    assert [m["caption"] for m in shown] == [f"{HEADER}\n\nThe stairwell light is fixed."]
    await inspector.press(reply.last, "Send")

    long_caption = "Rules of the yard. " * 53  # 1007 characters: fits a caption alone, not with the header
    document = {"file_id": "rules-pdf", "file_unique_id": "rules", "file_name": "rules.pdf"}
    reply = await preview(inspector, None, codes=("B-3",), document=document, caption=long_caption)
    await inspector.press(reply.last, "Send")
    await tg.drain()

    [photo] = tg.fake.sent_to(-101)
    assert photo["photo"][-1]["file_id"] and photo["caption"] == f"{HEADER}\n\nThe stairwell light is fixed."
    assert [c.params["photo"] for c in tg.fake.calls("sendPhoto") if c.params["chat_id"] == -101] == ["photo-big"]
    [with_file, text] = tg.fake.sent_to(-103)
    assert "document" in with_file and "caption" not in with_file
    assert text["text"] == f"{HEADER}\n\n{long_caption.strip()}"
    async with tg.app.sessionmaker() as session:
        kinds = list(await session.scalars(select(Notice.media_kind).order_by(Notice.id)))
    assert kinds == ["photo", "document"]
    assert "«Rules of the yard. Rules of the yard. Rules of the yard…»: delivered to every chat (1)." in report(tg)


async def test_notice_with_inline_text_takes_it_at_once(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)

    reply = await inspector.send("/notice Water is off on Friday")
    assert "Which buildings?" in reply.text, "the text was given: straight to the buildings"
    reply = await choose(inspector, reply.last, ("A-12",))
    await inspector.press(reply.last, "Send")
    await tg.drain()

    assert texts(tg, -101) == [f"{HEADER}\n\nWater is off on Friday"]


async def test_the_report_names_a_chat_the_bot_was_removed_from(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102, -103])
    tg.fake.world.chats[-102].bot_kicked = True  # removed while the bot was away: it does not know yet
    inspector = inspector_of(tg)

    reply = await preview(inspector)
    assert "Will be sent to 3 chats in 1 building: A-12." in reply.text
    await inspector.press(reply.last, "Send")
    await tg.drain()

    assert texts(tg, -101) == texts(tg, -103) == [f"{HEADER}\n\n{NOTICE}"]
    assert "delivered to 2 of 3 chats" in report(tg)
    assert "A-12, chat «Abay 10 entrance 102» — the bot was removed from the chat" in report(tg)
    reply = await preview(inspector)
    assert "Will be sent to 2 chats in 1 building: A-12." in reply.text, "the chat it lost is no longer counted"


async def test_edit_goes_back_to_the_notice_and_keeps_the_chosen_buildings(tg: Telegram) -> None:
    d = await district(tg)
    b3 = await another_building(tg, d, "B-3")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, b3, [-103])
    inspector = inspector_of(tg)
    reply = await preview(inspector, "Water is off on Fridya.", codes=("B-3",))

    reply = await inspector.press(reply.last, "Edit")
    assert "Send the notice again as it should be; the chosen buildings stay." in reply.text
    assert labels(reply.last) == [], "the old preview's buttons are gone"
    reply = await inspector.send(NOTICE)
    assert "Which buildings?" not in reply.text
    assert f"{HEADER}\n\n{NOTICE}" in reply.text
    assert "Will be sent to 1 chat in 1 building: B-3." in reply.text
    await inspector.press(reply.last, "Send")
    await tg.drain()

    assert texts(tg, -103) == [f"{HEADER}\n\n{NOTICE}"]
    assert texts(tg, -101) == []
    async with tg.app.sessionmaker() as session:
        assert list(await session.scalars(select(Notice.text))) == [NOTICE]


async def test_cancel_at_the_preview_or_with_a_command_sends_nothing(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)

    reply = await preview(inspector)
    summary = reply.last
    reply = await inspector.press(summary, "Cancel")
    assert "The notice was not sent." in reply.text
    reply = await inspector.press_data(summary, button(summary, "Send"), require_button=False)
    assert "This button is no longer available." in reply.text

    await inspector.send("/notice")
    reply = await inspector.send(NOTICE)
    reply = await inspector.send("/cancel")
    assert "Cancelled." in reply.text
    reply = await inspector.send("Another text")
    assert "Which buildings?" not in reply.text

    await tg.drain()
    assert tg.fake.sent_to(-101) == []
    assert await count(tg, Notice) == await count(tg, Delivery) == 0


async def test_a_double_press_on_send_makes_one_notice_and_one_message_per_chat(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    inspector = inspector_of(tg)
    summary = (await preview(inspector)).last
    send = button(summary, "Send")

    first = tg.fake.callback_update(INSPECTOR_ID, summary, send)
    second = tg.fake.callback_update(INSPECTOR_ID, summary, send)
    await tg.deliver(first)
    again = await tg.deliver(second)
    await tg.drain()

    assert "no longer available" in again.text
    assert await count(tg, Notice) == 1
    assert len(await chat_deliveries(tg)) == 2
    assert texts(tg, -101) == texts(tg, -102) == [f"{HEADER}\n\n{NOTICE}"]
    assert report(tg).count("delivered to every chat (2)") == 1


async def test_a_redelivered_send_changes_nothing_and_says_nothing(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    summary = (await preview(inspector)).last

    update = tg.fake.callback_update(INSPECTOR_ID, summary, button(summary, "Send"))
    await tg.deliver(update)
    await tg.drain()  # the notice the first delivery queued has gone out
    again = await tg.redeliver(update)
    await tg.drain()

    assert again.calls == []
    assert await count(tg, Notice) == 1
    assert texts(tg, -101) == [f"{HEADER}\n\n{NOTICE}"]


async def test_one_draft_sent_twice_at_the_same_moment_makes_one_notice(tg: Telegram) -> None:
    """Two instances take the same press at once: the draft's key lets one notice through (PostgreSQL: a race)."""
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    draft = Draft(key="draft-1", text=NOTICE, title=NOTICE)

    async def press_send() -> notices.Sent:
        async with tg.app.sessionmaker.begin() as session:
            actor = await people.load_actor(session, INSPECTOR_ID, is_admin=False)
            return await notices.send(
                session, tg.clock, actor, draft, [d.building.id], lambda _notice, _reader: parts.message(NOTICE)
            )

    results = await asyncio.gather(press_send(), press_send())
    assert sorted(result.created for result in results) == [False, True]
    assert {result.chats for result in results} == {2}
    assert await count(tg, Notice) == 1
    assert len(await chat_deliveries(tg)) == 2


async def test_a_forged_building_id_is_refused_and_nothing_is_sent(tg: Telegram) -> None:
    d = await district(tg)
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, other, [-201])
    inspector = inspector_of(tg)

    for forged in (other.building.id, 999_999):
        await inspector.send("/notice")
        picker = (await inspector.send(NOTICE)).last
        assert "C-7" not in str(labels(picker)), "another inspector's building is not offered"
        data = PickCb(dialog="notice", action="toggle", building_id=forged).pack()
        await inspector.press_data(picker, data, require_button=False)
        await inspector.press(picker, "A-12")
        reply = await inspector.press(picker, "Done")
        assert "You can send notices only to your own buildings. Nothing was sent." in reply.text
        assert "Notice from" not in reply.text, "no preview either"
        reply = await inspector.send("Some text")
        assert "Which buildings?" not in reply.text, "the dialog is over"

    await tg.drain()
    assert tg.fake.sent_to(-101) == tg.fake.sent_to(-201) == []
    assert await count(tg, Notice) == await count(tg, Delivery) == 0
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "notice_refused")))
    assert refused == [INSPECTOR_ID, INSPECTOR_ID]


async def test_a_building_taken_from_the_inspector_after_the_preview_is_refused_at_send(tg: Telegram) -> None:
    d = await district(tg)
    b3 = await another_building(tg, d, "B-3")
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, b3, [-103])
    inspector = inspector_of(tg)
    summary = (await preview(inspector, codes=("A-12", "B-3"))).last

    async with tg.app.sessionmaker.begin() as session:
        await buildings.assign(
            session, tg.clock, building_id=b3.building.id, inspector_id=other.inspector.id, actor_id=1
        )
    reply = await inspector.press(summary, "Send")
    await tg.drain()

    assert "You can send notices only to your own buildings. Nothing was sent." in reply.text
    assert tg.fake.sent_to(-101) == tg.fake.sent_to(-103) == []
    assert await count(tg, Notice) == await count(tg, Delivery) == 0


async def test_residents_strangers_and_group_chats_are_refused(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    stranger = tg.person(4000, "Timur", language_code="en")
    inspector = inspector_of(tg)

    for person in (dana, stranger):
        reply = await person.send("/notice Free pizza in the yard")
        assert "This command is for district inspectors." in reply.text
    reply = await inspector.send("/notice Water is off", chat=Group(-101))
    assert "Please use this command in a private chat with me." in reply.text

    await tg.drain()
    assert await count(tg, Notice) == 0
    assert texts(tg, -101) == ["Please use this command in a private chat with me."]


async def test_stickers_voice_locations_and_polls_get_a_clear_answer_and_the_dialog_waits(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    await inspector.send("/notice")

    sticker = {
        "file_id": "st1",
        "file_unique_id": "st1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    poll = {
        "id": "p1",
        "question": "Water?",
        "options": [{"persistent_id": "o1", "text": "Yes", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    for content in (
        {"sticker": sticker},
        {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3}},
        {"location": {"latitude": 43.238, "longitude": 76.945}},
        {"poll": poll},
    ):
        reply = await inspector.send(**content)
        assert "A notice can be a text, or a photo, a document or a video with a caption." in reply.text

    reply = await inspector.send("/help")
    assert "What I can do" in reply.text, "a command in the middle runs as a command"
    reply = await inspector.send(NOTICE)
    assert "Which buildings?" in reply.text, "the dialog waited at its first step"


async def test_a_notice_of_4000_characters_becomes_two_messages_in_the_chat_because_of_the_header(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    paragraph = ("Please keep the entrance door closed and do not prop it open at night. " * 7).strip()
    paragraphs = [f"{n}. {paragraph}" for n in range(1, 9)]
    paragraphs[-1] += " Thank you." * 5
    long_text = "\n\n".join(paragraphs)
    assert parts.TEXT_LIMIT - 50 < len(long_text) <= parts.TEXT_LIMIT, "one message as the author typed it"

    reply = await preview(inspector, long_text)
    assert len([m for m in reply.messages if "entrance door" in (m.get("text") or "")]) == 2
    await inspector.press(reply.last, "Send")
    await tg.drain()

    received = texts(tg, -101)
    assert len(received) == 2
    assert all(len(text.encode("utf-16-le")) // 2 <= parts.TEXT_LIMIT for text in received)
    assert received[0].startswith(HEADER) and received[1] == paragraphs[-1], "cut between paragraphs"
    assert "".join("".join(received).split()) == "".join(f"{HEADER}{long_text}".split()), "nothing lost at the cut"
    assert "delivered to every chat (1)" in report(tg)


async def test_html_in_the_authors_text_is_shown_as_typed_while_their_bold_and_link_survive(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    text = "Meeting tonight <script>alert(1)</script> & <b>bring</b> your ID. Details here."
    entities = [
        {"type": "bold", "offset": 0, "length": len("Meeting tonight")},
        {"type": "text_link", "offset": text.index("Details here"), "length": 12, "url": "https://gov.kz/?a=1&b=2"},
    ]

    await inspector.send("/notice")
    reply = await inspector.send(text, entities=entities)
    reply = await choose(inspector, reply.last, ("A-12",))
    await inspector.press(reply.last, "Send")
    await tg.drain()

    [message] = tg.fake.sent_to(-101)
    assert message["text"] == f"{HEADER}\n\n{text}", "the author's markup is text, not HTML"
    styled = {(e["type"], slice_utf16(message["text"], e)) for e in message["entities"]}
    assert ("bold", "Meeting tonight") in styled
    assert ("text_link", "Details here") in styled
    [link] = [e for e in message["entities"] if e["type"] == "text_link"]
    assert link["url"] == "https://gov.kz/?a=1&b=2"
    assert not any(e["type"] == "bold" and "bring" in slice_utf16(message["text"], e) for e in message["entities"])


async def test_inline_notice_keeps_the_authors_formatting_after_the_command(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    text = "/notice Water is off on <Friday>"
    entities = [
        {"type": "bot_command", "offset": 0, "length": len("/notice")},
        {"type": "italic", "offset": text.index("Water"), "length": len("Water")},
    ]

    reply = await inspector.send(text, entities=entities)
    reply = await choose(inspector, reply.last, ("A-12",))
    await inspector.press(reply.last, "Send")
    await tg.drain()

    [message] = tg.fake.sent_to(-101)
    assert message["text"] == f"{HEADER}\n\nWater is off on <Friday>"
    assert {(e["type"], slice_utf16(message["text"], e)) for e in message["entities"]} >= {("italic", "Water")}


async def test_buildings_without_a_chat_are_named_and_with_no_chat_at_all_there_is_no_send(tg: Telegram) -> None:
    d = await district(tg)
    await another_building(tg, d, "B-3")  # no chat bound
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)

    reply = await preview(inspector, codes=("A-12", "B-3"))
    assert "Will be sent to 1 chat in 1 building: A-12." in reply.text
    assert "Will not be sent to B-3: no chat with me there." in reply.text
    await inspector.press(reply.last, "Cancel")

    reply = await preview(inspector, codes=("B-3",))
    assert "None of the chosen buildings has a chat with me" in reply.text
    assert labels(reply.last) == ["✏️ Edit", "🏢 Other buildings", "Cancel"], "nowhere to send: no Send"
    reply = await inspector.press(reply.last, "Other buildings")
    assert "Which buildings?" in reply.text
    reply = await choose(inspector, reply.last, ("A-12",))
    assert "Will be sent to 1 chat in 1 building: A-12." in reply.text
    await inspector.press(reply.last, "Send")
    await tg.drain()
    assert texts(tg, -101) == [f"{HEADER}\n\n{NOTICE}"]


async def test_an_inspector_with_no_buildings_is_told_so_instead_of_an_empty_picker(tg: Telegram) -> None:
    tg.fake.add_user(2002, "Aibek", language_code="en")
    async with tg.app.sessionmaker.begin() as session:
        draft = inspectors.draft(
            TelegramPerson(id=2002, first_name="Aibek"),
            full_name="Aibek Serikov",
            rank="Police lieutenant",
            phone="+7 701 000 00 01",
            reception_point="Abay ave 12, office 4",
            reception_hours="Mon 18:00-20:00",
        )
        await inspectors.add_inspector(session, tg.clock, draft, language="en", actor_id=1)
    newcomer = tg.person(2002, "Aibek", language_code="en")

    reply = await newcomer.send("/notice Water is off")
    assert "No buildings are assigned to you yet" in reply.text
    assert "Which buildings?" not in reply.text


async def test_an_administrator_sends_to_any_building_signed_with_their_name(tg: Telegram) -> None:
    d = await district(tg)
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, other, [-201])
    admin = tg.person(1, "Aigerim", language_code="en", last_name="Bekova")
    await admin.send("/start")  # an administrator's record, and so their language, is kept from here on

    reply = await preview(admin, codes=("A-12", "C-7"))
    assert "Will be sent to 2 chats in 2 buildings: A-12, C-7." in reply.text
    await admin.press(reply.last, "Send")
    await tg.drain()

    signed = f"📢 Notice from the police\nAigerim Bekova\n\n{NOTICE}"
    assert texts(tg, -101) == texts(tg, -201) == [signed]
    assert "delivered to every chat (2)" in "\n".join(texts(tg, 1))


async def test_an_album_becomes_a_notice_with_its_first_photo_and_the_rest_is_mentioned_once(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    await inspector.send("/notice")

    replies = []
    for n in range(3):
        photo = [{"file_id": f"album-{n}", "file_unique_id": f"a{n}", "width": 800, "height": 600}]
        caption = "Fresh paint in the entrance." if n == 0 else None
        replies.append(await inspector.send(photo=photo, caption=caption, media_group_id="album"))
    assert "Which buildings?" in replies[0].text
    assert "I kept the first one" in replies[1].text and replies[2].messages == []

    reply = await choose(inspector, replies[0].last, ("A-12",))
    await inspector.press(reply.last, "Send")
    await tg.drain()
    [photo] = tg.fake.sent_to(-101)
    assert photo["caption"] == f"{HEADER}\n\nFresh paint in the entrance."
    assert [c.params["photo"] for c in tg.fake.calls("sendPhoto") if c.params["chat_id"] == -101] == ["album-0"]


async def test_text_typed_while_choosing_buildings_is_pointed_at_the_buttons(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    inspector = inspector_of(tg)
    await inspector.send("/notice")
    picker = (await inspector.send(NOTICE)).last

    reply = await inspector.send("A-12")
    assert "Please use the buttons above, or send /cancel to stop." in reply.text
    reply = await choose(inspector, picker, ("A-12",))
    assert "Will be sent to 1 chat in 1 building: A-12." in reply.text
