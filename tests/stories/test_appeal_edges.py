"""Appeals at the edges: nothing lost, nothing doubled, and a clear answer for everything the bot won't take."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Appeal, AppealMessage
from tests.support.appeal_steps import PHOTO, appeal_by_number, appeal_summary, send_appeal, texts_in
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, beat, district, resident_of

RESIDENT = 3001


async def _appeals(tg: Telegram) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count(Appeal.id))) or 0


async def test_a_person_who_is_not_registered_is_offered_registration_first(tg: Telegram) -> None:
    stranger = tg.person(RESIDENT, "Dana", language_code="en")
    reply = await stranger.send("/appeal")
    assert "register with your building first" in reply.text and "102" in reply.text


async def test_appeal_in_a_group_answers_with_a_button_to_the_private_chat_that_starts_the_dialog(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    group = tg.group(-100, "Abay 10", creator=dana)
    reply = await dana.send("/appeal", chat=group)
    [button] = reply.buttons()
    assert button["url"] == "https://t.me/inspector_test_bot?start=appeal"
    reply = await dana.send("/start appeal")
    assert "What is your appeal about?" in reply.text


async def test_a_building_with_no_inspector_sends_the_appeal_to_the_admins(tg: Telegram) -> None:
    d = await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        building = await session.merge(d.building)
        building.inspector_id = None
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    admin = tg.person(1, "Aigerim", language_code="en")
    await send_appeal(dana)
    card = tg.fake.sent_to(1)[0]
    assert "№1" in card["text"] and "Loud music" in card["text"], (
        "in DEFAULT_LANGUAGE: the bot keeps no record of this admin"
    )
    await admin.reply_to(card, "An administrator answers while the post is vacant.")
    assert "The inspector's answer on your appeal №1" in texts_in(tg, RESIDENT)


async def test_an_inspector_who_never_opened_the_bot_gets_the_card_when_they_do_and_admins_are_told(
    tg: Telegram,
) -> None:
    d = await district(tg)
    tg.fake.add_user(INSPECTOR_ID, "Nurlan", language_code="en", started=False)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    tg.fake.add_user(1, "Aigerim", language_code="en")

    reply = await send_appeal(dana)
    assert "registered as №1" in reply.text, "the resident is not troubled by delivery"
    [warning] = tg.fake.sent_to(1)
    assert "№1" in warning["text"], "the admins are told (in DEFAULT_LANGUAGE)"
    assert (await appeal_by_number(tg, 1)).delivered_at is None

    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await inspector.send("/start")
    assert any("Appeal №1" in (m.get("text") or "") for m in tg.fake.sent_to(INSPECTOR_ID))
    assert (await appeal_by_number(tg, 1)).delivered_at is not None


async def test_an_answer_to_a_resident_who_blocked_the_bot_is_kept_and_the_inspector_is_told(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    await tg.deliver(tg.fake.block(RESIDENT))

    await inspector.reply_to(tg.fake.sent_to(INSPECTOR_ID)[0], "We checked the stairwell.")
    assert "the resident blocked the bot; it will go out when they open the bot again" in texts_in(tg, INSPECTOR_ID)
    async with tg.app.sessionmaker() as session:
        answer = await session.scalar(select(AppealMessage).where(AppealMessage.author == "staff"))
    assert answer is not None and answer.text == "We checked the stairwell." and not answer.delivered

    # Dana opens the bot again: the answer that waited for her arrives, once.
    await dana.send("/my")
    await tg.drain()
    assert texts_in(tg, RESIDENT).count("The inspector's answer on your appeal №1") == 1
    async with tg.app.sessionmaker() as session:
        answer = await session.scalar(select(AppealMessage).where(AppealMessage.author == "staff"))
    assert answer is not None and answer.delivered


async def test_a_double_press_on_send_makes_one_appeal_and_one_card(tg: Telegram) -> None:
    _, dana, _ = await beat(tg)
    summary, send_data = await appeal_summary(dana, "Noise at night.")
    first = tg.fake.callback_update(RESIDENT, summary, send_data)
    second = tg.fake.callback_update(RESIDENT, summary, send_data)
    await tg.deliver(first)
    await tg.deliver(second)
    await tg.drain()
    assert await _appeals(tg) == 1
    assert len([m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №1" in (m.get("text") or "")]) == 1


async def test_the_same_update_delivered_twice_creates_one_appeal(tg: Telegram) -> None:
    _, dana, _ = await beat(tg)
    summary, send_data = await appeal_summary(dana, "Noise at night.")
    update = tg.fake.callback_update(RESIDENT, summary, send_data)
    await tg.deliver(update)
    await tg.settle()  # the card the first delivery queued has gone out
    again = await tg.redeliver(update)
    assert again.calls == [], "a redelivered update changes nothing and says nothing"
    assert await _appeals(tg) == 1


async def test_more_appeals_an_hour_than_allowed_are_refused_politely(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    tg.app.dp["settings"].appeal_rate_limit = 2
    await send_appeal(dana, "First.")
    await send_appeal(dana, "Second.")
    reply = await dana.send("/appeal")
    assert "2 appeals in the last hour, which is the limit" in reply.text
    tg.clock.advance(hours=1, minutes=1)
    reply = await dana.send("/appeal")
    assert "What is your appeal about?" in reply.text


async def test_stickers_dice_and_too_long_texts_get_a_clear_answer_and_lose_nothing(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    reply = await dana.send("/appeal")
    await dana.press(reply.last, "Theft")
    sticker = {
        "file_id": "st1",
        "file_unique_id": "st1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    reply = await dana.send(sticker=sticker)
    assert "describe the problem in words first" in reply.text
    reply = await dana.send("x" * 3001)
    assert "3001 characters, the limit is 3000" in reply.text
    await dana.send("My bicycle was stolen from the entrance.")
    reply = await dana.send(dice={"emoji": "🎲", "value": 3})
    assert "can't attach this kind of message" in reply.text
    await dana.send(photo=PHOTO)
    await dana.send(location={"latitude": 43.238, "longitude": 76.945})
    reply = await dana.press(tg.fake.sent_to(RESIDENT)[-1], "Next")
    reply = await dana.press(reply.last, "with my name")
    assert "Attachments: 2" in reply.text
    await dana.press(reply.last, "Send")
    await tg.drain()  # one message a second to a private chat: the card, then each attachment
    appeal = await appeal_by_number(tg, 1)
    assert appeal.text == "My bicycle was stolen from the entrance."
    copies = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == INSPECTOR_ID]
    photos = [c for c in tg.fake.calls("sendPhoto") if c.params["chat_id"] == INSPECTOR_ID]
    assert len(copies) == 1 and len(photos) == 1, "the location copied, the photo sent again by its file id"


async def test_my_lists_the_residents_appeals_and_opens_a_thread(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    reply = await dana.send("/my")
    assert "You have not sent any appeals yet" in reply.text
    await send_appeal(dana, "Broken lamp in the yard, it is dark.")
    await inspector.reply_to(tg.fake.sent_to(INSPECTOR_ID)[0], "Reported to the akimat.")
    reply = await dana.send("/my")
    reply = await dana.press(reply.last, "№1")
    assert "Your appeal №1 · answered" in reply.text
    assert "You: Broken lamp in the yard" in reply.text and "Inspector: Reported to the akimat." in reply.text


async def test_the_queue_shows_open_appeals_by_deadline_with_overdue_marked_and_is_scoped(tg: Telegram) -> None:
    d = await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    other = tg.person(2001, "Aibek", language_code="en")
    admin = tg.person(1, "Aigerim", language_code="en")
    tg.app.dp["settings"].appeal_rate_limit = 20
    for n in range(10):
        await send_appeal(dana, f"Appeal text {n}")
        tg.clock.advance(hours=1)
    tg.clock.advance(days=25)  # 18 December: past the 15 working days of the first ones (14 December)

    reply = await inspector.send("/queue")
    assert "Open appeals: 10" in reply.text
    assert reply.text.count("⚠️") >= 1 and "№1 · A-12" in reply.text
    assert "⚠️ №1 · A-12 · new · due 14 December 2026 · overdue by 4 working days" in reply.text
    reply = await inspector.press(reply.last, "▶️")
    assert "№9" in reply.text and "№10" in reply.text
    reply = await other.send("/queue")
    assert "Open appeals: 0" in reply.text, "another inspector sees none of them"
    reply = await admin.send("/queue")
    assert "Open appeals: 10" in reply.text
    reply = await dana.send("/queue")
    assert "for district inspectors" in reply.text


async def test_the_register_export_is_a_csv_excel_opens_with_one_row_per_appeal(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    await send_appeal(dana, "Second one", anonymous=True)
    reply = await inspector.send("/export 2026-11-01 2026-11-30")
    [document] = [c for c in reply.calls if c.method == "sendDocument"]
    from bot.emulator.validate import Upload

    [upload] = [v for v in document.params.values() if isinstance(v, Upload)]
    text = upload.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = text.strip().splitlines()
    assert len(rows) == 3 and rows[1].startswith("1,") and ",7," in rows[1]
    assert ",7," not in rows[2], "an anonymous appeal's flat stays empty"
    assert upload.filename == "appeals_2026-11-01_2026-11-30.csv"


async def test_forget_me_keeps_the_appeals_statistics_but_nothing_the_resident_wrote(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana, "My phone is +7 701 555 55 55", photo=True)
    reply = await dana.send("/forget_me")
    await dana.press(reply.last, "Delete my data")
    appeal = await appeal_by_number(tg, 1)
    assert appeal.resident_id is None and appeal.flat is None and appeal.text == ""
    assert appeal.category == "public_order" and appeal.status == "new"
    async with tg.app.sessionmaker() as session:
        leftovers = list(await session.scalars(select(AppealMessage.text).where(AppealMessage.text.is_not(None))))
    assert leftovers == []
    reply = await inspector.reply_to(tg.fake.sent_to(INSPECTOR_ID)[0], "Noted.")
    assert "not delivered: the resident deleted their data" in reply.text


async def test_the_queue_filters_by_building_and_status(tg: Telegram) -> None:
    d = await district(tg)
    second = await district(tg, inspector_id=INSPECTOR_ID + 1, code="C-3")
    async with tg.app.sessionmaker.begin() as session:
        building = await session.merge(second.building)
        building.inspector_id = d.inspector.id
    await resident_of(tg, d.building, RESIDENT, "Dana")
    await resident_of(tg, second.building, RESIDENT + 1, "Ivan")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    ivan = tg.person(RESIDENT + 1, "Ivan", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await send_appeal(dana, "In A-12")
    await send_appeal(ivan, "In C-3")
    await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Take")

    queue = (await inspector.send("/queue")).last
    assert "Open appeals: 2" in queue["text"]
    buttons = {b["text"]: b["callback_data"] for row in queue["reply_markup"]["inline_keyboard"] for b in row}
    reply = await inspector.press_data(queue, buttons["C-3"], require_button=True)
    assert "Open appeals: 1" in reply.text and "C-3" in reply.text and "№1 ·" not in reply.text
    fresh = (await inspector.send("/queue")).last
    reply = await inspector.press_data(fresh, buttons["in progress"], require_button=True)
    assert "Open appeals: 1" in reply.text and "№1 · A-12" in reply.text


async def test_a_command_in_the_middle_of_a_dialog_runs_and_is_not_taken_as_the_answer(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    reply = await dana.send("/appeal")
    await dana.press(reply.last, "Other")
    reply = await dana.send("/my")
    assert "You have not sent any appeals yet" in reply.text
    reply = await dana.send("The dialog goes on afterwards.")
    assert "Press Next" in reply.text

    await send_appeal(dana)
    await inspector.press(tg.fake.sent_to(INSPECTOR_ID)[0], "Reply")
    reply = await inspector.send("/queue")
    assert "Open appeals: 1" in reply.text, "/queue is not sent to the resident as an answer"


async def test_an_administrators_language_choice_lasts_and_cards_reach_them_in_it(tg: Telegram) -> None:
    d = await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        building = await session.merge(d.building)
        building.inspector_id = None
    await resident_of(tg, d.building, RESIDENT, "Dana")
    dana = tg.person(RESIDENT, "Dana", language_code="en")
    admin = tg.person(1, "Aigerim", language_code="ru")
    await admin.send("/start")
    picker = (await admin.send("/lang")).last
    await admin.press(picker, "English")
    await send_appeal(dana)
    card = next(m for m in tg.fake.sent_to(1) if "№1" in (m.get("text") or ""))
    assert card["text"].startswith("📨 Appeal №1"), "written in the language the administrator chose"


async def test_telegram_asking_to_wait_delays_the_card_and_it_goes_out_by_itself(tg: Telegram) -> None:
    _, dana, _inspector = await beat(tg)
    tg.fake.fail_next(
        "sendMessage",
        chat_id=INSPECTOR_ID,
        error_code=429,
        description="Too Many Requests: retry after 30",
        parameters={"retry_after": 30},
    )
    reply = await send_appeal(dana)
    assert "registered as №1" in reply.text and "went wrong" not in texts_in(tg, RESIDENT)
    assert (await appeal_by_number(tg, 1)).delivered_at is None

    # Nobody opens the bot: once Telegram's wait is over the card goes out, and after a 5xx, again by itself.
    tg.fake.fail_next("sendMessage", chat_id=INSPECTOR_ID, error_code=502, description="Bad Gateway")
    tg.clock.advance(seconds=30)
    await tg.drain()
    assert (await appeal_by_number(tg, 1)).delivered_at is None
    tg.clock.advance(seconds=5)
    await tg.drain()
    assert (await appeal_by_number(tg, 1)).delivered_at is not None
    assert len([m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №1" in (m.get("text") or "")]) == 1
    assert tg.fake.sent_to(1) == [], "the admins are not troubled by a wait that ends by itself"
