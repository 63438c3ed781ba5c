"""The outbox and its one sender: Telegram's limits and errors, restarts and crashes — nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_bot
from bot.config import Settings
from bot.delivery.sender import LEASE_TTL, Sender
from bot.emulator import Call, FakeTelegram
from bot.i18n import create_i18n
from bot.services import outbox, parts
from models import BuildingChat, Delivery, DeliveryStatus, MessageLink, OutboxFile, Priority
from tests.conftest import TOKEN, make_settings
from tests.support.harness import ErrorLog, FrozenClock, Telegram, running_bot
from tests.support.stories import INSPECTOR_ID, bound_chats, district

CHATS = [-101, -102, -103]


NOTICE = "Water is off on Friday 10:00-14:00."


async def broadcast(
    tg: Telegram, chat_ids: list[int], text: str = NOTICE, *, media: parts.Media | None = None, link: bool = False
) -> None:
    """What a notice does: a batch by the inspector, one row per chat."""
    async with tg.app.sessionmaker.begin() as session:
        await enqueue_batch(session, tg, chat_ids, text, media=media, link=link)
    tg.app.sender.wake()


async def enqueue_batch(
    session: AsyncSession,
    tg: Telegram,
    chat_ids: list[int],
    text: str = NOTICE,
    *,
    media: parts.Media | None = None,
    link: bool = False,
) -> None:
    batch = await outbox.start_broadcast(session, tg.clock, author_id=INSPECTOR_ID, kind="notice", title=text)
    for chat_id in chat_ids:
        message = parts.message(text, media=media, link=link)
        await outbox.enqueue(session, tg.clock, chat_id=chat_id, parts=message, broadcast=batch)


async def crash(sender: Sender) -> None:
    """The process dies: the loop and every request in flight stop where they are; the lease is not given up."""
    tasks = [sender._loop_task, *sender._tasks]
    for task in tasks:
        if task is not None:
            task.cancel()
    await asyncio.gather(*(task for task in tasks if task is not None), return_exceptions=True)


async def rows(tg: Telegram) -> list[Delivery]:
    """The rows for building chats (the author's reports aside)."""
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.chat_id < 0).order_by(Delivery.id)))


def texts(tg: Telegram, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in tg.fake.sent_to(chat_id)]


def report(tg: Telegram) -> str:
    return "\n".join(texts(tg, INSPECTOR_ID))


async def test_a_notice_reaches_every_building_chat_once_and_the_author_gets_a_report(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)

    await broadcast(tg, CHATS, link=True)
    await tg.drain()

    for chat_id in CHATS:
        assert texts(tg, chat_id) == ["Water is off on Friday 10:00-14:00."]
    assert "delivered to every chat (3)" in report(tg)
    assert {row.status for row in await rows(tg)} == {"sent"}
    async with tg.app.sessionmaker() as session:
        links = (await session.scalars(select(MessageLink).where(MessageLink.delivery_id.is_not(None)))).all()
    assert sorted(link.chat_id for link in links) == sorted(CHATS)  # replies under it can be routed


async def test_a_429_storm_holds_the_chat_for_retry_after_and_loses_nothing(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    tg.fake.fail_next(
        "sendMessage",
        chat_id=-102,
        times=3,
        error_code=429,
        description="Too Many Requests: retry after 30",
        parameters={"retry_after": 30},
    )

    await broadcast(tg, CHATS)
    await tg.drain()
    assert texts(tg, -101) == texts(tg, -103) == ["Water is off on Friday 10:00-14:00."]
    assert texts(tg, -102) == []
    waiting = next(row for row in await rows(tg) if row.chat_id == -102)
    assert waiting.status == "pending" and waiting.not_before == tg.clock.now() + timedelta(seconds=30)
    assert "delivered" not in report(tg)  # the batch is not over yet

    for _ in range(3):  # two more 429s, each waited out
        tg.clock.advance(seconds=30)
        await tg.drain()
    assert texts(tg, -102) == ["Water is off on Friday 10:00-14:00."]
    assert "delivered to every chat (3)" in report(tg)
    assert len([c for c in tg.fake.calls("sendMessage") if c.params["chat_id"] == -102]) == 4


async def test_a_retry_after_of_hours_survives_a_restart(database_url: str, clock: FrozenClock) -> None:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    try:
        settings = make_settings(database_url, fake.base_url)
        async with running_bot(fake, settings, clock) as tg:
            d = await district(tg)
            await bound_chats(tg, d, [-101])
            fake.fail_next(
                "sendMessage",
                chat_id=-101,
                error_code=429,
                description="Too Many Requests: retry after 7200",
                parameters={"retry_after": 7200},
            )
            await broadcast(tg, [-101])
            await tg.drain()
        assert fake.sent_to(-101) == []

        clock.advance(hours=2)
        async with running_bot(fake, settings, clock) as tg:
            await tg.drain()
            assert texts(tg, -101) == ["Water is off on Friday 10:00-14:00."]
            assert "delivered to every chat (1)" in report(tg)
    finally:
        await fake.stop()


async def test_a_kicked_bot_marks_the_chat_inactive_fails_once_and_tells_the_author(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, CHATS)
    tg.fake.world.chats[-102].bot_kicked = True  # removed while the bot was down: no my_chat_member seen

    await broadcast(tg, CHATS)
    await broadcast(tg, [-102], "Second notice")
    await tg.drain()

    assert "delivered to 2 of 3 chats" in report(tg)
    assert "A-12, chat «Abay 10 entrance 102» — the bot was removed from the chat" in report(tg)
    assert len([c for c in tg.fake.requests if c.params.get("chat_id") == -102]) == 1  # the second never tried
    async with tg.app.sessionmaker() as session:
        chat = await session.scalar(select(BuildingChat).where(BuildingChat.chat_id == -102))
    assert chat is not None and not chat.active
    assert [row.reason for row in await rows(tg) if row.chat_id == -102] == ["removed", "removed"]


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    # Upgraded while the bot was down: it never saw the two service messages.
    tg.fake.migrate_group(-101, -1001101)
    tg.fake.queue.pending.clear()

    await broadcast(tg, [-101])
    await tg.drain()

    assert texts(tg, -1001101) == ["Water is off on Friday 10:00-14:00."]
    async with tg.app.sessionmaker() as session:
        chat = await session.scalar(select(BuildingChat).where(BuildingChat.building_id == d.building.id))
    assert chat is not None and chat.chat_id == -1001101
    assert "delivered to every chat (1)" in report(tg)


async def test_telegram_5xx_is_retried_with_backoff_then_given_up_and_reported(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    tg.fake.fail_next("sendMessage", chat_id=-101, times=2, error_code=502, description="Bad Gateway")
    tg.fake.fail_next("sendMessage", chat_id=-102, times=99, error_code=500, description="Internal Server Error")

    await broadcast(tg, [-101, -102])
    await tg.drain()
    [first, second] = await rows(tg)
    assert first.status == "pending" and first.not_before == tg.clock.now() + timedelta(seconds=5)

    for seconds in (5, 10, 20, 40):
        tg.clock.advance(seconds=seconds)
        await tg.drain()
    assert texts(tg, -101) == ["Water is off on Friday 10:00-14:00."]
    [first, second] = await rows(tg)
    assert first.status == "sent" and first.attempts == 2
    assert second.status == "failed" and second.attempts == 5 and second.error == "Internal Server Error"
    assert "delivered to 1 of 2 chats" in report(tg)
    assert "Telegram was unavailable (5 attempts)" in report(tg)


async def test_a_message_telegram_refuses_fails_after_one_try_with_its_description(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])

    await broadcast(tg, [-101], "Meeting <blink>tonight</blink>")
    await tg.drain()

    [row] = await rows(tg)
    assert row.status == "failed" and row.reason == "refused" and "can't parse entities" in (row.error or "")
    assert len(tg.fake.calls("sendMessage")) == 2  # the one try, and the report
    assert "Telegram refused the message: Bad Request: can&#x27;t parse entities" not in report(tg)
    assert "Telegram refused the message: Bad Request: can't parse entities" in report(tg)


async def test_no_answer_after_the_request_left_is_sent_once_more_and_the_author_told_it_may_be_twice(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    # Telegram takes the message but answers after the bot stopped waiting (outbox_timeout is 1 s in tests).
    tg.fake.fail_next("sendMessage", chat_id=-101, delay=2.5)

    await broadcast(tg, [-101, -102])
    await tg.drain()
    while len(tg.fake.sent_to(-101)) < 2:  # Telegram finishes taking the first one after all
        await asyncio.sleep(0.1)
    await tg.drain()

    assert texts(tg, -101) == [NOTICE, NOTICE], "at least once: sent once more, so here it arrived twice"
    [first, _second] = await rows(tg)
    assert first.status == "sent" and first.reason == "no_answer" and first.attempts == 1
    assert "delivered to every chat (2)" in report(tg)
    assert "1 chat may have got it twice" in report(tg)


async def test_a_long_notice_is_cut_at_paragraphs_and_a_long_caption_follows_its_photo(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    paragraphs = [f"<b>Point {n}</b>. " + "Пожалуйста, закрывайте двери подъезда. " * 25 for n in range(1, 13)]
    long_text = "\n\n".join(paragraphs)
    assert parts.visible_length(long_text) > 2 * parts.TEXT_LIMIT
    photo = tg.fake.add_file(b"jpeg", "stairs.jpg")

    await broadcast(tg, [-101], long_text)
    await broadcast(tg, [-102], "\n\n".join(paragraphs[:3]), media=parts.Media("photo", file_id=photo))
    await tg.drain()

    received = texts(tg, -101)
    assert len(received) == 3
    assert all(len(text.encode("utf-16-le")) // 2 <= parts.TEXT_LIMIT for text in received)
    assert [text.split(".")[0] for text in received] == ["Point 1", "Point 5", "Point 9"]
    visible = long_text.replace("<b>", "").replace("</b>", "")
    assert "".join("".join(received).split()) == "".join(visible.split())  # nothing lost at the cuts
    [with_photo, caption_text] = tg.fake.sent_to(-102)
    assert "photo" in with_photo and "caption" not in with_photo
    assert caption_text["text"].startswith("Point 1")


async def test_a_chat_gets_its_messages_in_order_and_a_person_is_not_kept_waiting_by_a_broadcast(tg: Telegram) -> None:
    d = await district(tg)
    chats = [-200 - n for n in range(100)]  # over three seconds at 30 a second
    await bound_chats(tg, d, chats)
    tg.fake.fail_next("sendMessage", chat_id=-200, error_code=502, description="Bad Gateway")
    sent_before = len(tg.fake.calls("sendMessage"))

    async with tg.app.sessionmaker.begin() as session:
        await enqueue_batch(session, tg, chats, "First")
        await enqueue_batch(session, tg, [-200], "Second")
        personal = parts.message("Personal")
        await outbox.enqueue(session, tg.clock, chat_id=INSPECTOR_ID, parts=personal, priority=Priority.PERSONAL)
    await tg.drain()
    tg.clock.advance(seconds=5)
    await tg.drain()

    assert texts(tg, -200) == ["First", "Second"]
    sends = [c.params["chat_id"] for c in tg.fake.calls("sendMessage")[sent_before:]]
    # In the broadcast's first second or so, even when the inspector's chat had a message within the last second.
    assert sends.index(INSPECTOR_ID) < 50, sends


async def test_a_second_instance_sends_nothing_until_the_first_ones_lease_lapses(tg: Telegram) -> None:
    d = await district(tg)
    await bound_chats(tg, d, [-101])
    settings: Settings = tg.app.settings
    other = Sender(tg.app.bot, tg.app.sessionmaker, tg.clock, create_i18n("en"), settings, holder="other")
    await tg.app.sender.stop()  # the first instance dies without a word: its lease runs on
    tg.app.sender = Sender(tg.app.bot, tg.app.sessionmaker, tg.clock, create_i18n("en"), settings, holder="first")
    async with tg.app.sessionmaker.begin() as session:
        assert await outbox.hold_lease(session, tg.clock, name="sender", holder="first", ttl=LEASE_TTL)

    await broadcast(tg, [-101])
    other.start()
    try:
        await asyncio.wait_for(other.drained(), 5)
        assert tg.fake.sent_to(-101) == []
        tg.clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
        await asyncio.sleep(0)
        await asyncio.wait_for(other.drained(), 5)
        assert texts(tg, -101) == ["Water is off on Friday 10:00-14:00."]
    finally:
        await other.stop()


async def test_a_crash_mid_broadcast_resumes_and_sends_only_what_was_in_flight_twice(
    tg: Telegram, error_log: ErrorLog
) -> None:
    d = await district(tg)
    chats = [-300 - n for n in range(60)]
    await bound_chats(tg, d, chats)
    # A slow Telegram, so that the crash finds requests in flight; slow, not silent: however loaded the machine, the
    # bot waits for its answers (this story is about the crash, not about timeouts).
    tg.app.settings.outbox_timeout = 10
    for chat_id in chats:
        tg.fake.fail_next("sendMessage", chat_id=chat_id, delay=0.05)

    await broadcast(tg, chats)
    while len([row for row in await rows(tg) if row.status == DeliveryStatus.SENT]) < 20:
        await asyncio.sleep(0.01)
    in_flight = len(tg.app.sender._tasks)
    await crash(tg.app.sender)
    # Connections cut in the middle of a statement complain as they close: the crash, not a fault.
    error_log.records = [r for r in error_log.records if not r.name.startswith("sqlalchemy.pool")]
    assert 0 < len([row for row in await rows(tg) if row.status == DeliveryStatus.SENT]) < 60

    survivor = Sender(tg.app.bot, tg.app.sessionmaker, tg.clock, tg.app.i18n, tg.app.settings, holder="after-crash")
    tg.app.sender = survivor
    tg.clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
    survivor.start()
    try:
        await tg.drain()
    finally:
        await survivor.stop()

    received = [len(tg.fake.sent_to(chat_id)) for chat_id in chats]
    assert all(count >= 1 for count in received), "a chat lost its notice"
    assert sum(count - 1 for count in received) <= in_flight
    assert {row.status for row in await rows(tg)} == {DeliveryStatus.SENT}
    assert "delivered to every chat (60)" in report(tg)


async def test_a_connection_that_never_opened_is_retried_later(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the request provably never left
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = make_settings(database_url, closed)
    bot = create_bot(settings)
    sender = Sender(bot, sessionmaker, clock, create_i18n("en"), settings)
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, clock, chat_id=INSPECTOR_ID, parts=parts.message("Hello"))
    sender.start()
    try:
        await asyncio.wait_for(sender.drained(), 10)
    finally:
        await sender.stop()
        await bot.session.close()

    async with sessionmaker() as session:
        [row] = (await session.scalars(select(Delivery))).all()
    assert row.status == "pending" and row.attempts == 1
    assert row.not_before == clock.now() + timedelta(seconds=5)
    assert "ClientConnectorError" in (row.error or "")


def uploads(fake: FakeTelegram) -> list[Call]:
    """sendDocument requests that carried the file itself rather than Telegram's id for it."""
    return [c for c in fake.calls("sendDocument") if not str(c.params["document"]).startswith("FILE")]


async def test_a_file_the_bot_made_is_kept_once_uploaded_once_and_sent_by_id_after_a_restart(
    database_url: str, clock: FrozenClock
) -> None:
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" * 100
    media = parts.Media("document", filename="meeting.ics", data=calendar)
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    try:
        settings = make_settings(database_url, fake.base_url)
        async with running_bot(fake, settings, clock) as tg:
            d = await district(tg)
            await bound_chats(tg, d, [-101, -102, -103])
            await broadcast(tg, [-101, -102], "Meeting on Friday", media=media)
            await tg.drain()
            async with tg.app.sessionmaker() as session:
                stored = list(await session.scalars(select(Delivery).where(Delivery.chat_id < 0)))
                assert await session.scalar(select(func.count()).select_from(OutboxFile)) == 1
            assert all("data" not in part and part["file"] for row in stored for part in row.parts)
        assert len(uploads(fake)) == 1, "the second chat got the file by Telegram's id"

        async with running_bot(fake, settings, clock) as tg:  # a new process knows the id from the database
            await broadcast(tg, [-103], "Meeting on Friday", media=media)
            await tg.drain()
        assert len(uploads(fake)) == 1
        assert [m["document"]["file_name"] for chat in (-101, -102, -103) for m in fake.sent_to(chat)] == [
            "meeting.ics"
        ] * 3
    finally:
        await fake.stop()
