"""A broadcast to 1,000 building chats: the real bot in its own process, a fake Telegram enforcing Telegram's limits.

    python -m benchmarks.broadcast [--chats 1000] [--rate 30] [--database-url URL] [--skip-kill]

The fake Bot API server runs here and answers 429 as Telegram would (30 messages a second in all, 20 a minute in
a group, about one a second in a private chat). This process prepares the database (emptied first: use a database
of its own), enqueues one notice to every building chat through the outbox, then starts `python -m bot` as a child
process with OUTBOX_RATE set, and measures what the fake received: messages per second against the 30/s limit and
the configured pace, the time from the first to the last group message against the ideal (chats / 30 s), the 429s
answered, chats that got nothing (lost) or more than one message (duplicated), and peak memory.

The second run kills the bot with SIGKILL when about half the chats have their message and starts it again. The
messages the fake delivered that the database does not show as sent were in flight at the kill: only those may
arrive twice. The new process waits for the dead one's sender lease to lapse (15 s): that is the restart gap.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.database import empty
from bot.clock import SystemClock
from bot.config import Settings
from bot.emulator import Call, FakeTelegram
from bot.services import outbox, parts, people
from bot.services.people import Person
from models import Building, BuildingChat, Delivery, DeliveryStatus
from models.db import create_engine, create_sessionmaker, upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token-for-the-fake-telegram-xyz"
AUTHOR_ID = 1  # an administrator (ADMIN_IDS) who sends the notice and gets the delivery report
FIRST_CHAT_ID = -100_001
TELEGRAM_LIMIT = 30  # messages a second, all chats together
NOTICE = "Water is off on Friday 10:00-14:00 in every building of the district."
QUIET_SECONDS = 1.0  # no request but getUpdates for this long: the fake is quiet
STOP_SECONDS = 20.0
POLL = 0.005
STALL = 0.05  # the pace's margin over Telegram's one-second window (bot.delivery.pace.MARGIN)


# --- set-up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broadcast:
    batch_id: int
    chat_ids: list[int]


async def prepare(database_url: str, fake: FakeTelegram, chats: int) -> Broadcast:
    """Empty the database, then a district of `chats` buildings, each with its group, and one notice to all."""
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
        await empty(engine)
        clock = SystemClock()
        chat_ids = [FIRST_CHAT_ID - n for n in range(chats)]
        fake.add_user(AUTHOR_ID, "Aigerim", language_code="en")
        async with create_sessionmaker(engine).begin() as session:
            await people.ensure_user(session, clock, Person(id=AUTHOR_ID, first_name="Aigerim"), language="en")
            for n, chat_id in enumerate(chat_ids, start=1):
                title = f"Abay ave {n}, residents"
                fake.add_group(chat_id, title, creator_id=AUTHOR_ID)
                building = Building(
                    code=f"B-{n:04}", address=f"Abay ave {n}", timezone="Asia/Almaty", created_at=clock.now()
                )
                session.add(
                    BuildingChat(building=building, chat_id=chat_id, title=title, language="en", bound_at=clock.now())
                )
            batch = await outbox.start_broadcast(session, clock, author_id=AUTHOR_ID, kind="notice", title=NOTICE)
            for chat_id in chat_ids:
                await outbox.enqueue(session, clock, chat_id=chat_id, parts=parts.message(NOTICE), broadcast=batch)
        return Broadcast(batch.id, chat_ids)
    finally:
        await engine.dispose()


async def statuses(database_url: str, batch_id: int) -> Counter[str]:
    """How many of the batch's rows are in each status."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(Delivery.status, func.count(Delivery.id))
                .where(Delivery.broadcast_id == batch_id)
                .group_by(Delivery.status)
            )
            return Counter({status: count for status, count in rows})
    finally:
        await engine.dispose()


async def sent_chats(database_url: str, batch_id: int) -> set[int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.scalars(
                select(Delivery.chat_id).where(
                    Delivery.broadcast_id == batch_id, Delivery.status == DeliveryStatus.SENT
                )
            )
            return set(rows)
    finally:
        await engine.dispose()


# --- the bot, as a process ----------------------------------------------------------------------


class BotProcess:
    """`python -m bot` configured by environment variables only, run from a directory without a .env."""

    def __init__(self, database_url: str, api_url: str, rate: int, workdir: Path, name: str) -> None:
        self.log_path = workdir / f"{name}.log"
        self._workdir = workdir
        self._env = {key: value for key, value in os.environ.items() if key.lower() not in Settings.model_fields}
        self._env.update(
            BOT_TOKEN=TOKEN,
            DATABASE_URL=database_url,
            TELEGRAM_API_URL=api_url,
            ADMIN_IDS=str(AUTHOR_ID),
            OUTBOX_RATE=str(rate),
            LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        self._process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.peak_mib: float | None = None

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self._workdir,
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self.started_at = time.monotonic()

    @property
    def process(self) -> asyncio.subprocess.Process:
        assert self._process is not None, "the bot process was not started"
        return self._process

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise RuntimeError(f"the bot process exited with {self.process.returncode}:\n{self.log_tail()}")

    def sample_memory(self) -> None:
        """Keep VmHWM, the process's peak resident memory: /proc forgets it when the process ends."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_mib = max(self.peak_mib or 0.0, int(line.split()[1]) / 1024)

    async def kill(self) -> None:
        self.sample_memory()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM: the bot stops polling, lets its sender finish and gives up the lease."""
        if self._process is None or self._process.returncode is not None:
            return
        self.sample_memory()
        self._process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._process.wait(), STOP_SECONDS)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
            raise RuntimeError(f"the bot did not stop on SIGTERM within {STOP_SECONDS:.0f} s") from None

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_lines()[-lines:])

    def errors(self) -> list[str]:
        return [line for line in self.log_lines() if " ERROR " in line or " CRITICAL " in line or "Traceback" in line]


# --- what the fake saw --------------------------------------------------------------------------


def _chat_of(call: Call) -> int | None:
    result = call.response.get("result")
    return result["chat"]["id"] if isinstance(result, dict) and "chat" in result else None


def group_sends(fake: FakeTelegram, chats: set[int]) -> list[Call]:
    """Messages delivered to the broadcast's chats, in order of arrival."""
    return [c for c in list(fake.requests) if c.method == "sendMessage" and _chat_of(c) in chats]


def delivered(fake: FakeTelegram, chat_ids: list[int]) -> set[int]:
    return {chat_id for chat_id in chat_ids if fake.sent_to(chat_id)}


def busiest_second(fake: FakeTelegram) -> int:
    """The most messages (to any chat) that arrived within one second: what Telegram's 30/s counts."""
    times = sorted(c.at for c in list(fake.requests) if c.response.get("ok") and _chat_of(c) is not None)
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def report_text(fake: FakeTelegram) -> str:
    return "\n".join(m.get("text", "") for m in fake.sent_to(AUTHOR_ID))


async def wait_for(condition: Callable[[], bool], bot: BotProcess, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        bot.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f} s; the bot's log ends:\n{bot.log_tail()}")
        await asyncio.sleep(POLL)


async def quiet(fake: FakeTelegram) -> None:
    """Wait until nothing but long polling has reached the fake for QUIET_SECONDS."""
    while True:
        last = max((c.at for c in list(fake.requests) if c.method != "getUpdates"), default=0.0)
        idle = time.monotonic() - last
        if idle >= QUIET_SECONDS:
            return
        await asyncio.sleep(QUIET_SECONDS - idle)


def _expected_seconds(chats: int, rate: int) -> float:
    return 60.0 + 3 * chats / rate


# --- the runs -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    chats: int
    rate: int
    database: str
    send_times: list[float]  # arrival of each group message, in order
    counts: dict[int, int]  # messages each chat received
    rate_limited: list[float]  # when the fake answered 429, seconds after the first group message
    fake_stalls: int  # times the fake's process was held up longer than STALL while the broadcast went out
    busiest_second: int
    statuses: Counter[str]
    report: str
    bot_memory_mib: list[float | None]  # per bot process
    startup_seconds: float  # bot process started → its first group message
    bot_errors: list[str] = field(default_factory=list)
    # The kill run only:
    sent_at_kill: int = 0
    delivered_at_kill: int = 0
    in_flight: set[int] = field(default_factory=set)  # delivered at the kill, not recorded sent
    restart_gap: float = 0.0  # the kill → the new process's first group message
    restart_wait: float = 0.0  # the new process started → its first group message

    @property
    def lost(self) -> set[int]:
        return {chat_id for chat_id, count in self.counts.items() if count == 0}

    @property
    def duplicated(self) -> set[int]:
        return {chat_id for chat_id, count in self.counts.items() if count > 1}

    @property
    def completion(self) -> float:
        return self.send_times[-1] - self.send_times[0] if len(self.send_times) > 1 else 0.0

    @property
    def overall_rate(self) -> float:
        return len(self.send_times) / self.completion if self.completion else 0.0

    @property
    def steady_rate(self) -> float:
        """Messages a second between the 10th and the 90th percentile of arrivals: no start burst, no tail."""
        low, high = len(self.send_times) // 10, len(self.send_times) * 9 // 10
        span = self.send_times[high] - self.send_times[low] if high > low else 0.0
        return (high - low) / span if span else 0.0


class FakeServer:
    """The fake Bot API server, enforcing Telegram's limits, and a watch on this process's own stalls.

    The fake counts a message when this process gets to it. When the process is held up (the machine is busy),
    the requests that arrived meanwhile are counted together, as if they had come in a burst: a 429 then follows
    a stall of more than the pace's margin (50 ms), whatever the bot did. The stalls are counted to tell the two
    apart.
    """

    def __init__(self) -> None:
        self.fake = FakeTelegram(token=TOKEN)
        self.fake.enforce_rate_limits = True
        self.stalls: list[float] = []  # when this process was held up longer than STALL
        self._watch: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeServer:
        await self.fake.start()
        self._watch = asyncio.create_task(self._watch_stalls())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await self.fake.stop()

    async def _watch_stalls(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(POLL)
            if time.monotonic() - before - POLL > STALL:
                self.stalls.append(before)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep this process's full garbage collections short while the fake counts.

    One that walked the set-up and an earlier run's leftovers took 0.4 s here, and the fake then counted the
    requests held up meanwhile as a burst: a 429 that the bot had nothing to do with.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def steady_run(database_url: str, chats: int, rate: int, workdir: Path) -> Outcome:
    """The bot drains a broadcast from start to end, undisturbed."""
    async with FakeServer() as server:
        fake = server.fake
        broadcast = await prepare(database_url, fake, chats)
        bot = BotProcess(database_url, fake.base_url, rate, workdir, "bot")
        with frozen_heap():
            await bot.start()
            try:
                await wait_for(lambda: bool(fake.sent_to(AUTHOR_ID)), bot, _expected_seconds(chats, rate), "report")
                await quiet(fake)
            finally:
                await bot.stop()
        return await _outcome(server, database_url, broadcast, rate, [bot])


async def kill_run(database_url: str, chats: int, rate: int, workdir: Path) -> Outcome:
    """SIGKILL the bot when about half the chats have the notice, start it again, and let it finish."""
    async with FakeServer() as server:
        broadcast = await prepare(database_url, server.fake, chats)
        with frozen_heap():
            kill = await _kill_and_restart(server.fake, database_url, broadcast, rate, workdir)
        outcome = await _outcome(server, database_url, broadcast, rate, kill.bots)
        outcome.sent_at_kill = len(kill.sent)
        outcome.delivered_at_kill = len(kill.delivered)
        outcome.in_flight = kill.delivered - kill.sent
        after = [t for t in outcome.send_times if t > kill.at]
        if after:
            outcome.restart_gap = after[0] - kill.at
            outcome.restart_wait = after[0] - kill.bots[1].started_at
        return outcome


@dataclass(frozen=True)
class Kill:
    at: float  # time.monotonic() of the SIGKILL
    sent: set[int]  # chats whose row the database showed sent right after it
    delivered: set[int]  # chats the fake had delivered to by then
    bots: list[BotProcess]  # the killed process and its successor


async def _kill_and_restart(
    fake: FakeTelegram, database_url: str, broadcast: Broadcast, rate: int, workdir: Path
) -> Kill:
    first = BotProcess(database_url, fake.base_url, rate, workdir, "bot-killed")
    await first.start()
    half = len(broadcast.chat_ids) // 2
    timeout = _expected_seconds(len(broadcast.chat_ids), rate)
    try:
        await wait_for(lambda: len(fake.sent) > half, first, timeout, "half of the broadcast")
    finally:
        await first.kill()
    killed_at = time.monotonic()
    sent = await sent_chats(database_url, broadcast.batch_id)  # the dead process wrote its last
    await asyncio.sleep(0.5)  # requests it wrote before dying still reach the fake
    at_kill = delivered(fake, broadcast.chat_ids)
    if not sent <= at_kill:
        raise AssertionError(f"rows recorded sent that never arrived: {sorted(sent - at_kill)[:10]}")

    second = BotProcess(database_url, fake.base_url, rate, workdir, "bot-restarted")
    await second.start()
    try:
        await wait_for(lambda: bool(fake.sent_to(AUTHOR_ID)), second, timeout, "report")
        await quiet(fake)
    finally:
        await second.stop()
    return Kill(killed_at, sent, at_kill, [first, second])


async def _outcome(
    server: FakeServer, database_url: str, broadcast: Broadcast, rate: int, bots: list[BotProcess]
) -> Outcome:
    fake = server.fake
    if fake.schema_violations or fake.internal_errors:
        raise AssertionError(f"the fake saw a bad request or failed: {fake.schema_violations or fake.internal_errors}")
    times = [c.at for c in group_sends(fake, set(broadcast.chat_ids))]
    first, last = (times[0], times[-1]) if times else (0.0, 0.0)
    return Outcome(
        chats=len(broadcast.chat_ids),
        rate=rate,
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        send_times=times,
        counts={chat_id: len(fake.sent_to(chat_id)) for chat_id in broadcast.chat_ids},
        rate_limited=[c.at - first for c in list(fake.requests) if c.response.get("error_code") == 429],
        fake_stalls=len([at for at in server.stalls if first <= at <= last]),
        busiest_second=busiest_second(fake),
        statuses=await statuses(database_url, broadcast.batch_id),
        report=report_text(fake),
        bot_memory_mib=[bot.peak_mib for bot in bots],
        startup_seconds=first - bots[0].started_at if times else 0.0,
        bot_errors=[line for bot in bots for line in bot.errors()],
    )


# --- the report ---------------------------------------------------------------------------------


def _mib(value: float | None) -> str:
    return f"{value:.0f} MiB" if value is not None else "?"


def _line(label: str, value: str, beside: str = "") -> None:
    print(f"{label:<20}{value:<36}{f'({beside})' if beside else ''}".rstrip())


def print_steady(outcome: Outcome) -> None:
    ideal = outcome.chats / TELEGRAM_LIMIT
    pace = outcome.steady_rate / outcome.rate * 100
    print(f"== one broadcast, undisturbed ({outcome.database}) ==")
    _line("chats", f"{outcome.chats} groups, one notice each", f"OUTBOX_RATE={outcome.rate}/s")
    _line("steady pace", f"{outcome.steady_rate:.1f} msgs/s", f"{pace:.0f}% of the configured {outcome.rate}/s")
    _line("overall", f"{outcome.overall_rate:.1f} msgs/s", f"Telegram's limit {TELEGRAM_LIMIT}/s")
    _line("busiest second", f"{outcome.busiest_second} messages", f"Telegram's limit {TELEGRAM_LIMIT}")
    at_pace = f"; at {outcome.rate}/s: {outcome.chats / outcome.rate:.1f} s" if outcome.rate != TELEGRAM_LIMIT else ""
    _line(
        "completion",
        f"{outcome.completion:.1f} s first to last",
        f"ideal at {TELEGRAM_LIMIT}/s: {ideal:.1f} s{at_pace}",
    )
    _print_429(outcome)
    _line("lost / duplicated", f"{len(outcome.lost)} / {len(outcome.duplicated)}", "must be 0 / 0")
    _print_common(outcome)


def print_kill(outcome: Outcome) -> None:
    print(f"== SIGKILL mid-broadcast, then a restart ({outcome.database}) ==")
    _line("killed at", f"{outcome.delivered_at_kill} of {outcome.chats} delivered", "about half")
    _line(
        "in flight at kill", str(len(outcome.in_flight)), f"delivered, not recorded sent; {outcome.sent_at_kill} were"
    )
    _line(
        "restart gap",
        f"{outcome.restart_gap:.1f} s kill → next message",
        f"lease 15 s; the new process's first came {outcome.restart_wait:.1f} s after its start",
    )
    _print_429(outcome)
    _line("lost", str(len(outcome.lost)), "must be 0")
    inside = "all among them" if outcome.duplicated <= outcome.in_flight else "NOT all among them"
    _line("duplicated", str(len(outcome.duplicated)), f"≤ {len(outcome.in_flight)} in flight; {inside}")
    _print_common(outcome)


def _print_429(outcome: Outcome) -> None:
    when = ", ".join(f"{at:.1f}" for at in outcome.rate_limited[:5])
    stalls = f"the fake was held up >{STALL * 1000:.0f} ms {outcome.fake_stalls} times"
    _line("answered 429", str(len(outcome.rate_limited)), f"at {when} s; {stalls}" if when else f"must be 0; {stalls}")


def _print_common(outcome: Outcome) -> None:
    rows = ", ".join(f"{status} {count}" for status, count in sorted(outcome.statuses.items()))
    _line("rows", rows, f"all {outcome.chats} must be sent")
    _line("author's report", outcome.report.splitlines()[0] if outcome.report else "none")
    _line("bot start", f"{outcome.startup_seconds:.1f} s", "process start → first group message")
    memory = " + ".join(_mib(m) for m in outcome.bot_memory_mib)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _line("peak memory", f"bot {memory}", f"VmHWM; this process with the fake: {parent:.0f} MiB")
    if outcome.bot_errors:
        _line("bot errors", str(len(outcome.bot_errors)), outcome.bot_errors[0][:100])
    print()


async def run(database_url: str | None, chats: int, rate: int, kill: bool, workdir: Path) -> None:
    def url(name: str) -> str:  # a fresh SQLite file for each run unless a database is given
        return database_url or f"sqlite+aiosqlite:///{workdir / name}.sqlite3"

    print_steady(await steady_run(url("steady"), chats, rate, workdir))
    if kill:
        print_kill(await kill_run(url("kill"), chats, rate, workdir))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=30, help="OUTBOX_RATE, messages a second (default 30)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; the database is emptied first")
    parser.add_argument("--skip-kill", action="store_true", help="only the undisturbed run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run(args.database_url, args.chats, args.rate, not args.skip_kill, Path(directory)))


if __name__ == "__main__":
    main()
