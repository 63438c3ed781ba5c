"""The fake Telegram server, exercised through real aiogram as the bot will use it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)

from bot.emulator import FakeTelegram
from bot.emulator.html import parse_html

USER = 1001
GROUP = -5001
SUPERGROUP = -1005001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.add_user(USER, "Анна", username="anna")
        yield server
        # What a project fixture should do too; tests that provoke violations clear them.
        assert server.schema_violations == []
        assert server.internal_errors == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    async with Bot(fake.token, session=session) as client:
        yield client


async def post_raw(fake: FakeTelegram, method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """A request aiogram's models would refuse to build, as a buggy client might send it."""
    url = f"{fake.base_url}/bot{fake.token}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, **kwargs) as response:
        return response.status, await response.json()


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data) for text, data in row] for row in rows]
    )


async def test_get_me_returns_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (42, "inspector_test_bot", True)


async def test_a_wrong_token_answers_401(fake: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    async with Bot("42:WRONG", session=session) as stranger:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()


async def test_html_is_stored_as_visible_text_with_utf16_entities(fake: FakeTelegram, bot: Bot) -> None:
    html = '😀 <b>Жалоба</b> &lt;№1&gt; <a href="https://example.org/?a=1&amp;b=2">ссылка</a>'
    sent = await bot.send_message(USER, html, parse_mode="HTML")

    assert sent.text == "😀 Жалоба <№1> ссылка"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 3, 6),
        ("text_link", 15, 6),
    ]
    assert sent.entities and sent.entities[1].url == "https://example.org/?a=1&b=2"
    assert fake.sent_to(USER)[0]["text"] == sent.text
    assert fake.calls("sendMessage")[0].params["text"] == html


@pytest.mark.parametrize(
    "html",
    ["a < b", "R&D", "<b>unclosed", "<b><i>crossed</b></i>", "line<br>break", "1 > 0"],
)
async def test_invalid_html_cannot_be_parsed(bot: Bot, html: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, html, parse_mode="HTML")


def test_pre_with_a_language_is_one_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert (text, entities) == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
    )


async def test_a_text_of_4097_characters_is_too_long(bot: Bot) -> None:
    await bot.send_message(USER, "я" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "я" * 4097)


async def test_the_limit_counts_text_after_html_parsing(bot: Bot) -> None:
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_a_caption_over_1024_characters_is_too_long(bot: Bot) -> None:
    photo = BufferedInputFile(b"\x89PNG fake", filename="act.png")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, photo, caption="x" * 1025)


async def test_a_whitespace_text_is_empty(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, " \n ")


async def test_callback_data_of_65_bytes_is_rejected(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard([("Да", "я" * 32)]))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=keyboard([("Да", "я" * 32 + "x")]))


async def test_more_than_8_buttons_in_a_row_are_rejected(bot: Bot) -> None:
    row = [(str(n), str(n)) for n in range(9)]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "many", reply_markup=keyboard(row))


async def test_a_schema_violation_is_recorded(fake: FakeTelegram) -> None:
    status, answer = await post_raw(fake, "sendMessage", data={"chat_id": str(USER), "txt": "typo"})

    assert status == 400 and answer["ok"] is False
    assert fake.schema_violations == ["sendMessage: unknown field 'txt'; sendMessage: missing required field 'text'"]
    fake.schema_violations.clear()


async def test_a_nested_type_mismatch_is_a_schema_violation(fake: FakeTelegram) -> None:
    markup = '{"inline_keyboard": [[{"text": "go", "callback_data": 5}]]}'
    form = {"chat_id": str(USER), "text": "hi", "reply_markup": markup}
    status, _ = await post_raw(fake, "sendMessage", data=form)

    assert status == 400
    assert fake.schema_violations == [
        "sendMessage.reply_markup.inline_keyboard[0][0].callback_data: expected String, got int 5"
    ]
    fake.schema_violations.clear()


async def test_a_json_body_is_accepted(fake: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "go", "callback_data": "go"}]]}
    body = {"chat_id": USER, "text": "hi", "reply_markup": markup}
    status, answer = await post_raw(fake, "sendMessage", json=body)

    assert status == 200 and answer["result"]["reply_markup"] == markup


async def test_an_unknown_method_answers_404_and_is_a_violation(fake: FakeTelegram) -> None:
    status, answer = await post_raw(fake, "sendMesage")

    assert (status, answer["description"]) == (404, "Not Found")
    assert fake.schema_violations == ["unknown method 'sendMesage'"]
    fake.schema_violations.clear()


async def test_a_blocked_user_answers_403(fake: FakeTelegram, bot: Bot) -> None:
    update = fake.block(USER)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello")


async def test_a_user_who_never_started_the_bot_answers_403(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_user(1002, "Борис", started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(1002, "hello")


async def test_an_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hello")


async def test_a_kicked_bot_gets_403_and_a_my_chat_member_update(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(SUPERGROUP, "Дом 5", type="supergroup", creator_id=USER)
    update = fake.kick_bot(SUPERGROUP)
    assert update["my_chat_member"]["old_chat_member"]["status"] == "member"
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(TelegramForbiddenError, match="kicked from the supergroup chat"):
        await bot.send_message(SUPERGROUP, "hello")


async def test_429_injection_raises_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", chat_id=USER)
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(USER, "hello")
    assert raised.value.retry_after == 5
    await bot.send_message(USER, "hello")  # only the next call failed
    assert len(fake.sent_to(USER)) == 1


async def test_a_502_injection_raises_a_server_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "hello")


async def test_a_slow_answer_times_out_yet_the_message_arrives(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", delay=1.5)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER, "hello", request_timeout=1)
    await asyncio.sleep(0.7)
    assert [m["text"] for m in fake.sent_to(USER)] == ["hello"]


async def test_rate_limits_answer_429_when_enforced(fake: FakeTelegram, bot: Bot) -> None:
    fake.enforce_rate_limits = True
    for _ in range(3):
        await bot.send_message(USER, "burst")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER, "one too many")
    assert fake.rate_limited_count == 1


async def test_a_migrated_group_raises_migrate_to_chat(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(GROUP, "Дом 5", creator_id=USER)
    updates = fake.migrate_group(GROUP, SUPERGROUP)
    assert updates[0]["message"]["migrate_to_chat_id"] == SUPERGROUP
    assert updates[1]["message"]["migrate_from_chat_id"] == GROUP
    with pytest.raises(TelegramMigrateToChat) as raised:
        await bot.send_message(GROUP, "hello")
    assert raised.value.migrate_to_chat_id == SUPERGROUP
    await bot.send_message(SUPERGROUP, "hello")


async def test_editing_to_the_same_text_is_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    markup = keyboard([("Да", "yes")])
    sent = await bot.send_message(USER, "<b>Акт</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="<b>Акт</b>",
            chat_id=USER,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    edited = await bot.edit_message_text(text="Акт принят", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=USER, message_id=999)
    assert [m["text"] for m in fake.chat_history(USER)] == ["Акт принят"]


async def test_a_reply_carries_the_replied_message(fake: FakeTelegram, bot: Bot) -> None:
    asked = fake.message_update(USER, USER, "Течёт крыша")
    assert asked is not None
    answer = await bot.send_message(
        USER,
        "Принято",
        reply_parameters=ReplyParameters(message_id=asked["message"]["message_id"]),
    )
    assert answer.reply_to_message and answer.reply_to_message.text == "Течёт крыша"
    assert answer.message_id == asked["message"]["message_id"] + 1


async def test_an_uploaded_photo_gets_a_file_id_that_can_be_resent(fake: FakeTelegram, bot: Bot) -> None:
    photo = BufferedInputFile(b"\x89PNG fake", filename="act.png")
    first = await bot.send_photo(USER, photo, caption="<i>Акт</i>", parse_mode="HTML")
    assert first.photo and first.caption == "Акт"
    again = await bot.send_photo(USER, first.photo[-1].file_id)
    assert again.photo and again.photo[-1].file_id == first.photo[-1].file_id
    stored = fake.world.files.by_id[first.photo[-1].file_id]
    assert (stored.file_name, stored.size) == ("act.png", 9)


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(GROUP, "Дом 5")
    commands = [BotCommand(command="report", description="Сообщить")]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=GROUP), language_code="ru")
    assert fake.commands[("chat", GROUP, "ru")] == [{"command": "report", "description": "Сообщить"}]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=GROUP), language_code="ru")
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="/Report", description="x")])


async def test_get_updates_honours_offset_and_long_polling(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.push_update({"message": {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"}}})
    second = fake.push_update({"message": {"message_id": 2, "date": 0, "chat": {"id": USER, "type": "private"}}})
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second, timeout=0)] == [second]

    waiting = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=5))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    assert fake.calls("getUpdates")[-1].response == {}  # recorded while it waits
    fake.message_update(USER, USER, "b")
    delivered = await asyncio.wait_for(waiting, 1)
    assert [u.message.text for u in delivered if u.message] == ["b"]


async def test_dispatcher_polling_answers_a_pushed_message(fake: FakeTelegram, bot: Bot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Здравствуйте!")

    await bot.delete_webhook(drop_pending_updates=True)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    fake.message_update(USER, USER, "/start")
    try:
        for _ in range(100):
            if fake.sent_to(USER):
                break
            await asyncio.sleep(0.02)
    finally:
        await dispatcher.stop_polling()
        await polling

    assert [m["text"] for m in fake.sent_to(USER)] == ["Здравствуйте!"]
    assert fake.allowed_updates == ["message"]
    assert fake.dropped_pending_updates is True
    assert fake.schema_violations == [] and fake.internal_errors == []


async def test_a_button_press_is_answered(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Принять?", reply_markup=keyboard([("Да", "yes")]))
    update = fake.callback_update(USER, sent.model_dump(exclude_none=True), "yes")
    query_id = update["callback_query"]["id"]
    await bot.answer_callback_query(query_id, text="Готово")
    assert fake.callback_answers[query_id]["text"] == "Готово"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_in_privacy_mode_plain_group_chatter_is_not_delivered(fake: FakeTelegram) -> None:
    fake.add_group(GROUP, "Дом 5", creator_id=USER)
    assert fake.message_update(USER, GROUP, "всем привет") is None
    assert fake.message_update(USER, GROUP, "/report@inspector_test_bot") is not None
    assert fake.message_update(USER, GROUP, "/report@other_bot") is None


async def test_adding_the_bot_to_a_group_pushes_two_updates(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(GROUP, "Дом 5", bot_status="left")
    status, message = fake.add_bot_to_group(GROUP, USER)
    assert status["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert message["message"]["new_chat_members"][0]["id"] == fake.bot_user["id"]
    member = await bot.get_chat_member(GROUP, fake.bot_user["id"])
    assert member.status == "member"


async def test_updates_of_types_not_allowed_are_never_delivered(fake: FakeTelegram, bot: Bot) -> None:
    fake.block(USER)
    fake.message_update(USER, USER, "/start")  # writing again unblocks: another my_chat_member

    updates = await bot.get_updates(allowed_updates=["message"], timeout=0)

    assert [u.message.text for u in updates if u.message] == ["/start"]
    assert len(updates) == 1 and fake.allowed_updates == ["message"]


async def test_an_album_of_uploaded_photos_shares_a_media_group(bot: Bot) -> None:
    album = [
        InputMediaPhoto(media=BufferedInputFile(b"one", filename="1.jpg"), caption="<b>Подъезд</b>", parse_mode="HTML"),
        InputMediaPhoto(media=BufferedInputFile(b"two", filename="2.jpg")),
    ]
    messages = await bot.send_media_group(USER, album)

    assert len({m.media_group_id for m in messages}) == 1
    assert messages[0].caption == "Подъезд" and messages[1].caption is None


async def test_chat_info_and_administrators_parse_in_aiogram(fake: FakeTelegram, bot: Bot) -> None:
    fake.add_group(SUPERGROUP, "Дом 5", type="supergroup", creator_id=USER)
    fake.my_chat_member_update(SUPERGROUP, USER, "administrator")

    chat = await bot.get_chat(SUPERGROUP)
    admins = await bot.get_chat_administrators(SUPERGROUP)

    assert (chat.title, chat.type) == ("Дом 5", "supergroup")
    assert sorted(a.status for a in admins) == ["administrator", "creator"]


async def test_a_deleted_message_leaves_the_history_but_not_the_record(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "черновик")
    await bot.delete_message(USER, sent.message_id)

    assert fake.chat_history(USER) == []
    assert [m["text"] for m in fake.sent_to(USER)] == ["черновик"]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
