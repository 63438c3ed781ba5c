"""Every message reaches its person: a card, an answer and a reply get through Telegram's 429s, its 5xx and dropped
connections by themselves; whoever wrote is told the true cause when one cannot; a flood from one person costs the
others nothing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from models import Delivery
from tests.conftest import bot_on_fake
from tests.stories.test_notices import preview
from tests.support.appeal_steps import PHOTO, appeal_by_number, send_appeal, texts_in
from tests.support.harness import ErrorLog, FrozenClock, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, bound_chats, district

CARD = "📨 Appeal №1"
ANSWER = "The inspector's answer on your appeal №1"
REPLY = "The resident replies on appeal №1"
TROUBLES = ["429", "5xx", "dropped before Telegram took it", "dropped after Telegram took it"]


def trouble(tg: Telegram, kind: str, chat_id: int) -> None:
    """The next message to the chat meets this."""
    if kind == "429":
        tg.fake.fail_next(
            "sendMessage",
            chat_id=chat_id,
            error_code=429,
            description="Too Many Requests: retry after 5",
            parameters={"retry_after": 5},
        )
    elif kind == "5xx":
        tg.fake.fail_next("sendMessage", chat_id=chat_id, error_code=502, description="Bad Gateway")
    else:
        tg.fake.drop_connection("sendMessage", chat_id=chat_id, after=kind.endswith("took it"))


async def time_passes(tg: Telegram) -> None:
    """Nobody opens the bot: only the clock moves past Telegram's wait and the sender's backoff."""
    await tg.drain()
    tg.clock.advance(seconds=6)
    await tg.drain()


def times_shown(tg: Telegram, chat_id: int, text: str) -> int:
    return sum(text in (message.get("text") or "") for message in tg.fake.sent_to(chat_id))


def taken_then_dropped(tg: Telegram, chat_id: int) -> int:
    """Requests Telegram processed before the connection dropped: the only ones that may arrive twice."""
    return sum(1 for call in tg.fake.dropped if call.response.get("ok") and call.params.get("chat_id") == chat_id)


@pytest.mark.parametrize("kind", TROUBLES)
async def test_a_card_an_answer_and_a_reply_each_get_through_by_themselves(tg: Telegram, kind: str) -> None:
    _, dana, inspector = await beat(tg)

    trouble(tg, kind, INSPECTOR_ID)
    await send_appeal(dana)
    await time_passes(tg)
    assert times_shown(tg, INSPECTOR_ID, CARD) == 1 + taken_then_dropped(tg, INSPECTOR_ID)
    assert (await appeal_by_number(tg, 1)).delivered_at is not None

    trouble(tg, kind, RESIDENT_ID)
    card = next(m for m in reversed(tg.fake.sent_to(INSPECTOR_ID)) if CARD in (m.get("text") or ""))
    await inspector.reply_to(card, "We spoke to the neighbours.")
    await time_passes(tg)
    assert times_shown(tg, RESIDENT_ID, ANSWER) == 1 + taken_then_dropped(tg, RESIDENT_ID)
    copies = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT_ID and c.response.get("ok")]
    assert len(copies) == 1, "the answer itself, copied once"

    trouble(tg, kind, INSPECTOR_ID)
    answer = {"message_id": copies[0].response["result"]["message_id"], "chat": {"id": RESIDENT_ID, "type": "private"}}
    await dana.reply_to(answer, "Thank you, it is quiet now.")
    await time_passes(tg)
    assert times_shown(tg, INSPECTOR_ID, REPLY) == 1 + taken_then_dropped(tg, INSPECTOR_ID) - (
        1 if kind.endswith("took it") else 0  # the card's own duplicate, counted above
    )
    assert "not delivered" not in texts_in(tg, INSPECTOR_ID) + texts_in(tg, RESIDENT_ID)

    # Replies still find the appeal: the pair was recorded when the sender learnt the message's id.
    reply_copy = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == INSPECTOR_ID][-1]
    forwarded = {"message_id": reply_copy.response["result"]["message_id"], "chat": {"id": INSPECTOR_ID}}
    reply = await inspector.reply_to({**forwarded, "chat": {"id": INSPECTOR_ID, "type": "private"}}, "Good.")
    assert "on its way to the resident" in reply.text


async def test_a_long_wait_is_told_to_the_inspector_with_the_time_it_will_go_out(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    tg.fake.fail_next(
        "sendMessage",
        chat_id=RESIDENT_ID,
        error_code=429,
        description="Too Many Requests: retry after 120",
        parameters={"retry_after": 120},
    )
    await inspector.reply_to(tg.fake.sent_to(INSPECTOR_ID)[0], "We spoke to the neighbours.")
    await tg.drain()
    # 09:00 UTC is 14:00 in Almaty; two minutes on.
    assert "Telegram asked us to wait; it will go out at 14:02" in texts_in(tg, INSPECTOR_ID)

    reply = await dana.send("/my")
    reply = await dana.press(reply.last, "№1")
    assert "Inspector: We spoke to the neighbours. (⏳ Telegram asked us to wait; it will go out at 14:02)" in (
        reply.text
    )
    tg.clock.advance(minutes=2)
    await tg.drain()
    assert times_shown(tg, RESIDENT_ID, ANSWER) == 1
    reply = await dana.send("/my")
    reply = await dana.press(reply.last, "№1")
    assert "Inspector: We spoke to the neighbours. (✓ delivered)" in reply.text


async def test_a_reply_to_an_inspector_who_blocked_the_bot_waits_for_them_and_the_resident_is_told(
    tg: Telegram,
) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    await inspector.reply_to(tg.fake.sent_to(INSPECTOR_ID)[0], "Which flat exactly?")
    answer = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT_ID][-1]
    await tg.deliver(tg.fake.block(INSPECTOR_ID))

    copied = {"message_id": answer.response["result"]["message_id"], "chat": {"id": RESIDENT_ID, "type": "private"}}
    await dana.reply_to(copied, "Flat 12, third floor.")
    assert "the inspector blocked the bot or has not opened it" in texts_in(tg, RESIDENT_ID)

    await inspector.send("/start")
    await tg.drain()
    assert times_shown(tg, INSPECTOR_ID, REPLY) == 1


async def test_a_deleted_attachment_does_not_hold_up_the_card(tg: Telegram) -> None:
    _, dana, _inspector = await beat(tg)
    reply = await dana.send("/appeal")
    await dana.press(reply.last, "Public order")
    await dana.send("Someone broke the entrance door.")
    # A location is copied from her chat; a photo goes again by its file id (never with its caption).
    first = (await dana.send(location={"latitude": 43.238, "longitude": 76.945})).calls
    assert first
    await dana.send(photo=PHOTO, caption="the lock")
    [place] = [m for m in tg.fake.chat_history(RESIDENT_ID) if m.get("location") and m["from"]["id"] == RESIDENT_ID]
    prompt = [m for m in tg.fake.sent_to(RESIDENT_ID) if "Next" in str(m.get("reply_markup"))][-1]
    reply = await dana.press(prompt, "Next")
    summary = (await dana.press(reply.last, "with my name")).last
    tg.fake.delete_by_user(RESIDENT_ID, place["message_id"])  # before pressing Send
    await dana.press(summary, "Send")
    await tg.drain()

    assert (await appeal_by_number(tg, 1)).delivered_at is not None
    copies = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == INSPECTOR_ID and c.response.get("ok")]
    assert copies == [], "the deleted location could not be copied"
    photos = [c for c in tg.fake.calls("sendPhoto") if c.params["chat_id"] == INSPECTOR_ID and c.response.get("ok")]
    assert len(photos) == 1 and not photos[0].params.get("caption"), "the photo that is still there"
    [card] = [m for m in tg.fake.chat_history(INSPECTOR_ID) if CARD in (m.get("text") or "")]
    assert "Attachment 1 of 2 (location) is no longer available." in card["text"]
    assert "the lock" in card["text"], "the caption is part of the appeal's text"
    assert card.get("reply_markup"), "the card keeps its buttons"

    # The next appeal's card is not held up behind it.
    await send_appeal(dana, "Second appeal.")
    await tg.drain()
    assert (await appeal_by_number(tg, 2)).delivered_at is not None


async def test_a_dropped_connection_during_a_notice_loses_no_chat(tg: Telegram) -> None:
    d = await district(tg)
    chats = [-101, -102, -103]
    await bound_chats(tg, d, chats)
    tg.fake.drop_connection("sendMessage", chat_id=-102)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    reply = await preview(inspector)
    await inspector.press(reply.last, "Send")
    await tg.drain()
    for chat_id in chats:
        assert len(tg.fake.sent_to(chat_id)) == 1, f"chat {chat_id} got the notice once"
    assert len(tg.fake.dropped) == 1
    assert "delivered to every chat (3)" in texts_in(tg, INSPECTOR_ID)
    assert "1 chat may have got it twice" in texts_in(tg, INSPECTOR_ID)


async def test_a_reply_meeting_a_short_429_is_sent_after_the_wait_and_a_long_one_is_dropped_quietly(
    tg: Telegram, everything: ErrorLog
) -> None:
    _, dana, _inspector = await beat(tg)
    tg.fake.fail_next(
        "sendMessage",
        chat_id=RESIDENT_ID,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    reply = await dana.send("/help")
    assert [c.response.get("error_code") for c in reply.calls if c.method == "sendMessage"] == [429, None]
    assert "/appeal" in reply.text

    tg.fake.fail_next(
        "sendMessage",
        chat_id=RESIDENT_ID,
        error_code=429,
        description="Too Many Requests: retry after 60",
        parameters={"retry_after": 60},
    )
    reply = await dana.send("/help")
    assert reply.text == "", "dropped: Telegram would take it only in a minute"
    dropped = [r for r in everything.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelname == "WARNING" and not dropped[0].exc_info
    assert str(RESIDENT_ID) not in dropped[0].getMessage(), "no one's id in the log"
    assert "/appeal" in (await dana.send("/help")).text


# --- a flood -----------------------------------------------------------------------------------


@pytest.fixture
def everything() -> Iterator[ErrorLog]:
    """Every record logged, whatever its level: none may carry a traceback."""
    handler = ErrorLog()
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def limited(database_url: str, clock: FrozenClock, error_log: ErrorLog) -> AsyncIterator[Telegram]:
    """The bot with its real flood limit, against a Telegram that enforces its own."""
    async with bot_on_fake(database_url, clock, error_log, enforce_rate_limits=True, flood_rate=5) as telegram:
        yield telegram


async def test_forty_starts_in_a_second_leave_no_traceback_and_the_next_person_is_answered_promptly(
    limited: Telegram, everything: ErrorLog
) -> None:
    tg = limited
    tg.fake.add_user(RESIDENT_ID, "Dana", language_code="ru")
    tg.fake.add_user(RESIDENT_ID + 1, "Ivan", language_code="en")
    flood = [tg.fake.message_update(RESIDENT_ID, RESIDENT_ID, "/start") for _ in range(40)]
    started = time.monotonic()
    ivan = await tg.deliver(tg.fake.message_update(RESIDENT_ID + 1, RESIDENT_ID + 1, "/start"))
    answered_in = time.monotonic() - started
    await asyncio.gather(*(tg.deliver(update) for update in flood))

    assert ivan.text, "Ivan is answered"
    assert answered_in < 10, f"Ivan waited {answered_in:.1f} s behind Dana's flood"  # generous: a busy machine
    slow_down = [m for m in tg.fake.sent_to(RESIDENT_ID) if "слишком" in (m.get("text") or "").lower()]
    assert len(slow_down) <= 1, "at most one request to slow down (in her language) a minute"
    answered = [c for c in tg.fake.requests if c.method == "sendMessage" and c.params.get("chat_id") == RESIDENT_ID]
    assert len(answered) <= 12, "the extra /start are dropped before the handlers"
    assert not [r for r in everything.records if r.exc_info], "no traceback in the log"
    async with tg.app.sessionmaker() as session:
        assert list(await session.scalars(select(Delivery.id))) == []
