"""Several bot processes (`python -m bot`) in webhook mode on one PostgreSQL and one Redis, behind a round-robin
front, on the emulator: the test acts as people through it as through the in-process harness."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.emulator import FakeTelegram
from bot.emulator.webhook import WebhookPusher
from models import Delivery, DeliveryStatus
from models.db import create_engine, create_sessionmaker
from tests.support.front import RoundRobin
from tests.support.harness import SETTLE_TIMEOUT, Person, Reply

SECRET = "cluster-secret"
READY_TIMEOUT = 60.0
HANDLED_TIMEOUT = 60.0
QUIET_TIMEOUT = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Instance:
    """One bot process on a port of its own; started, killed and restarted by the test."""

    name: str
    port: int
    env: dict[str, str]
    workdir: Path
    module: str = "bot"  # or benchmarks.bare, the framework's ceiling
    process: subprocess.Popen[bytes] | None = None
    exits: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def ready(self, http: aiohttp.ClientSession) -> None:
        """Wait until its health endpoint says ready (it registered the webhook and its database answers)."""
        async with asyncio.timeout(READY_TIMEOUT):
            while True:
                assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)

    def memory(self) -> tuple[int, int]:
        """The process's resident memory now and at its peak, in bytes."""
        assert self.process is not None
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024

    def cpu_seconds(self) -> float:
        """User and system CPU the process used so far."""
        assert self.process is not None
        stat = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL: the process ends where it is, its calls and requests in flight cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.exits.append(self.process.wait())
        self.process = None

    async def terminate(self) -> int:
        """SIGTERM: a deploy or a scale-down; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(READY_TIMEOUT):
            while (code := self.process.poll()) is None:
                await asyncio.sleep(0.05)
        self.exits.append(code)
        self.process = None
        return code


@dataclass
class Shared:
    """What the story set-up helpers reach through `tg.app`: the database every instance uses."""

    sessionmaker: async_sessionmaker[AsyncSession]


class Cluster:
    """Duck-types the in-process harness's Telegram (fake, app.sessionmaker, clock, person, deliver, quiet, settle)."""

    def __init__(self, fake: FakeTelegram, engine: AsyncEngine, instances: list[Instance], front: RoundRobin) -> None:
        self.fake = fake
        self.pusher = WebhookPusher(fake)
        self.engine = engine
        self.app = Shared(create_sessionmaker(engine))
        self.clock = SystemClock()
        self.instances = instances
        self.front = front
        self.http = aiohttp.ClientSession()

    @classmethod
    async def start(
        cls,
        fake: FakeTelegram,
        *,
        database_url: str,
        redis_url: str,
        token: str,
        workdir: Path,
        size: int,
        module: str = "bot",
        **env: str,
    ) -> Cluster:
        ports = [free_port() for _ in range(size)]
        front = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
        await front.start()
        base = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "PYTEST_"))}
        settings = {
            "BOT_TOKEN": token,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TELEGRAM_API_URL": fake.base_url,
            "WEBHOOK_URL": front.url,
            "WEBHOOK_SECRET": SECRET,
            "LOG_LEVEL": "WARNING",
            **env,
        }
        instances = [
            Instance(f"{module}{n}", port, {**base, **settings, "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}, workdir, module)
            for n, port in enumerate(ports)
        ]
        if module == "bot":  # the release step, before any instance starts
            subprocess.run([sys.executable, "-m", "bot", "migrate"], env=instances[0].env, cwd=workdir, check=True)
        cluster = cls(fake, create_engine(database_url), instances, front)
        await cluster.pusher.start()
        try:
            for instance in instances:
                instance.start()
            for instance in instances:
                await instance.ready(cluster.http)
        except BaseException:
            await cluster.stop()
            raise
        return cluster

    async def stop(self) -> None:
        for instance in self.instances:
            if instance.process is not None:
                instance.kill()
        await self.pusher.stop()
        await self.front.stop()
        await self.http.close()
        await self.engine.dispose()

    def person(self, user_id: int, first_name: str, *, language_code: str | None = "en", **kwargs: Any) -> Person:
        self.fake.add_user(user_id, first_name, language_code=language_code, **kwargs)
        return Person(self, user_id)  # type: ignore[arg-type]

    async def deliver(self, update: dict[str, Any] | None, *, timeout: float = HANDLED_TIMEOUT) -> Reply:
        """Wait until an instance answered Telegram's call for the update (after handling it): what it sent to the
        update's chat meanwhile is the reply."""
        assert update is not None, "the bot cannot see this message"
        start = len(self.fake.requests)
        await self.pusher.confirmed_update(update["update_id"], timeout)
        callback = update.get("callback_query")
        chat_id = (callback["message"] if callback else update["message"])["chat"]["id"]
        return Reply(
            [
                call
                for call in self.fake.requests[start:]
                if call.params.get("chat_id") == chat_id
                or (callback and call.params.get("callback_query_id") == callback["id"])
            ]
        )

    async def quiet(self) -> None:
        """What is due in the outbox has gone out (bounded: with a notice under way, not waited for long)."""
        await self._outbox_sent(QUIET_TIMEOUT)

    async def settle(self) -> None:
        """What a person's action put in the outbox (a card, an answer) goes out before the test reads on, as the
        harness's Telegram.settle waits for it: some instance's sender sends it, within SETTLE_TIMEOUT."""
        await self._outbox_sent(SETTLE_TIMEOUT)

    async def _outbox_sent(self, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                while await self.due_in_outbox():
                    await asyncio.sleep(0.1)
        except TimeoutError:
            pass

    async def due_in_outbox(self) -> int:
        async with self.app.sessionmaker() as session:
            count = await session.scalar(
                select(func.count(Delivery.id)).where(
                    Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= self.clock.now()
                )
            )
        return count or 0
