"""The one sender: drains the outbox within Telegram's limits and tells each batch's author how it went.

One process sends the outbox at a time (a lease in the database); its requests and every instance's direct replies
take turns in one pace (bot.delivery.pace, in Redis when instances share it). The lease is fenced: the
holder claims each row with the lease's epoch and checks that it still holds the lease before every request, so a
holder that stalled past its lease sends nothing its successor sends. Each part's result
is committed before the next part is sent: after a crash, a part confirmed sent is never sent again, and at
most the requests in flight at that moment are sent twice. A request whose fate is unknown (the connection
dropped, no answer in time) is sent once more: a message may then arrive twice, but it is never lost.

Messages about appeals (cards, answers, replies) record the message pairs that route replies once Telegram
gives their ids, wait for a reader who blocked the bot until they come back, and their authors are told what
became of them when they could not go out at once (bot.delivery.fate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from aiogram.utils.i18n import I18n
from aiohttp import ClientConnectorError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery import fate
from bot.delivery import summary as report
from bot.delivery.courier import send_copy
from bot.delivery.direct import OUTBOX_REQUEST
from bot.delivery.pace import Pacing, Turns, pace_for
from bot.services import appeals, chats, outbox, people, routing
from bot.services.parts import MEDIA_KINDS, Part
from models import Delivery, DeliveryStatus, FailReason, Priority

log = logging.getLogger(__name__)

LEASE = "sender"
LEASE_TTL = timedelta(seconds=15)
BATCH = 64  # rows looked at per round
MAX_IN_FLIGHT = 32
ROUND_BUDGET = 0.25  # seconds a round goes on starting bulk rows after new rows were committed, before it looks again
PERSONAL_RESERVE = 4  # rows in flight only personal ones may take: a broadcast never fills every slot
POLL_SECONDS = 1.0  # how often an idle sender looks for rows another process (or the clock) made due
PAUSE_AFTER_429 = 1.0  # a 429 means the bot as a whole is over a limit: everything stops that long
BACKOFF_SECONDS = 5
BACKOFF_MAX_SECONDS = 600
STOP_GRACE_SECONDS = 10.0


class _Done(Exception):
    """The row reached an end (or waits) before its last part: stop sending its parts."""


class _LeaseLost(Exception):
    """Another process holds the lease now: this one sends nothing more (the row is the new holder's)."""


class _Skipped(Exception):
    """Telegram refused this part alone (an attachment deleted since it was sent): the others go on."""


class Sender:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        i18n: I18n,
        settings: Settings,
        *,
        holder: str | None = None,
        sole: bool = False,
        pace: Pacing | None = None,
    ) -> None:
        self._bot = bot
        self._sole = sole  # the only process on this database (it holds the SQLite file): a lease left is stale
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._i18n = i18n
        self._settings = settings
        self._pace = pace or pace_for(settings)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._bulk_slots = asyncio.Semaphore(MAX_IN_FLIGHT - PERSONAL_RESERVE)
        self._pacing = Turns()  # requests wait for the overall window in turn, personal ones first
        self._in_flight: set[int] = set()  # chats with a row being sent: their next row waits for it
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._settled = asyncio.Condition()
        self._wakes = 0
        self._settled_at = 0  # the wake count at the start of the last round that found nothing to do
        self._uploads: dict[str, str] = {}  # sha256 of a file the bot uploaded → Telegram's file_id for it
        self._uploading: dict[str, asyncio.Lock] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._epoch: int | None = None  # the lease's epoch while this process holds it
        self._renewing = asyncio.Lock()
        self._lease_renewed: datetime | None = None  # by the clock, like the lease's expiry in the database

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop taking rows, let the requests in flight end (briefly), give the lease up."""
        if self._loop_task is None:
            return
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._loop_task
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
        async with self._sessionmaker.begin() as session:
            await outbox.release_lease(session, name=LEASE, holder=self.holder)
        self._epoch = self._lease_renewed = None
        self._loop_task = None

    def wake(self) -> None:
        """Something was committed to the outbox: look now instead of at the next poll."""
        self._wakes += 1
        self._wake.set()

    async def drained(self) -> None:
        """Wait until nothing is due and nothing is in flight (tests and benchmarks wait on this)."""
        self.wake()
        target = self._wakes
        async with self._settled:
            await self._settled.wait_for(lambda: self._settled_at >= target)

    # --- the loop ---------------------------------------------------------------------------------

    async def _run(self) -> None:
        # The sender handles 429s itself (held in the database): the session's wait-and-retry is for direct replies.
        OUTBOX_REQUEST.set(True)
        while not self._stopping:
            try:
                delay = await self._round()
            except Exception:
                log.exception("the sender's round failed; it tries again")
                delay = POLL_SECONDS
            if delay is None:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _round(self) -> float | None:
        """Start what is due; None to go on at once, else how long to sleep unless woken."""
        wakes = self._wakes
        if not await self._hold_lease():
            await self._settle(wakes)  # another process sends: nothing here to wait for
            return POLL_SECONDS
        skipped = sorted(self._in_flight)
        loop = asyncio.get_running_loop()
        began = loop.time()
        async with self._sessionmaker() as session:
            rows = await outbox.due(session, self._clock.now(), limit=BATCH, skip_chats=skipped)
        started = 0
        waits: list[float] = []
        for row in rows:
            if self._stopping:
                return None
            wait = self._pace.chat_wait(row.chat_id)
            if wait > 0 or row.chat_id in self._in_flight:
                waits.append(wait)
                continue
            bulk = row.priority != Priority.PERSONAL
            if bulk:
                if self._wakes != wakes and loop.time() - began > ROUND_BUDGET:
                    return None  # new rows were committed meanwhile: personal ones among them go first
                await self._bulk_slots.acquire()
            await self._slots.acquire()
            self._in_flight.add(row.chat_id)
            task = asyncio.create_task(self._deliver(row.id, row.chat_id, bulk=bulk))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        if started:
            return None
        if not waits and not self._tasks:
            if skipped:
                # A row in flight ended while the query ran: the one it held back may be due now, unseen.
                return None
            await self._settle(wakes)
        return min([POLL_SECONDS, *(w for w in waits if w > 0)])

    async def _settle(self, wakes: int) -> None:
        async with self._settled:
            self._settled_at = max(self._settled_at, wakes)
            self._settled.notify_all()

    async def _hold_lease(self, renewed_within: timedelta = LEASE_TTL / 3) -> bool:
        """Renewed a third of its life after the last renewal; a holder that stalled longer asks the database."""
        async with self._renewing:  # the rows' tasks check at once: one of them asks
            now = self._clock.now()
            if self._lease_renewed is not None and now - self._lease_renewed < renewed_within:
                return True
            async with self._sessionmaker.begin() as session:
                self._epoch = await outbox.hold_lease(
                    session, self._clock, name=LEASE, holder=self.holder, ttl=LEASE_TTL, take_over=self._sole
                )
            self._lease_renewed = now if self._epoch is not None else None
            return self._epoch is not None

    async def _global_slot(self, chat_id: int, priority: int) -> None:
        """Wait for the message's turn: the chat's window, then the bot's overall pace (shared by every instance);
        the request goes right after it.

        Called right before the request: Telegram counts a message when it arrives, so the turn must not be taken
        before the database work that precedes the request (its time varies, and would bunch requests up).
        """
        # Fencing: a holder that lost its lease sends nothing more. Checked (and renewed) before the turn, so no
        # database work lies between the turn and the request; after the turn only a holder that stalled past
        # two thirds of its lease asks again.
        if not await self._hold_lease():
            raise _LeaseLost()
        while True:
            # Only this row's task writes to the chat from here, so its own window cannot fill while it waits.
            while (wait := self._pace.chat_wait(chat_id)) > 0:
                await asyncio.sleep(wait)
            async with self._pacing.turn(priority):
                turn = await self._pace.reserve(chat_id)
                if turn.taken:
                    await asyncio.sleep(turn.wait)
                    break
            await asyncio.sleep(turn.wait)  # another instance wrote to the chat: its window is full for now
        if not await self._hold_lease(renewed_within=LEASE_TTL * 2 / 3):
            raise _LeaseLost()

    # --- one row ----------------------------------------------------------------------------------

    async def _deliver(self, delivery_id: int, chat_id: int, *, bulk: bool) -> None:
        broadcast_id: int | None = None
        delivery: Delivery | None = None
        try:
            async with self._sessionmaker() as session:
                epoch = self._epoch
                if epoch is None:
                    return
                delivery = await outbox.claim(session, delivery_id, self._clock.now(), epoch=epoch)
                await session.commit()  # no transaction stays open across a request to Telegram
                if delivery is None:
                    return
                broadcast_id = delivery.broadcast_id
                await self._send_parts(session, delivery)
                if delivery.status == DeliveryStatus.PENDING:
                    broadcast_id = None  # it waits to be tried again: the batch is not over
                untold = delivery.appeal_id is not None and delivery.status != DeliveryStatus.SENT
            if broadcast_id is not None:
                await self._report_if_finished(broadcast_id)
            if untold:
                await self._tell(delivery_id)
        except _LeaseLost:
            log.warning("the sender's lease passed to another process; delivery %s is left to it", delivery_id)
        except Exception:
            log.exception("delivery %s failed in the sender", delivery_id)
        finally:
            self._in_flight.discard(chat_id)
            if delivery is not None:
                self._in_flight.discard(delivery.chat_id)  # where a migrated group's row went
            self._slots.release()
            if bulk:
                self._bulk_slots.release()
            self._wake.set()

    async def _send_parts(self, session: AsyncSession, delivery: Delivery) -> None:
        first = delivery.sent_parts
        last = len(delivery.parts) - 1
        for index in range(first, len(delivery.parts)):
            part = delivery.parts[index]
            if index == first and self._stopping:
                return  # not begun: it stays pending for the next start
            await self._global_slot(delivery.chat_id, delivery.priority)
            try:
                message_id = await self._attempt(session, delivery, part)
            except _Skipped:
                await outbox.part_skipped(session, self._clock, delivery, last=index == last)
                if index == last:
                    await appeals.delivery_done(session, self._clock, delivery)
                await session.commit()
                continue
            except _Done:
                await session.commit()
                return
            await outbox.part_sent(session, self._clock, delivery, message_id, last=index == last)
            await self._link(session, delivery, part, message_id)
            if index == last:
                await appeals.delivery_done(session, self._clock, delivery)
            await session.commit()
            if part.get("pin"):
                await self._pin(delivery.chat_id, message_id, delivery.priority)
        await self._note_missing(delivery)

    async def _link(self, session: AsyncSession, delivery: Delivery, part: Part, message_id: int) -> None:
        """Record the message pair that routes a reply to what was just sent."""
        if delivery.appeal_id is not None:
            copied = part["kind"] == "copy"
            await routing.link(
                session,
                self._clock,
                chat_id=delivery.chat_id,
                message_id=message_id,
                appeal_id=delivery.appeal_id,
                peer_chat_id=part["from_chat_id"] if copied else None,
                peer_message_id=part["message_id"] if copied else None,
            )
        elif part.get("link") or part.get("question"):
            # link: replies to it in a group are questions; question: the reply answers that question.
            await routing.link(
                session,
                self._clock,
                chat_id=delivery.chat_id,
                message_id=message_id,
                delivery_id=delivery.id if part.get("link") else None,
                question_id=part.get("question"),
            )

    async def _note_missing(self, delivery: Delivery) -> None:
        """Attachments that could not be copied are named in the first part (the card): a line for each."""
        lines = [
            part["unavailable"]
            for part, message_id in zip(delivery.parts, delivery.message_ids, strict=False)
            if message_id == 0 and part.get("unavailable")
        ]
        head = delivery.parts[0]
        if not lines or head["kind"] != "text" or not delivery.message_ids or not delivery.message_ids[0]:
            return
        await self._global_slot(delivery.chat_id, delivery.priority)
        try:
            await self._bot.edit_message_text(
                head["text"] + "\n\n" + "\n".join(lines),
                chat_id=delivery.chat_id,
                message_id=delivery.message_ids[0],
                reply_markup=_markup(head.get("buttons")),
                request_timeout=self._settings.outbox_timeout,
            )
        except TelegramAPIError as exc:
            log.info("could not note the missing attachments of delivery %s: %s", delivery.id, exc.message)

    async def _attempt(self, session: AsyncSession, delivery: Delivery, part: Part) -> int:
        """Send one part; on failure record what it means and raise _Done (or _Skipped for this part alone)."""
        try:
            return await self._call(session, delivery, part)
        except TelegramMigrateToChat as exc:
            # The group became a supergroup: follow it, then send there (once; a second move is an error).
            await self._migrate(session, delivery, exc.migrate_to_chat_id)
            await self._global_slot(delivery.chat_id, delivery.priority)
            try:
                return await self._call(session, delivery, part)
            except TelegramAPIError as again:
                await self._failed(session, delivery, again)
        except TelegramBadRequest as exc:
            if part["kind"] == "copy" and "chat not found" not in exc.message:
                log.info("an attachment of delivery %s could not be copied: %s", delivery.id, exc.message)
                raise _Skipped() from exc
            await self._failed(session, delivery, exc)
        except TelegramAPIError as exc:
            await self._failed(session, delivery, exc)
        raise _Done()

    async def _failed(self, session: AsyncSession, delivery: Delivery, exc: TelegramAPIError) -> None:
        now = self._clock.now()
        if isinstance(exc, TelegramRetryAfter):
            await self._pace.pause(min(exc.retry_after, PAUSE_AFTER_429))
            log.warning("Telegram asked to wait %s s before writing to a chat again", exc.retry_after)
            until = now + timedelta(seconds=exc.retry_after)
            await outbox.retry_later(session, delivery, until, exc.message, FailReason.FLOOD, attempt=False)
        elif isinstance(exc, TelegramForbiddenError):
            await self._unreachable(session, delivery, exc)
        elif isinstance(exc, TelegramBadRequest) and "chat not found" in exc.message:
            await self._unreachable(session, delivery, exc, reason=FailReason.NOT_FOUND)
        elif isinstance(exc, (TelegramBadRequest, TelegramEntityTooLarge)):
            # Permanent for this message (too long, bad formatting...): retrying would only fail again.
            log.warning("Telegram refused delivery %s: %s", delivery.id, exc.message)
            await outbox.fail(session, delivery, FailReason.REFUSED, exc.message)
        elif delivery.attempts + 1 >= self._settings.outbox_attempts:
            log.warning("delivery %s given up after %s attempts: %s", delivery.id, delivery.attempts + 1, exc.message)
            delivery.attempts += 1
            await outbox.fail(session, delivery, FailReason.UNAVAILABLE, exc.message)
        elif isinstance(exc, TelegramNetworkError) and not isinstance(exc.__cause__, ClientConnectorError):
            # The request left and no answer came: it may have arrived. Sent once more, at once: a message that
            # arrives twice is better than one lost (Telegram has no idempotency key).
            log.warning("no answer from Telegram for delivery %s (%s); it is sent once more", delivery.id, exc.message)
            backoff = self._backoff(delivery) if delivery.attempts else 0
            until = now + timedelta(seconds=backoff)
            await outbox.retry_later(session, delivery, until, exc.message, FailReason.NO_ANSWER)
        else:
            # 5xx, or the connection failed before the request left: safe to send again, later.
            until = now + timedelta(seconds=self._backoff(delivery))
            await outbox.retry_later(session, delivery, until, exc.message, FailReason.UNAVAILABLE)

    @staticmethod
    def _backoff(delivery: Delivery) -> float:
        return float(min(BACKOFF_SECONDS * 2**delivery.attempts, BACKOFF_MAX_SECONDS))

    async def _unreachable(
        self, session: AsyncSession, delivery: Delivery, exc: TelegramAPIError, reason: FailReason | None = None
    ) -> None:
        group = delivery.chat_id < 0
        if group:
            await chats.set_active(session, delivery.chat_id, active=False)
        else:
            await people.set_reachable(session, delivery.chat_id, False)
        reason = reason or (FailReason.REMOVED if group else FailReason.BLOCKED)
        log.info(
            "a %s chat is unreachable (%s); its waiting messages wait or fail", "group" if group else "private", reason
        )
        if delivery.appeal_id is not None and not group:
            await outbox.hold(session, delivery, reason, exc.message)
        else:
            await outbox.fail(session, delivery, reason, exc.message)
        closed = await outbox.close_chat(session, delivery.chat_id, reason, exc.message)
        await session.commit()
        for batch in {row.broadcast_id for row in closed}:
            if batch is not None and batch != delivery.broadcast_id:
                await self._report_if_finished(batch)
        for row in closed:
            if row.appeal_id is not None:
                await self._tell(row.id)

    async def _tell(self, delivery_id: int) -> None:
        """The author (or, for a card, the administrators) learns why a message about an appeal did not go out."""
        async with self._sessionmaker.begin() as session:
            told = await fate.tell(session, self._clock, self._i18n, self._settings, delivery_id)
        if told:
            self._wake.set()

    async def _migrate(self, session: AsyncSession, delivery: Delivery, new_chat_id: int) -> None:
        old_chat_id = delivery.chat_id
        await chats.migrate(session, old_chat_id=old_chat_id, new_chat_id=new_chat_id)
        await outbox.move_chat(session, old_chat_id, new_chat_id)
        await session.commit()
        await session.refresh(delivery)
        await session.commit()
        self._in_flight.add(new_chat_id)
        log.info("a building chat moved to a supergroup; its messages follow it")

    # --- Telegram ---------------------------------------------------------------------------------

    async def _call(self, session: AsyncSession, delivery: Delivery, part: Part) -> int:
        """The request a part stands for; returns the id of the message sent (or acted on)."""
        chat_id = delivery.chat_id
        timeout = self._settings.outbox_timeout
        markup = _markup(part.get("buttons"))
        reply = (
            ReplyParameters(message_id=part["reply_to"], allow_sending_without_reply=True)
            if part.get("reply_to")
            else None
        )
        kind = part["kind"]
        if kind == "text":
            message = await self._bot.send_message(
                chat_id, part["text"], reply_markup=markup, reply_parameters=reply, request_timeout=timeout
            )
        elif kind in MEDIA_KINDS:
            send_media: dict[str, Callable[..., Awaitable[Message]]] = {
                "photo": self._bot.send_photo,
                "video": self._bot.send_video,
                "document": self._bot.send_document,
            }
            message = await send_media[kind](
                chat_id,
                part["file_id"],
                caption=part.get("caption"),
                reply_markup=markup,
                reply_parameters=reply,
                request_timeout=timeout,
            )
        elif kind == "copy":
            return await send_copy(
                self._bot,
                chat_id,
                part,
                reply_markup=markup,
                reply_parameters=_reply_to(delivery, part),
                request_timeout=timeout,
            )
        elif kind == "upload":
            return await self._upload(session, chat_id, part, markup, timeout)
        elif kind in ("edit", "unpin"):
            return await self._on_target(session, delivery, part, markup, timeout)
        else:
            raise ValueError(f"unknown part kind {kind!r}")
        return message.message_id

    async def _upload(
        self, session: AsyncSession, chat_id: int, part: Part, markup: InlineKeyboardMarkup | None, timeout: int
    ) -> int:
        """One upload of a file at a time: rows that want it meanwhile wait, then send it by Telegram's id."""
        key = ("photo:" if part.get("as") == "photo" else "document:") + part["file"]
        async with self._uploading.setdefault(key, asyncio.Lock()):
            return await self._upload_once(session, chat_id, part, markup, timeout)

    async def _upload_once(
        self, session: AsyncSession, chat_id: int, part: Part, markup: InlineKeyboardMarkup | None, timeout: int
    ) -> int:
        """A file the bot made: uploaded once, then sent by the id Telegram gave it (as a document, or a photo)."""
        as_photo = part.get("as") == "photo"
        digest = part["file"]
        key = ("photo:" if as_photo else "document:") + digest
        known = self._uploads.get(key)
        if known is None:
            kept = await outbox.kept_file(session, digest)
            await session.commit()
            if kept is None:
                raise ValueError(f"the outbox has no file {digest}")
            known = kept.photo_id if as_photo else kept.document_id
            upload: str | BufferedInputFile = known or BufferedInputFile(kept.data, filename=part["filename"])
        else:
            upload = known
        if as_photo:
            message = await self._bot.send_photo(
                chat_id, upload, caption=part.get("caption"), reply_markup=markup, request_timeout=timeout
            )
            file_id = message.photo[-1].file_id if message.photo else None
        else:
            message = await self._bot.send_document(
                chat_id, upload, caption=part.get("caption"), reply_markup=markup, request_timeout=timeout
            )
            file_id = message.document.file_id if message.document is not None else None
        if known is None and file_id is not None:
            self._uploads[key] = file_id
            await outbox.remember_upload(session, digest, as_photo=as_photo, file_id=file_id)
        return message.message_id

    async def _on_target(
        self, session: AsyncSession, delivery: Delivery, part: Part, markup: InlineKeyboardMarkup | None, timeout: int
    ) -> int:
        """Edit or unpin a message an earlier delivery sent; nothing to do when it was never sent."""
        target = await session.get(Delivery, part["target"], populate_existing=True)
        await session.commit()
        index = part.get("target_part", 0)
        if target is not None and target.status == DeliveryStatus.PENDING:
            # The message to change is itself still waiting (in another chat's queue): wait for it.
            await outbox.hold_chat(session, delivery.chat_id, self._clock.now() + timedelta(seconds=BACKOFF_SECONDS))
            raise _Done()
        if target is None or len(target.message_ids) <= index:
            delivery.status = DeliveryStatus.CANCELLED.value
            raise _Done()
        message_id = target.message_ids[index]
        try:
            if part["kind"] == "unpin":
                await self._bot.unpin_chat_message(target.chat_id, message_id=message_id, request_timeout=timeout)
            else:
                await self._bot.edit_message_text(
                    part["text"],
                    chat_id=target.chat_id,
                    message_id=message_id,
                    reply_markup=markup,
                    request_timeout=timeout,
                )
        except TelegramBadRequest as exc:
            # Not modified: it already says this. Unpinning without the right, or an unpinned message: nothing to do.
            if part["kind"] != "unpin" and "message is not modified" not in exc.message:
                raise
        return message_id

    async def _pin(self, chat_id: int, message_id: int, priority: int) -> None:
        """Pin where the bot has the right; without it the message simply stays unpinned."""
        await self._global_slot(chat_id, priority)
        try:
            await self._bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramAPIError as exc:
            log.info("could not pin a message: %s", exc.message)

    # --- the author's report ----------------------------------------------------------------------

    async def _report_if_finished(self, broadcast_id: int) -> None:
        async with self._sessionmaker.begin() as session:
            batch = await outbox.finish(session, self._clock, broadcast_id)
            if batch is None or batch.author_id is None:
                return
            summary = await outbox.summary(session, batch)
            language = (
                await people.reading_locales(session, [batch.author_id], default_country=self._settings.country)
            ).get(batch.author_id, self._settings.default_locale)
            with self._i18n.context(), self._i18n.use_locale(language):
                parts = report.parts_of(summary)
            await outbox.enqueue(session, self._clock, chat_id=batch.author_id, parts=parts, priority=Priority.PERSONAL)
        self._wake.set()


def _reply_to(delivery: Delivery, part: Part) -> ReplyParameters | None:
    """A part that answers an earlier part of the same row (an attachment under its card)."""
    index = part.get("reply_to_part")
    if index is None or index >= len(delivery.message_ids) or not delivery.message_ids[index]:
        return None
    return ReplyParameters(message_id=delivery.message_ids[index], allow_sending_without_reply=True)


def _markup(buttons: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton.model_validate(button) for button in row] for row in buttons]
    )
