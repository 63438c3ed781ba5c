"""A resident's appeal reaches the inspector and the answer comes back: intake, thread, lifecycle, rating."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.emulator import FakeTelegram
from bot.emulator.validate import Upload
from models import AppealEvent, AppealMessage, AuditEvent
from tests.conftest import TOKEN, make_settings
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import ErrorLog, FrozenClock, Telegram, running_bot
from tests.support.stories import INSPECTOR_ID, beat, district, resident_of

RESIDENT = 3001


async def test_a_resident_sends_an_appeal_and_the_inspectors_answer_reaches_them(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)

    reply = await send_appeal(dana, photo=True)
    assert "Your appeal is registered as №1" in reply.text
    assert "14 December 2026" in reply.text, "deadline 15 working days on (Kazakhstan), in the building's time zone"

    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    assert "Appeal №1" in card["text"] and "Dana" in card["text"] and "flat 7" in card["text"]
    assert "Loud music every night" in card["text"]
    assert "Public order and noise" in card["text"]
    [photo] = tg.fake.calls("sendPhoto")
    assert photo.params["chat_id"] == INSPECTOR_ID and photo.params["photo"] == "photo-big", "sent by its file id"
    assert "caption" not in photo.params
    appeal = await appeal_by_number(tg, 1)
    assert appeal.delivered_at is not None and appeal.status == "new"

    reply = await inspector.reply_to(card, "We spoke to the neighbours; it will stop.")
    assert "Your answer on appeal №1 is on its way to the resident" in reply.text
    to_dana = texts_in(tg, RESIDENT)
    assert "The inspector's answer on your appeal №1" in to_dana
    answer_copy = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT][-1]
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "answered" and appeal.first_response_at == tg.clock.now()

    # The resident answers the copy: it joins the same appeal and reaches the inspector.
    copied = {"message_id": answer_copy.response["result"]["message_id"], "chat": {"id": RESIDENT, "type": "private"}}
    reply = await dana.reply_to(copied, "Thank you, it is quiet now.")
    assert "Your message on appeal №1 is on its way to the inspector" in reply.text
    assert "The resident replies on appeal №1" in texts_in(tg, INSPECTOR_ID)
    async with tg.app.sessionmaker() as session:
        thread = list(await session.scalars(select(AppealMessage).where(AppealMessage.appeal_id == appeal.id)))
    assert [m.author for m in thread] == ["resident", "resident", "staff", "resident"]


async def test_an_anonymous_appeal_never_shows_its_author_to_the_inspector_or_an_admin(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en", username="dana_k")
    admin = tg.person(1, "Aigerim", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    await send_appeal(dana, "Someone sells alcohol to teenagers at the corner.", anonymous=True, photo=True)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    assert "Anonymous" in card["text"]
    await inspector.reply_to(card, "Thank you, we will check.")
    await admin.send("/queue")
    await inspector.send("/queue")
    await admin.send("/export")
    export = await admin.press(tg.fake.sent_to(1)[-1], "This month")
    [csv_file] = [call for call in export.calls if call.method == "sendDocument"]

    for staff_chat in (INSPECTOR_ID, 1):
        seen = texts_in(tg, staff_chat)
        for secret in ("Dana", "dana_k", "flat 7", str(RESIDENT)):
            assert secret not in seen, f"{secret!r} shown in chat {staff_chat}"
    assert not tg.fake.calls("forwardMessage"), "forwarding would carry the author's name"
    [upload] = [value for value in csv_file.params.values() if isinstance(value, Upload)]
    assert upload.content.startswith("\ufeff".encode()) and "Dana" not in upload.content.decode("utf-8-sig")


async def test_the_inspector_takes_resolves_and_the_resident_rates_it(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]

    await inspector.press(card, "Take")
    assert "has taken your appeal №1 into work" in texts_in(tg, RESIDENT)
    reply = await inspector.press(card, "Resolve")
    assert "resolved" in reply.text
    rate_prompt = tg.fake.sent_to(RESIDENT)[-1]
    assert "Please rate" in rate_prompt["text"]

    reply = await dana.press(rate_prompt, "⭐⭐⭐⭐⭐")
    assert "You rated appeal №1" in reply.text
    assert "rated the handling of appeal №1: ⭐⭐⭐⭐⭐" in texts_in(tg, INSPECTOR_ID)
    rated = next(m for m in tg.fake.chat_history(RESIDENT) if "You rated" in (m.get("text") or ""))
    await dana.press(rated, "Add a comment")
    await dana.send("Quick and polite, thank you.")
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "resolved" and appeal.rating == 5 and appeal.feedback == "Quick and polite, thank you."
    async with tg.app.sessionmaker() as session:
        actions = list(await session.scalars(select(AppealEvent.action).order_by(AppealEvent.id)))
    assert actions == ["created", "taken", "resolved", "rated"]


async def test_not_resolved_reopens_the_appeal_once(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]

    await inspector.press(card, "Resolve")
    await dana.press(tg.fake.sent_to(RESIDENT)[-1], "Not resolved")
    assert "says appeal №1 is not resolved" in texts_in(tg, INSPECTOR_ID)
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "in_progress" and appeal.reopened

    back_in_work = tg.fake.sent_to(INSPECTOR_ID)[-1]
    await inspector.press(back_in_work, "Resolve")
    second = tg.fake.sent_to(RESIDENT)[-1]
    labels = [b["text"] for row in second["reply_markup"]["inline_keyboard"] for b in row]
    assert not any("Not resolved" in label for label in labels), "only once"


async def test_a_rejection_needs_a_reason_and_the_resident_reads_it(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana, "My neighbour's <b>cat</b> & dog are too cute.")
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    assert "<b>cat</b> & dog" in card["text"], "markup in a resident's text is shown as typed"

    reply = await inspector.press(card, "Reject")
    assert "Why is appeal №1 rejected" in reply.text
    reply = await inspector.send("   ")
    assert "write the reason" in reply.text
    await inspector.send("Not a police matter: <contact the housing office>.")
    assert "Reason: Not a police matter: <contact the housing office>." in texts_in(tg, RESIDENT)
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "rejected" and appeal.reject_reason


async def test_an_appeal_redirected_to_another_inspector_reaches_them(tg: Telegram) -> None:
    d = await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]

    reply = await inspector.press(card, "Redirect")
    reply = await inspector.press(reply.last, "Nurlan Abenov")  # the other inspector has the same name in stories
    assert "was passed to" in reply.text
    assert "Appeal №1" in tg.fake.sent_to(2001)[0]["text"]
    assert "was passed to another inspector" in texts_in(tg, RESIDENT)
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "redirected" and appeal.inspector_id != d.inspector.id

    reply = await inspector.press(card, "Resolve")
    assert "not yours to handle" in reply.text, "the first inspector no longer handles it"


async def test_someone_elses_appeal_cannot_be_touched_with_forged_buttons(tg: Telegram) -> None:
    d = await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    other_inspector = tg.person(2001, "Aibek", language_code="en")
    await send_appeal(dana)
    appeal = await appeal_by_number(tg, 1)

    own_chat_message = (await other_inspector.send("/help")).last
    reply = await other_inspector.press_data(own_chat_message, f"ap:resolve:{appeal.id}")
    assert "not yours to handle" in reply.text
    reply = await dana.press_data(
        own_chat_message | {"chat": {"id": RESIDENT, "type": "private"}, "message_id": 1}, f"ap:resolve:{appeal.id}"
    )
    assert "not yours to handle" in reply.text
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "new"
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "appeal_refused")))
    assert {event.actor_id for event in refused} == {2001, RESIDENT}


async def test_the_inspector_asks_for_details_and_the_residents_answer_joins_the_thread(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    reply = await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Ask for details")
    assert "Send your question to the resident on appeal №1" in reply.text
    await inspector.send("Which entrance, and since when?")
    question = next(
        m for m in tg.fake.sent_to(RESIDENT) if "asks for details on your appeal №1" in (m.get("text") or "")
    )
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "in_progress" and appeal.first_response_at is not None

    await dana.reply_to(question, "Entrance 2, since Monday.")
    assert "The resident replies on appeal №1" in texts_in(tg, INSPECTOR_ID)


async def test_an_album_of_photos_is_attached_whole_and_acknowledged_once(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    reply = await dana.send("/appeal")
    await dana.press(reply.last, "Traffic")
    await dana.send("Cars parked on the lawn every evening.")
    acknowledgements = 0
    for n in range(3):
        photo = [{"file_id": f"album-{n}", "file_unique_id": f"a{n}", "width": 800, "height": 600}]
        reply = await dana.send(photo=photo, media_group_id="album-1")
        acknowledgements += len(reply.messages)
    assert acknowledgements == 1
    reply = await dana.press(tg.fake.sent_to(RESIDENT)[-1], "Next")
    reply = await dana.press(reply.last, "with my name")
    assert "Attachments: 3" in reply.text


async def test_an_album_arriving_as_simultaneous_updates_keeps_every_photo(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    reply = await dana.send("/appeal")
    await dana.press(reply.last, "Traffic")
    await dana.send("Cars parked on the lawn every evening.")
    # Telegram sends an album's items as separate updates in one burst; the bot handles them concurrently.
    updates = [
        tg.fake.message_update(
            RESIDENT,
            RESIDENT,
            photo=[{"file_id": f"burst-{n}", "file_unique_id": f"b{n}", "width": 800, "height": 600}],
            media_group_id="burst",
        )
        for n in range(5)
    ]
    await asyncio.gather(*(tg.deliver(update) for update in updates))
    reply = await dana.press(tg.fake.sent_to(RESIDENT)[-1], "Next")
    reply = await dana.press(reply.last, "with my name")
    assert "Attachments: 5" in reply.text


async def test_with_state_in_redis_an_album_burst_still_keeps_every_photo(
    database_url: str, redis_url: str, clock: FrozenClock, error_log: ErrorLog
) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        settings = make_settings(database_url, fake.base_url, redis_url=redis_url)
        async with running_bot(fake, settings, clock) as tg:
            d = await district(tg)
            await resident_of(tg, d.building, RESIDENT, "Dana")
            dana = tg.person(RESIDENT, "Dana", language_code="en")
            reply = await dana.send("/appeal")
            await dana.press(reply.last, "Traffic")
            await dana.send("Cars parked on the lawn every evening.")
            photos = [[{"file_id": f"r-{n}", "file_unique_id": f"r{n}", "width": 800, "height": 600}] for n in range(5)]
            updates = [fake.message_update(RESIDENT, RESIDENT, photo=p, media_group_id="r") for p in photos]
            await asyncio.gather(*(tg.deliver(update) for update in updates))
            reply = await dana.press(fake.sent_to(RESIDENT)[-1], "Next")
            reply = await dana.press(reply.last, "with my name")
            assert "Attachments: 5" in reply.text
        assert not fake.schema_violations and not error_log.records


async def test_the_reply_button_answers_with_any_message_and_the_resident_receives_a_copy(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    reply = await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Reply")
    assert "Send your answer on appeal №1" in reply.text
    reply = await inspector.send(voice={"file_id": "voice-1", "file_unique_id": "v1", "duration": 7})
    assert "Your answer on appeal №1 is on its way to the resident" in reply.text
    [copy] = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT]
    assert copy.params["from_chat_id"] == INSPECTOR_ID
    async with tg.app.sessionmaker() as session:
        answer = await session.scalar(select(AppealMessage).where(AppealMessage.author == "staff"))
    assert answer is not None and answer.kind == "voice" and answer.delivered


async def test_buttons_of_a_closed_appeal_say_it_is_closed(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    appeal = await appeal_by_number(tg, 1)
    await inspector.press(card, "Resolve")
    for action in ("reply", "reject", "take"):
        reply = await inspector.press_data(card, f"ap:{action}:{appeal.id}")
        assert "already resolved" in reply.text
