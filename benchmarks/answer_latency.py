"""How long an inspector's answer takes to reach the resident while a 1,000-chat notice goes out at full pace.

    python -m benchmarks.answer_latency [--appeals 200] [--inspectors 10] [--every 1.5] [--chats 1000]
                                        [--rate 28] [--database-url URL]

The real bot runs in its own process against the fake Telegram, which enforces Telegram's limits (as in
benchmarks.broadcast). The district has `inspectors` inspectors, each with appeals already on their desk; each
inspector replies to one appeal's card every `every` seconds (one person answers about that fast), until `appeals`
answers were given. The latency of an answer runs from the inspector's message reaching Telegram to the resident
receiving it (the copy of the inspector's message, which follows the header "The inspector's answer on your
appeal": one message a second to one private chat, so it is at least a second behind its header).

Two runs: the answers while a notice to `chats` building chats is going out, and the same answers with no notice.
The notice's own pace (messages a second, 10th to 90th percentile of arrivals while answers were given) is printed
beside OUTBOX_RATE: answers are personal and go first, so what they take comes out of the notice's share.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.broadcast import (
    TELEGRAM_LIMIT,
    BotProcess,
    FakeServer,
    frozen_heap,
    group_sends,
    prepare,
    wait_for,
)
from benchmarks.database import inspector_with_building
from bot.clock import SystemClock
from bot.emulator import FakeTelegram
from bot.services import appeals, people, residents
from bot.services.appeals import Content, Draft, Policy
from bot.services.people import Person
from models import Category, MessageLink
from models.db import create_engine, create_sessionmaker

FIRST_INSPECTOR = 2000
FIRST_RESIDENT = 10_000
POLICY = Policy(first_response_hours=24, rate_limit=10_000)


@dataclass(frozen=True)
class Desk:
    """An appeal waiting for its answer: who answers, the card they reply to, who reads the answer."""

    inspector_id: int
    card_message_id: int
    resident_id: int


async def district(database_url: str, fake: FakeTelegram, appeals_count: int, inspector_count: int) -> list[Desk]:
    """Inspectors, a building each, one resident per appeal, and each appeal's card already in its inspector's chat
    (the message pair that routes a reply to it recorded, as the sender records it)."""
    engine = create_engine(database_url)
    clock = SystemClock()
    desks: list[Desk] = []
    try:
        async with create_sessionmaker(engine).begin() as session:
            served = []
            for n in range(inspector_count):
                user_id = FIRST_INSPECTOR + n
                fake.add_user(user_id, f"Inspector {n}", language_code="en")
                building = await inspector_with_building(
                    session, clock, user_id, f"Inspector {n}", code=f"D-{n}", address=f"Dostyk {n}"
                )
                served.append((user_id, building))
            for k in range(appeals_count):
                inspector_id, building = served[k % inspector_count]
                resident_id = FIRST_RESIDENT + k
                fake.add_user(resident_id, f"Resident {k}", language_code="en")
                person = Person(id=resident_id, first_name=f"Resident {k}")
                await residents.register(session, clock, person, building=building, flat=str(k), language="en")
                actor = await people.load_actor(session, resident_id, is_admin=False)
                text = f"Noise at night, flat {k}."
                source = Content(kind="text", chat_id=resident_id, message_id=1, text=text)
                draft_key = str(uuid.uuid4())
                made = await appeals.submit(
                    session, clock, POLICY, actor, Draft(draft_key, Category.PUBLIC_ORDER, text, False, source)
                )
                made.appeal.delivered_at = clock.now()
                card = fake.world.new_message(
                    fake.world.chats[inspector_id], fake.bot_user, text=f"📨 Appeal №{made.appeal.number}"
                )
                session.add(
                    MessageLink(
                        chat_id=inspector_id, message_id=card["message_id"], appeal_id=made.appeal.id, at=clock.now()
                    )
                )
                desks.append(Desk(inspector_id, card["message_id"], resident_id))
    finally:
        await engine.dispose()
    return desks


@dataclass
class Outcome:
    latencies: list[float]  # seconds, inspector's message → the resident has the answer
    headers: list[float]  # seconds, inspector's message → the answer's header arrives
    unanswered: int
    broadcast_rate: float  # group messages a second while answers were given (10th-90th percentile)
    group_messages: int
    rate_limited: list[tuple[str, str]]  # the method and the kind of chat of each 429 the fake answered
    bot_errors: list[str]


async def answer(fake: FakeTelegram, desks: list[Desk], inspector_count: int, every: float) -> dict[int, float]:
    """Each inspector replies to their next card every `every` seconds, the inspectors staggered; returns when
    each resident's answer was sent (time.monotonic())."""
    by_inspector: dict[int, list[Desk]] = {}
    for desk in desks:
        by_inspector.setdefault(desk.inspector_id, []).append(desk)
    sent_at: dict[int, float] = {}

    async def work(offset: float, queue: list[Desk]) -> None:
        await asyncio.sleep(offset)
        for desk in queue:
            started = time.monotonic()
            sent_at[desk.resident_id] = started
            fake.message_update(
                desk.inspector_id,
                desk.inspector_id,
                "We spoke to the neighbours.",
                reply_to_message_id=desk.card_message_id,
            )
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))

    await asyncio.gather(*(work(n * every / inspector_count, queue) for n, queue in enumerate(by_inspector.values())))
    return sent_at


def receipts(fake: FakeTelegram, method: str, residents: set[int]) -> dict[int, float]:
    """When each resident first received a message by `method` (copyMessage: the answer; sendMessage: its header)."""
    found: dict[int, float] = {}
    for call in list(fake.requests):
        chat_id = call.params.get("chat_id")
        if call.method == method and call.response.get("ok") and chat_id in residents and chat_id not in found:
            found[chat_id] = call.at
    return found


async def one_run(
    database_url: str, chats: int, rate: int, appeals_count: int, inspector_count: int, every: float, workdir: Path
) -> Outcome:
    async with FakeServer() as server:
        fake = server.fake
        broadcast = await prepare(database_url, fake, chats)
        desks = await district(database_url, fake, appeals_count, inspector_count)
        residents_ids = {desk.resident_id for desk in desks}
        bot = BotProcess(database_url, fake.base_url, rate, workdir, f"bot-{chats}")
        with frozen_heap():
            await bot.start()
            try:
                if chats:
                    await wait_for(lambda: bool(fake.sent), bot, 60, "first notice")
                else:
                    await wait_for(lambda: bool(fake.calls("getUpdates")), bot, 60, "polling")
                began = time.monotonic()
                sent_at = await answer(fake, desks, inspector_count, every)
                ended = time.monotonic()
                await wait_for(
                    lambda: len(receipts(fake, "copyMessage", residents_ids)) >= len(desks), bot, 120, "every answer"
                )
            finally:
                await bot.stop()
        copies = receipts(fake, "copyMessage", residents_ids)
        headers = receipts(fake, "sendMessage", residents_ids)
        during = [c.at for c in group_sends(fake, set(broadcast.chat_ids)) if began <= c.at <= ended]
        low, high = len(during) // 10, len(during) * 9 // 10
        span = during[high] - during[low] if high > low else 0.0
        return Outcome(
            latencies=sorted(copies[r] - sent_at[r] for r in copies if r in sent_at),
            headers=sorted(headers[r] - sent_at[r] for r in headers if r in sent_at),
            unanswered=len(desks) - len(copies),
            broadcast_rate=(high - low) / span if span else 0.0,
            group_messages=len(group_sends(fake, set(broadcast.chat_ids))),
            rate_limited=[
                (c.method, _kind_of(c.params.get("chat_id")))
                for c in list(fake.requests)
                if c.response.get("error_code") == 429
            ],
            bot_errors=bot.errors(),
        )


def _kind_of(chat_id: object) -> str:
    if not isinstance(chat_id, int):
        return "?"
    if chat_id < 0:
        return "a group"
    return "an inspector" if chat_id < FIRST_RESIDENT else "a resident"


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def print_outcome(title: str, outcome: Outcome, rate: int) -> None:
    print(f"== {title} ==")
    for label, values in (("answer received", outcome.latencies), ("its header", outcome.headers)):
        print(
            f"{label:<18}p50 {_percentile(values, 0.5):.2f} s   p95 {_percentile(values, 0.95):.2f} s   "
            f"max {max(values, default=float('nan')):.2f} s   (mean {statistics.fmean(values) if values else 0:.2f} s)"
        )
    print(f"{'not received':<18}{outcome.unanswered}")
    if outcome.group_messages:
        share = outcome.broadcast_rate / rate * 100
        print(
            f"{'notice pace':<18}{outcome.broadcast_rate:.1f} msgs/s while answers went out "
            f"({share:.0f}% of OUTBOX_RATE={rate}/s; Telegram's limit {TELEGRAM_LIMIT}/s); "
            f"{outcome.group_messages} group messages"
        )
    kinds = Counter(f"{method} to {kind}" for method, kind in outcome.rate_limited)
    print(f"{'answered 429':<18}{len(outcome.rate_limited)} {dict(kinds) if kinds else ''}".rstrip())
    if outcome.bot_errors:
        print(f"{'bot errors':<18}{len(outcome.bot_errors)}: {outcome.bot_errors[0][:100]}")
    print()


async def run(args: argparse.Namespace, workdir: Path) -> None:
    def url(name: str) -> str:
        return args.database_url or f"sqlite+aiosqlite:///{workdir / name}.sqlite3"

    answers = f"{args.appeals} answers by {args.inspectors} inspectors, one each every {args.every} s"
    during = await one_run(url("during"), args.chats, args.rate, args.appeals, args.inspectors, args.every, workdir)
    print_outcome(f"{answers}, during a notice to {args.chats} chats", during, args.rate)
    alone = await one_run(url("alone"), 0, args.rate, args.appeals, args.inspectors, args.every, workdir)
    print_outcome(f"{answers}, no notice going out", alone, args.rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=200)
    parser.add_argument("--inspectors", type=int, default=10)
    parser.add_argument("--every", type=float, default=1.5, help="seconds between one inspector's answers")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=28, help="OUTBOX_RATE (default 28, the bot's default)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run; the database is emptied first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run(args, Path(directory)))


if __name__ == "__main__":
    main()
