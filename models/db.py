"""Engines, sessions and migrations: the same code on SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models import sqlite_driver

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred BEGIN that later writes cannot wait for the lock (SQLite answers "database is
        # locked" at once); IMMEDIATE takes the write lock up front and so honours busy_timeout.
        driver = connection.connection.dbapi_connection
        assert isinstance(driver, sqlite_driver.Connection)
        driver.begin_with_next("BEGIN IMMEDIATE")


class SqliteBusy(Exception):
    """Another process runs the bot on this SQLite file."""


class SqliteLock:
    """An exclusive lock on `<database>.lock`, held while the process runs; the OS drops it if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise SqliteBusy(str(path.with_suffix(""))) from None

    def release(self) -> None:
        if not self._file.closed:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()


def lock_sqlite(url: str) -> SqliteLock | None:
    """Take a SQLite database for this process (SqliteBusy if another has it); None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteLock(path.with_name(path.name + ".lock"))


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # Database errors end up in the log: their statement parameters (names, appeal texts) must not.
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Every transaction takes the write lock (BEGIN IMMEDIATE), so one runs at a time whatever the pool holds.
            # With one connection the others wait for it in the event loop, in turn, as long as SQLite would have
            # (the busy timeout), instead of each polling the lock from a thread of its own: that cost CPU on every
            # update while a burst queued.
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
            # A connection comes back committed or rolled back already (closing a session or a connection ends its
            # transaction): the pool's own rollback on its return would be one more call for nothing, on every update.
            kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(parsed, module=sqlite_driver.dbapi(), **kwargs)
        _prepare_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit: handlers commit before talking to Telegram, then render.
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every pending migration on the given engine."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table by copy-and-drop; with foreign keys on, dropping a parent
            # table would cascade to its children. The pragma only takes effect outside a transaction.
            await connection.run_sync(_sqlite_pragma, "PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(run)
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"a migration left rows with broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                await connection.run_sync(_sqlite_pragma, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    """Run a pragma on the raw connection: through SQLAlchemy it would start a transaction first."""
    cursor = connection.connection.cursor()
    cursor.execute(pragma)
    cursor.close()
