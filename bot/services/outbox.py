"""The outbox: messages to send later or to many chats, as rows; the sender (bot.delivery) drains them.

Services put rows in with `enqueue` inside their own transaction, so a message exists exactly when the work
that asked for it was committed. The sender's side of the table is here too, as plain database operations.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import Dialect, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.services.parts import Part
from models import (
    Broadcast,
    Building,
    BuildingChat,
    Delivery,
    DeliveryStatus,
    FailReason,
    Lease,
    OutboxFile,
    Priority,
)
from models.queries import changed_rows, upsert_insert

# Set on a session that put rows in the outbox: once it commits, the sender is woken.
WAKE_SENDER = "outbox.wake_sender"
KEPT_FILES = "outbox.kept_files"  # digests of the files this session already stored
TITLE_LIMIT = 128
LAPSED = datetime(2000, 1, 1, tzinfo=UTC)  # a released lease's expiry: long past


async def start_broadcast(
    session: AsyncSession, clock: Clock, *, author_id: int | None, kind: str, title: str, subject_id: int | None = None
) -> Broadcast:
    """A batch whose author is told how it went; add its deliveries with `enqueue(..., broadcast=...)`."""
    title = " ".join(title.split())
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    batch = Broadcast(author_id=author_id, kind=kind, subject_id=subject_id, title=title, created_at=clock.now())
    session.add(batch)
    await session.flush()
    return batch


async def enqueue(
    session: AsyncSession,
    clock: Clock,
    *,
    chat_id: int,
    parts: list[Part],
    broadcast: Broadcast | None = None,
    priority: int = Priority.BULK,
    not_before: datetime | None = None,
    appeal_id: int | None = None,
    appeal_message_id: int | None = None,
    author_id: int | None = None,
) -> Delivery:
    """A row to send. `appeal_id`: a message about an appeal (replies to it reach the appeal; a reader who blocked
    the bot gets it when they come back); `appeal_message_id`: the thread message it carries; `author_id`: who is
    told when it cannot go out at once."""
    now = clock.now()
    delivery = Delivery(
        broadcast_id=broadcast.id if broadcast is not None else None,
        chat_id=chat_id,
        priority=priority,
        parts=await _keep_files(session, clock, parts),
        sent_parts=0,
        message_ids=[],
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        not_before=not_before or now,
        created_at=now,
        appeal_id=appeal_id,
        appeal_message_id=appeal_message_id,
        author_id=author_id,
        told=False,
    )
    session.add(delivery)
    await session.flush()
    session.info[WAKE_SENDER] = True
    return delivery


async def _keep_files(session: AsyncSession, clock: Clock, parts: list[Part]) -> list[Part]:
    """Files the bot made go into outbox_files once; the parts name them by digest (a report to 48 chats is one
    copy of its PDF, not 48)."""
    result = []
    for part in parts:
        if "data" not in part:
            result.append(part)
            continue
        digest = await keep_file(session, clock, base64.b64decode(part["data"]))
        result.append({**{key: value for key, value in part.items() if key != "data"}, "file": digest})
    return result


async def keep_file(session: AsyncSession, clock: Clock, data: bytes) -> str:
    """A file the bot made, stored once by its digest (sent later by Telegram's file id once uploaded)."""
    kept = session.info.setdefault(KEPT_FILES, set())
    digest = hashlib.sha256(data).hexdigest()
    if digest not in kept:
        insert = upsert_insert(session)
        await session.execute(
            insert(OutboxFile).values(digest=digest, data=data, created_at=clock.now()).on_conflict_do_nothing()
        )
        kept.add(digest)
    return digest


async def kept_file(session: AsyncSession, digest: str) -> OutboxFile | None:
    return await session.get(OutboxFile, digest)


async def remember_upload(session: AsyncSession, digest: str, *, as_photo: bool, file_id: str) -> None:
    """Telegram's id for a file the bot uploaded: the next chats get it by id, in this process or another."""
    column = OutboxFile.photo_id if as_photo else OutboxFile.document_id
    await session.execute(update(OutboxFile).where(OutboxFile.digest == digest).values({column: file_id}))


class Outgoing(NamedTuple):
    chat_id: int
    parts: list[Part]
    priority: int = Priority.PERSONAL
    not_before: datetime | None = None


async def enqueue_many(session: AsyncSession, clock: Clock, messages: Sequence[Outgoing]) -> None:
    """Many rows in one statement (a scheduler tick hands over thousands at once), in the order given; no batch, no
    report.

    Each distinct message (the same `parts` object, as a kind hands it to all who read the same) is serialised once,
    and every value is bound as SQLAlchemy binds it for its column (JSON as text, UTC times naive on SQLite), so the
    rows are those `enqueue` writes. The rows go as one array per column (PostgreSQL) or one JSON array (SQLite) into
    an INSERT … SELECT, not row by row: the database works through them alone, while the engine decides the next
    ones (an executemany would need the interpreter again for every row).
    """
    if not messages:
        return
    connection = await session.connection()
    statement = _bulk_insert(connection.dialect)
    now = clock.now()
    fixed: dict[str, Any] = {
        "broadcast_id": None,
        "sent_parts": 0,
        "message_ids": [],
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "created_at": now,
        "told": False,
    }
    parameters = {name: statement.bind(name, value) for name, value in fixed.items()}
    chats, priorities, texts, moments = [], [], [], []
    encoded: dict[int, Any] = {}  # id(parts) → bound; `messages` holds the parts meanwhile, so no id is reused
    times: dict[datetime, Any] = {now: statement.bind("not_before", now)}
    for message in messages:
        chats.append(message.chat_id)
        priorities.append(message.priority)
        text = encoded.get(id(message.parts))
        if text is None:
            parts = message.parts
            if any("data" in part for part in parts):
                parts = await _keep_files(session, clock, parts)
            text = encoded[id(message.parts)] = statement.bind("parts", parts)
        texts.append(text)
        moment = message.not_before or now
        when = times.get(moment)
        if when is None:
            when = times[moment] = statement.bind("not_before", moment)
        moments.append(when)
    rows = (statement.bind_all("chat_id", chats), statement.bind_all("priority", priorities), texts, moments)
    if statement.arrays:
        parameters.update(zip(VARYING, rows, strict=True))
    else:
        parameters["rows"] = json.dumps(list(zip(*rows, strict=True)))
    await connection.exec_driver_sql(statement.sql, tuple(parameters[name] for name in statement.order))
    session.info[WAKE_SENDER] = True


HANDOVER_COLUMNS = (
    "broadcast_id",
    "chat_id",
    "priority",
    "parts",
    "sent_parts",
    "message_ids",
    "status",
    "attempts",
    "not_before",
    "created_at",
    "told",
)
VARYING = ("chat_id", "priority", "parts", "not_before")  # the rest are the same in every row
FIXED = tuple(name for name in HANDOVER_COLUMNS if name not in VARYING)


@dataclass(frozen=True)
class _BulkInsert:
    """The outbox INSERT … SELECT for one dialect, with each column's bind processor."""

    sql: str
    order: tuple[str, ...]  # the statement's parameters in order: the fixed columns', then the rows'
    processors: dict[str, Callable[[Any], Any] | None]
    arrays: bool  # PostgreSQL: an array for each varying column; SQLite: one JSON array of rows ("rows")

    def bind(self, column: str, value: Any) -> Any:
        processor = self.processors[column]
        return value if processor is None else processor(value)

    def bind_all(self, column: str, values: list[Any]) -> list[Any]:
        processor = self.processors[column]
        return values if processor is None else [processor(value) for value in values]


_bulk_inserts: WeakKeyDictionary[Dialect, _BulkInsert] = WeakKeyDictionary()


def _bulk_insert(dialect: Dialect) -> _BulkInsert:
    found = _bulk_inserts.get(dialect)
    if found is not None:
        return found
    table = Delivery.__table__
    processors: dict[str, Callable[[Any], Any] | None] = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in HANDOVER_COLUMNS
    }
    columns = ", ".join((*FIXED, *VARYING))
    if dialect.name == "postgresql":

        def sql_type(name: str) -> str:
            return table.c[name].type.compile(dialect=dialect)

        values = ", ".join(f"${n}::{sql_type(name)}" for n, name in enumerate(FIXED, 1))
        arrays = ", ".join(
            f"${n}::{'TEXT' if name == 'parts' else sql_type(name)}[]" for n, name in enumerate(VARYING, len(FIXED) + 1)
        )
        sql = (
            f"INSERT INTO {Delivery.__tablename__} ({columns}) SELECT {values}, handed.chat_id, handed.priority, "
            f"CAST(handed.parts AS {sql_type('parts')}), handed.not_before FROM unnest({arrays}) "
            "WITH ORDINALITY AS handed(chat_id, priority, parts, not_before, position) ORDER BY handed.position"
        )
        found = _BulkInsert(sql, (*FIXED, *VARYING), processors, arrays=True)
    elif dialect.name == "sqlite":
        values = ", ".join("?" for _ in FIXED)
        rows = ", ".join(f"json_extract(value, '$[{n}]')" for n, _ in enumerate(VARYING))
        sql = f"INSERT INTO {Delivery.__tablename__} ({columns}) SELECT {values}, {rows} FROM json_each(?) ORDER BY key"
        found = _BulkInsert(sql, (*FIXED, "rows"), processors, arrays=False)
    else:
        raise NotImplementedError(f"the outbox hand-over knows PostgreSQL and SQLite, not {dialect.name}")
    _bulk_inserts[dialect] = found
    return found


async def cancel_pending(session: AsyncSession, broadcast_id: int) -> int:
    """Withdraw what a batch has not sent yet (a meeting cancelled while its announcement goes out)."""
    result = await changed_rows(
        session,
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED.value),
    )
    return result


# --- the sender's side ------------------------------------------------------------------------


class DueRow(NamedTuple):
    """What the sender decides on; it claims and loads the whole row only when it sends it."""

    id: int
    chat_id: int
    priority: int


async def due(session: AsyncSession, now: datetime, *, limit: int, skip_chats: Sequence[int] = ()) -> list[DueRow]:
    """The next rows to send: the oldest pending row of each chat, if it is due; personal before bulk.

    Only the head of a chat's queue is a candidate, so a chat's messages go in the order they were made,
    and a row waiting out a retry_after holds back the ones behind it (`hold_chat` moves them all). A row
    scheduled for later than a newer one holds nothing back: it is not at the head until it is due.
    """
    earlier = aliased(Delivery)
    query = (
        select(Delivery.id, Delivery.chat_id, Delivery.priority)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.not_before <= now,
            ~exists().where(
                earlier.chat_id == Delivery.chat_id,
                earlier.status == DeliveryStatus.PENDING,
                earlier.id < Delivery.id,
                # A row scheduled for later (a meeting's unpin) does not hold back what is due before it.
                earlier.not_before <= Delivery.not_before,
            ),
        )
        .order_by(Delivery.priority, Delivery.id)
        .limit(limit)
    )
    if skip_chats:
        query = query.where(Delivery.chat_id.not_in(list(skip_chats)))
    return [DueRow(*row) for row in await session.execute(query)]


async def part_sent(session: AsyncSession, clock: Clock, delivery: Delivery, message_id: int, *, last: bool) -> None:
    delivery.sent_parts += 1
    delivery.message_ids = [*delivery.message_ids, message_id]
    if last:
        delivery.status = DeliveryStatus.SENT.value
        delivery.sent_at = clock.now()
        if delivery.reason != FailReason.NO_ANSWER:
            delivery.reason = None  # a wait it went through is over; "may have arrived twice" stays
    await session.flush()


async def part_skipped(session: AsyncSession, clock: Clock, delivery: Delivery, *, last: bool) -> None:
    """A part Telegram refused on its own (an attachment deleted since): the rest of the message goes on without it.
    Its place in message_ids holds 0, so later parts keep their index."""
    await part_sent(session, clock, delivery, 0, last=last)


async def hold_chat(session: AsyncSession, chat_id: int, until: datetime) -> None:
    """Every pending row of the chat waits until then (retry_after; a backoff keeps the chat's order)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.PENDING, Delivery.not_before < until)
        .values(not_before=until)
    )


async def retry_later(
    session: AsyncSession, delivery: Delivery, until: datetime, error: str, reason: FailReason, *, attempt: bool = True
) -> None:
    """The row waits until then, and the chat's rows behind it with it; `attempt`: this try counts towards the limit
    (a 429 does not: Telegram said when to come back)."""
    if attempt:
        delivery.attempts += 1
    delivery.error = error
    if delivery.reason != FailReason.NO_ANSWER:
        delivery.reason = reason.value
    await session.flush()
    await hold_chat(session, delivery.chat_id, until)


async def fail(session: AsyncSession, delivery: Delivery, reason: FailReason, error: str) -> None:
    delivery.status = DeliveryStatus.FAILED.value
    delivery.reason = reason.value
    delivery.error = error
    await session.flush()


async def hold(session: AsyncSession, delivery: Delivery, reason: FailReason, error: str) -> None:
    """The reader cannot be reached now (blocked the bot, never opened it): the row waits for them to come back."""
    delivery.status = DeliveryStatus.HELD.value
    delivery.reason = reason.value
    delivery.error = error
    await session.flush()


async def close_chat(session: AsyncSession, chat_id: int, reason: FailReason, error: str) -> Sequence[Delivery]:
    """Nothing more can reach the chat now: its pending messages about appeals wait for the reader to come back
    (held), the rest fail. Returns the rows that changed."""
    rows = list(
        await session.scalars(
            select(Delivery).where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.PENDING)
        )
    )
    for row in rows:
        keep = row.appeal_id is not None and chat_id > 0
        row.status = (DeliveryStatus.HELD if keep else DeliveryStatus.FAILED).value
        row.reason = reason.value
        row.error = error
    await session.flush()
    return rows


async def release(session: AsyncSession, clock: Clock, chat_id: int) -> int:
    """The person opened the bot again: what waited for them goes out now. Returns how many rows."""
    released = await changed_rows(
        session,
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.HELD)
        .values(status=DeliveryStatus.PENDING.value, not_before=clock.now(), reason=None, error=None, told=False),
    )
    if released:
        session.info[WAKE_SENDER] = True
    return released


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: what waits for the old id goes to the new one."""
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == old_chat_id, Delivery.status == DeliveryStatus.PENDING)
        .values(chat_id=new_chat_id)
    )


async def finish(session: AsyncSession, clock: Clock, broadcast_id: int) -> Broadcast | None:
    """The batch, if its last row just ended and nobody reported it yet; None otherwise.

    Call it in a transaction of its own after the row's result committed: two rows ending at once then cannot
    both see the other one still pending, and the claim on finished_at lets only one of them report.
    """
    pending = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.PENDING
        )
    )
    if pending:
        return None
    claimed = await changed_rows(
        session,
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.finished_at.is_(None))
        .values(finished_at=clock.now()),
    )
    if not claimed:
        return None
    return await session.get(Broadcast, broadcast_id)


@dataclass(frozen=True)
class Failure:
    chat_id: int
    chat_title: str | None  # the building chat's title, when it is one
    building_code: str | None
    reason: FailReason
    error: str | None
    attempts: int


@dataclass(frozen=True)
class Summary:
    broadcast: Broadcast
    total: int
    sent: int
    failures: list[Failure]
    doubtful: int = 0  # sent once more after a request whose fate was unknown: may have arrived twice


async def summary(session: AsyncSession, broadcast: Broadcast) -> Summary:
    counts = dict(
        (
            await session.execute(
                select(Delivery.status, func.count(Delivery.id))
                .where(Delivery.broadcast_id == broadcast.id, Delivery.status != DeliveryStatus.CANCELLED)
                .group_by(Delivery.status)
            )
        ).all()
    )
    rows = await session.execute(
        select(Delivery, BuildingChat.title, Building.code)
        .outerjoin(BuildingChat, BuildingChat.chat_id == Delivery.chat_id)
        .outerjoin(Building, Building.id == BuildingChat.building_id)
        .where(
            Delivery.broadcast_id == broadcast.id,
            Delivery.status == DeliveryStatus.FAILED,
        )
        .order_by(Delivery.id)
    )
    failures = [
        Failure(
            chat_id=delivery.chat_id,
            chat_title=title,
            building_code=code,
            reason=FailReason(delivery.reason or FailReason.UNAVAILABLE),
            error=delivery.error,
            attempts=delivery.attempts,
        )
        for delivery, title, code in rows
    ]
    doubtful = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.broadcast_id == broadcast.id,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.reason == FailReason.NO_ANSWER,
        )
    )
    return Summary(
        broadcast,
        total=sum(counts.values()),
        sent=counts.get(DeliveryStatus.SENT, 0),
        failures=failures,
        doubtful=doubtful or 0,
    )


@dataclass(frozen=True)
class Fate:
    """How a message about an appeal fares: sent, waiting (why, until when), held for its reader, or failed."""

    status: DeliveryStatus
    reason: FailReason | None
    error: str | None
    not_before: datetime


_BEST_FIRST = (DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.HELD, DeliveryStatus.FAILED)


async def fates(session: AsyncSession, appeal_message_ids: Sequence[int]) -> dict[int, Fate]:
    """Each thread message's fate; a message to several readers (the administrators) fares as its best delivery."""
    if not appeal_message_ids:
        return {}
    rows = await session.scalars(
        select(Delivery).where(
            Delivery.appeal_message_id.in_(list(appeal_message_ids)), Delivery.status.in_(_BEST_FIRST)
        )
    )
    found: dict[int, Fate] = {}
    for row in rows:
        assert row.appeal_message_id is not None
        fate = Fate(
            DeliveryStatus(row.status), FailReason(row.reason) if row.reason else None, row.error, row.not_before
        )
        known = found.get(row.appeal_message_id)
        if known is None or _BEST_FIRST.index(fate.status) < _BEST_FIRST.index(known.status):
            found[row.appeal_message_id] = fate
    return found


# --- the sender's lease -------------------------------------------------------------------------


async def hold_lease(
    session: AsyncSession, clock: Clock, *, name: str, holder: str, ttl: timedelta, take_over: bool = False
) -> int | None:
    """Take or renew the named lease: its epoch while this holder has it, None while another holder's lease runs.

    The epoch grows each time the lease changes hands, so rows claimed under it (`claim`) fence off a holder that
    stalled past its lease: its successor's higher epoch wins every row. take_over: the caller knows no other process
    is alive (it holds the SQLite file), so a lease left by a process that died is taken at once, not after it lapses.
    """
    now = clock.now()
    expires = now + ttl
    renewed = await changed_rows(
        session, update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=expires)
    )
    if not renewed:
        free = Lease.name == name if take_over else Lease.expires_at < now
        taken = await changed_rows(
            session,
            update(Lease)
            .where(Lease.name == name, free)
            .values(holder=holder, expires_at=expires, epoch=Lease.epoch + 1),
        )
        if not taken:
            insert = upsert_insert(session)
            created = await changed_rows(
                session,
                insert(Lease).values(name=name, holder=holder, expires_at=expires, epoch=1).on_conflict_do_nothing(),
            )
            if not created:
                return None
    return await session.scalar(select(Lease.epoch).where(Lease.name == name))


async def claim(session: AsyncSession, delivery_id: int, now: datetime, *, epoch: int) -> Delivery | None:
    """The row, claimed for the lease's epoch, if it is still pending and due and no later holder claimed it."""
    claimed = await changed_rows(
        session,
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.not_before <= now,
            or_(Delivery.epoch.is_(None), Delivery.epoch <= epoch),
        )
        .values(epoch=epoch)
        .execution_options(synchronize_session=False),
    )
    if not claimed:
        return None
    return await session.get(Delivery, delivery_id, populate_existing=True)


async def release_lease(session: AsyncSession, *, name: str, holder: str) -> None:
    """Let a successor take over at once (a clean stop) instead of waiting for the lease to lapse.

    The row stays, lapsed, so that the successor's epoch is higher than any this holder claimed rows with."""
    await session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=LAPSED))
