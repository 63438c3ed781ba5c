"""Fixtures: a database per test (SQLite and PostgreSQL), the fake Telegram, and the real bot polling it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.emulator import FakeTelegram
from models.db import create_engine, create_sessionmaker
from tests.support import databases
from tests.support.harness import ErrorLog, FrozenClock, Person, Telegram, running_bot

TOKEN = "123456:TEST-token-for-the-fake-telegram-xyz"
ADMIN_ID = 1


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return databases.postgres_migrated(databases.server_or_skip(databases.POSTGRES_ENV, "PostgreSQL"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    await databases.truncate_all(url)
    return url


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    # Skips with the reason when unset (fails in CI, which must run it), like the PostgreSQL fixtures.
    url = databases.redis_for_worker(databases.server_or_skip(databases.REDIS_ENV, "Redis FSM storage"))
    client = Redis.from_url(url)
    try:
        await client.flushdb()
        yield url
        await client.flushdb()
    finally:
        await client.aclose()


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def make_settings(database_url: str, api_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "telegram_api_url": api_url,
        "admin_ids": [ADMIN_ID],
        "redis_url": None,
        "webhook_url": None,
        "outbox_timeout": 1,  # a fake that answers later than this plays a Telegram that never answered
        "scheduler_tick": 3600,  # the clock stands still: tests tick the scheduler themselves (tg.tick)
        "flood_rate": 1000,  # test people act faster than people can; the flood story sets the real limit
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def error_log() -> AsyncIterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@asynccontextmanager
async def bot_on_fake(
    database_url: str, clock: FrozenClock, error_log: ErrorLog, *, enforce_rate_limits: bool = False, **settings: object
) -> AsyncIterator[Telegram]:
    """The real bot polling a fake Telegram; afterwards the fake saw only valid requests and no error was logged."""
    fake = FakeTelegram(token=TOKEN)
    fake.enforce_rate_limits = enforce_rate_limits
    await fake.start()
    try:
        async with running_bot(fake, make_settings(database_url, fake.base_url, **settings), clock) as telegram:
            yield telegram
    finally:
        await fake.stop()
    assert not fake.schema_violations, fake.schema_violations
    assert not fake.internal_errors, fake.internal_errors
    assert not error_log.records, [r.getMessage() for r in error_log.records]


@pytest.fixture
async def tg(database_url: str, clock: FrozenClock, error_log: ErrorLog) -> AsyncIterator[Telegram]:
    async with bot_on_fake(database_url, clock, error_log) as telegram:
        yield telegram


@pytest.fixture
def admin(tg: Telegram) -> Person:
    return tg.person(ADMIN_ID, "Aigerim", language_code="ru")
