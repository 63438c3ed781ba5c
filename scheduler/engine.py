"""The tick: plan what is coming, claim what is due, and hand each reminder's message to the outbox — once.

Each kind of reminder (scheduler/kinds/) says what to plan, to whom and when a reminder may be read, whether it
is still worth sending, and what it says. The engine applies the rules every kind shares: the grace after a
downtime (older reminders are listed to the inspector as missed, never dropped silently), quiet and working
hours (a reminder waits for them), and the claim that makes two processes never send the same reminder.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Generic, TypeVar

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.services import outbox, parts, people, reminders, retention
from bot.services.outbox import Outgoing
from bot.services.parts import Part
from bot.services.reminders import Due, Planned, Settled
from bot.services.retention import Purged
from bot.ui.reminders import cards as reminder_cards
from models import Priority, ReminderStatus

log = logging.getLogger(__name__)

BATCH = 5000  # reminders claimed per transaction: memory stays flat however many fall due at once
CHUNK = 500  # reminders decided, then written while the next ones are decided (in the batch's transaction)
LET_WRITE_EVERY = 25  # decisions between two chances for the chunk being written to send its next statement
PLAN_EVERY = timedelta(minutes=10)  # planning looks a day ahead, so it need not run every tick


@dataclass(frozen=True)
class Send:
    parts: list[Part]
    priority: int = Priority.PERSONAL


@dataclass(frozen=True)
class Skip:
    """Not worth sending any more (the meeting was cancelled, the appeal answered...); the note says why."""

    note: str


@dataclass(frozen=True)
class Reader:
    """Who reads a reminder: their language, their zone, and the local hours they may be written to."""

    language: str  # the gettext locale: the language with the country's wording (bot.config.reading_locale)
    zone: str
    window: tuple[time, time]


Context = TypeVar("Context")


class Kind(ABC, Generic[Context]):
    """One kind of reminder. `load` reads what a batch of them needs in a few queries; the rest works from it."""

    name: str

    @abstractmethod
    async def plan(self, session: AsyncSession, now: datetime) -> list[Planned]:
        """The reminders that should exist from now on (planning is idempotent: return them every time)."""

    async def fingerprint(self, session: AsyncSession, now: datetime) -> Hashable | None:
        """A few aggregates of what `plan` reads, cheap to compute: while they stay the same, planning again would
        plan nothing new, and the engine skips it. None (the default): plan every time."""
        return None

    @abstractmethod
    async def load(self, session: AsyncSession, due: list[Due]) -> Context: ...

    @abstractmethod
    def reader(self, reminder: Due, context: Context) -> Reader | None:
        """None when there is nobody to tell any more (a chat unbound, an inspector removed)."""

    @abstractmethod
    def compose(self, reminder: Due, context: Context, now: datetime) -> Send | Skip:
        """The message, in the reader's language (the engine has set it), or why it is not worth sending."""

    @abstractmethod
    def owner(self, reminder: Due, context: Context) -> int | None:
        """The Telegram id of the one told when this reminder was missed (its inspector, usually)."""

    @abstractmethod
    def describe(self, reminder: Due, context: Context) -> str:
        """One line naming the reminder in the owner's list of missed ones, in the owner's language."""


class Opens:
    """When each reader's window next opens, seen from one moment: `next_allowed` once per zone and window in a
    tick (it depends on nothing else), not once per reminder."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._known: dict[tuple[str, tuple[time, time]], datetime] = {}

    def at(self, zone: str, window: tuple[time, time]) -> datetime:
        key = (zone, window)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = reminders.next_allowed(self._now, zone, window)
        return found


class _Handover:
    """A batch's decisions written in the batch's transaction a chunk at a time — the reminders settled, their messages
    put in the outbox — each while the engine decides the next chunk: the database (PostgreSQL's server, SQLite's own
    thread) works at the same time as the interpreter, not after it. One write at a time on the session, and nothing
    else uses the session meanwhile."""

    def __init__(self, session: AsyncSession, clock: Clock, now: datetime, holder: str) -> None:
        self._session = session
        self._clock = clock
        self._now = now
        self._holder = holder
        self.results: list[Settled] = []
        self.messages: list[Outgoing] = []
        self._writing: asyncio.Task[None] | None = None

    async def flush(self) -> None:
        """Start writing what was decided so far, once the chunk before it is written."""
        results, messages = self.results, self.messages
        self.results, self.messages = [], []
        await self.written()
        if results or messages:
            self._writing = asyncio.create_task(self._write(results, messages))
            await asyncio.sleep(0)  # it sends its first statement

    async def written(self) -> None:
        """Wait for the chunk under way (its error, if it failed, is raised here)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing

    async def abandon(self) -> None:
        """An error or a cancellation: stop the write under way before the transaction is rolled back."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.cancel()
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()  # retrieved: the error that matters is the one being raised

    async def _write(self, results: list[Settled], messages: list[Outgoing]) -> None:
        await reminders.settle(self._session, results, now=self._now, holder=self._holder)
        await outbox.enqueue_many(self._session, self._clock, messages)


@dataclass
class TickReport:
    sent: int = 0
    skipped: int = 0
    missed: int = 0
    deferred: int = 0


class Engine:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        i18n: I18n,
        settings: Settings,
        kinds: Sequence[Kind[Any]],
        *,
        wake_sender: Callable[[], None] = lambda: None,
        holder: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._i18n = i18n
        self._settings = settings
        self._kinds = {kind.name: kind for kind in kinds}
        self._wake_sender = wake_sender
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._planned_at: datetime | None = None
        self._marks: dict[str, Hashable] = {}  # each kind's fingerprint at its last plan
        # One tick at a time in a process (the job and a test's explicit tick); stopping waits for it.
        self.running = asyncio.Lock()

    async def purge(self) -> Purged:
        """The retention job: delivery data older than RETENTION_DAYS goes (bot.services.retention)."""
        async with self._sessionmaker.begin() as session:
            return await retention.purge(session, self._clock.now(), days=self._settings.retention_days)

    async def tick(self, *, plan: bool = False) -> TickReport:
        """Plan (every PLAN_EVERY, or when asked), then work through everything due, a batch at a time."""
        async with self.running:
            now = self._clock.now()
            if plan or self._planned_at is None or now - self._planned_at >= PLAN_EVERY:
                await self.plan(now)
            report = TickReport()
            opens = Opens(now)
            while True:
                async with self._sessionmaker.begin() as session:
                    due = await reminders.claim(session, now, limit=BATCH)
                    if due:
                        await self._handle(session, due, now, opens, report)
                if report.sent or report.missed:
                    self._wake_sender()
                if len(due) < BATCH:
                    return report

    async def plan(self, now: datetime) -> None:
        """Plan each kind, unless what it plans from is as it was at its last plan in this process (then it would
        plan nothing new): a re-plan at the size of a city costs a few aggregate queries, not 100,000 rows."""
        marks: dict[str, Hashable] = {}
        async with self._sessionmaker.begin() as session:
            for kind in self._kinds.values():
                mark = await kind.fingerprint(session, now)
                if mark is not None and self._marks.get(kind.name) == mark:
                    continue
                await reminders.plan(session, await kind.plan(session, now))
                if mark is not None:
                    marks[kind.name] = mark
        self._marks.update(marks)  # once committed: a plan rolled back is planned again
        self._planned_at = now

    async def _handle(
        self, session: AsyncSession, due: list[Due], now: datetime, opens: Opens, report: TickReport
    ) -> None:
        stale = now - timedelta(hours=self._settings.reminder_grace_hours)  # due before it: later than the grace
        handover = _Handover(session, self._clock, now, self.holder)
        missed: dict[int, list[tuple[Kind[Any], object, Due]]] = defaultdict(list)
        by_kind: dict[str, list[Due]] = defaultdict(list)
        for reminder in due:
            by_kind[reminder.kind].append(reminder)
        with self._i18n.context():
            loaded = []
            for name, batch in by_kind.items():
                kind = self._kinds.get(name)
                if kind is None:
                    log.warning("%s reminders of an unknown kind %r are skipped", len(batch), name)
                    handover.results += [Settled(r.id, ReminderStatus.SKIPPED, r.due_at, "unknown kind") for r in batch]
                    continue
                loaded.append((kind, await kind.load(session, batch), batch))
            try:
                for kind, context, batch in loaded:
                    for reminder in batch:
                        settled = self._decide(kind, context, reminder, now, stale, opens, handover.messages, report)
                        if settled.status == ReminderStatus.MISSED and (owner := kind.owner(reminder, context)):
                            missed[owner].append((kind, context, reminder))
                        handover.results.append(settled)
                        if len(handover.results) >= CHUNK:
                            await handover.flush()
                        elif len(handover.results) % LET_WRITE_EVERY == 0:
                            await asyncio.sleep(0)  # the chunk being written goes on to its next statement
                await handover.written()  # the session is free again
                handover.messages += await self._missed_lists(session, missed, now, opens)
                await handover.flush()
                await handover.written()
            except BaseException:
                await handover.abandon()
                raise

    def _decide(
        self,
        kind: Kind[Any],
        context: object,
        reminder: Due,
        now: datetime,
        stale: datetime,
        opens: Opens,
        messages: list[Outgoing],
        report: TickReport,
    ) -> Settled:
        """Skipped if it no longer matters; missed if it still would but is later than the grace; deferred to the
        reader's hours; else sent."""
        reader = kind.reader(reminder, context)
        if reader is None:
            report.skipped += 1
            return Settled(reminder.id, ReminderStatus.SKIPPED, reminder.due_at, "nobody to tell")
        # As `use_locale` does, without a generator-based context manager for each of 100,000 reminders.
        token = self._i18n.ctx_locale.set(reader.language)
        try:
            outcome = kind.compose(reminder, context, now)
        finally:
            self._i18n.ctx_locale.reset(token)
        if isinstance(outcome, Skip):
            log.info("reminder %s (%s) skipped: %s", reminder.id, reminder.kind, outcome.note)
            report.skipped += 1
            return Settled(reminder.id, ReminderStatus.SKIPPED, reminder.due_at, outcome.note[:64])
        if reminder.due_at < stale:
            log.warning("reminder %s (%s) missed: it was due %s", reminder.id, reminder.kind, reminder.due_at)
            report.missed += 1
            return Settled(reminder.id, ReminderStatus.MISSED, reminder.due_at, "missed")
        allowed = opens.at(reader.zone, reader.window)
        if allowed > now:
            report.deferred += 1
            return Settled(reminder.id, ReminderStatus.PENDING, allowed)
        messages.append(Outgoing(reminder.recipient_id, outcome.parts, outcome.priority))
        report.sent += 1
        return Settled(reminder.id, ReminderStatus.SENT, reminder.due_at)

    async def _missed_lists(
        self,
        session: AsyncSession,
        missed: dict[int, list[tuple[Kind[Any], object, Due]]],
        now: datetime,
        opens: Opens,
    ) -> list[Outgoing]:
        """One message per owner listing what was missed: in their language, at their times, in their hours."""
        if not missed:
            return []
        locales = await people.reading_locales(session, list(missed), default_country=self._settings.country)
        hours = await reminders.staff_hours(session, list(missed), self._settings.timezone)
        messages = []
        for owner_id, items in missed.items():
            zone, window = hours[owner_id]
            with self._i18n.use_locale(locales.get(owner_id, self._settings.default_locale)):
                lines = [
                    reminder_cards.missed_line(reminder.due_at, zone, kind.describe(reminder, context))
                    for kind, context, reminder in sorted(items, key=lambda item: item[2].due_at)
                ]
                text = reminder_cards.missed(lines)
            when = opens.at(zone, window)
            messages.append(Outgoing(owner_id, parts.message(text), not_before=when))
        return messages
