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
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast
from weakref import WeakKeyDictionary

from sqlalchemy import CursorResult, Dialect, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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

# Set on a session that put rows in the outbox: once it commits, the sender is woken.
WAKE_SENDER = "outbox.wake_sender"
KEPT_FILES = "outbox.kept_files"  # digests of the files this session already stored
TITLE_LIMIT = 128


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
) -> Delivery:
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
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
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
    result = await _execute(
        session,
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED.value),
    )
    return result.rowcount


# --- the sender's side ------------------------------------------------------------------------


async def due(session: AsyncSession, now: datetime, *, limit: int, skip_chats: Sequence[int] = ()) -> list[Delivery]:
    """The next rows to send: the oldest pending row of each chat, if it is due; personal before bulk.

    Only the head of a chat's queue is a candidate, so a chat's messages go in the order they were made,
    and a row waiting out a retry_after holds back the ones behind it (`hold_chat` moves them all). A row
    scheduled for later than a newer one holds nothing back: it is not at the head until it is due.
    """
    earlier = aliased(Delivery)
    query = (
        select(Delivery)
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
    return list(await session.scalars(query))


async def part_sent(session: AsyncSession, clock: Clock, delivery: Delivery, message_id: int, *, last: bool) -> None:
    delivery.sent_parts += 1
    delivery.message_ids = [*delivery.message_ids, message_id]
    if last:
        delivery.status = DeliveryStatus.SENT.value
        delivery.sent_at = clock.now()
    await session.flush()


async def hold_chat(session: AsyncSession, chat_id: int, until: datetime) -> None:
    """Every pending row of the chat waits until then (retry_after; a backoff keeps the chat's order)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.PENDING, Delivery.not_before < until)
        .values(not_before=until)
    )


async def retry_later(session: AsyncSession, delivery: Delivery, until: datetime, error: str) -> None:
    delivery.attempts += 1
    delivery.error = error
    await session.flush()
    await hold_chat(session, delivery.chat_id, until)


async def fail(session: AsyncSession, delivery: Delivery, reason: FailReason, error: str) -> None:
    delivery.status = DeliveryStatus.FAILED.value
    delivery.reason = reason.value
    delivery.error = error
    await session.flush()


async def fail_chat(session: AsyncSession, chat_id: int, reason: FailReason, error: str) -> list[int | None]:
    """Nothing more can reach the chat: every pending row for it fails. Returns their batches."""
    batches = await session.scalars(
        select(Delivery.broadcast_id)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.PENDING)
        .distinct()
    )
    found = list(batches)
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED.value, reason=reason.value, error=error)
    )
    return found


async def uncertain(session: AsyncSession, delivery: Delivery, error: str) -> None:
    delivery.status = DeliveryStatus.UNCERTAIN.value
    delivery.reason = FailReason.NO_ANSWER.value
    delivery.error = error
    delivery.attempts += 1
    await session.flush()


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
    claimed = await _execute(
        session,
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.finished_at.is_(None))
        .values(finished_at=clock.now()),
    )
    if not claimed.rowcount:
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
            Delivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN]),
        )
        .order_by(Delivery.id)
    )
    failures = [
        Failure(
            chat_id=delivery.chat_id,
            chat_title=title,
            building_code=code,
            reason=FailReason(delivery.reason or FailReason.NO_ANSWER),
            error=delivery.error,
            attempts=delivery.attempts,
        )
        for delivery, title, code in rows
    ]
    return Summary(broadcast, total=sum(counts.values()), sent=counts.get(DeliveryStatus.SENT, 0), failures=failures)


# --- the sender's lease -------------------------------------------------------------------------


async def hold_lease(
    session: AsyncSession, clock: Clock, *, name: str, holder: str, ttl: timedelta, take_over: bool = False
) -> bool:
    """Take or renew the named lease; False while another holder's lease runs.

    take_over: the caller knows no other process is alive (it holds the SQLite file), so a lease left by a process
    that died is taken at once instead of after it lapses.
    """
    now = clock.now()
    free = Lease.name == name if take_over else or_(Lease.holder == holder, Lease.expires_at < now)
    renewed = await _execute(
        session, update(Lease).where(Lease.name == name, free).values(holder=holder, expires_at=now + ttl)
    )
    if renewed.rowcount:
        return True
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = await _execute(
        session, insert(Lease).values(name=name, holder=holder, expires_at=now + ttl).on_conflict_do_nothing()
    )
    return bool(created.rowcount)


async def release_lease(session: AsyncSession, *, name: str, holder: str) -> None:
    """Let a successor take over at once (a clean stop) instead of waiting for the lease to lapse."""
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


async def _execute(session: AsyncSession, statement: Any) -> CursorResult[Any]:
    """An UPDATE or INSERT, whose result tells how many rows it changed."""
    return cast(CursorResult[Any], await session.execute(statement))
