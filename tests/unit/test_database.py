"""The database layer: SQLite set up for a busy bot, UTC times, and migrations that match the models."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import models.db
from models import AuditEvent, Base, User
from models.db import SQLITE_BUSY_TIMEOUT_MS, alembic_config, create_engine, create_sessionmaker, upgrade_to_head
from tests.support import databases

CONCURRENT_WRITERS = 200


# --- SQLite ----------------------------------------------------------------------------


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3")
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


async def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS


async def test_the_sqlite_directory_is_created_when_missing(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/data/nested/bot.sqlite3")
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    assert (tmp_path / "data" / "nested" / "bot.sqlite3").exists()


async def test_sqlite_refuses_a_row_that_points_nowhere(sqlite_engine: AsyncEngine) -> None:
    from sqlalchemy.exc import IntegrityError

    async with sqlite_engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(
                text(
                    "INSERT INTO residencies (user_id, building_id, consent_at) VALUES (404, 404, '2026-01-01 00:00:00')"
                )
            )


async def test_sqlite_transactions_begin_immediate(sqlite_engine: AsyncEngine) -> None:
    sessionmaker = create_sessionmaker(sqlite_engine)
    async with sessionmaker() as first, sessionmaker() as second:
        # A read-only transaction already holds the write lock: a second writer must wait for it.
        await first.execute(select(1))
        second_write = asyncio.create_task(_add_event(second, "second"))
        await asyncio.sleep(0.2)
        assert not second_write.done()
        await first.commit()
        await asyncio.wait_for(second_write, 10)
        await second.commit()


async def _add_event(session: AsyncSession, action: str) -> None:
    session.add(AuditEvent(at=datetime.now(UTC), actor_id=None, action=action, object_type="test"))
    await session.flush()


def _write_lock_free(path: Path) -> bool:
    """Whether another connection could take the write lock at once."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


async def test_a_transaction_takes_the_write_lock_with_its_first_statement_and_none_without_one(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    async with create_sessionmaker(sqlite_engine)() as session:
        await session.connection()  # begun, as far as SQLAlchemy knows: nothing sent yet
        assert _write_lock_free(path)
        await session.execute(select(1))
        assert not _write_lock_free(path)
        await session.commit()
    assert _write_lock_free(path)


async def test_a_streamed_first_statement_takes_the_write_lock_too(sqlite_engine: AsyncEngine, tmp_path: Path) -> None:
    async with create_sessionmaker(sqlite_engine)() as session:
        ids = [user_id async for user_id in await session.stream_scalars(select(User.id))]
        assert ids == []
        assert not _write_lock_free(tmp_path / "bot.sqlite3")
        await session.commit()
    assert _write_lock_free(tmp_path / "bot.sqlite3")


async def test_a_failed_statement_is_rolled_back_and_leaves_the_lock_free(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    sessionmaker = create_sessionmaker(sqlite_engine)
    async with sessionmaker.begin() as session:
        session.add(User(id=1, first_name="A", language="en", created_at=datetime.now(UTC)))
    with pytest.raises(IntegrityError):
        async with sessionmaker.begin() as session:
            session.add(User(id=1, first_name="B", language="en", created_at=datetime.now(UTC)))
    assert _write_lock_free(tmp_path / "bot.sqlite3")
    async with sessionmaker() as session:
        assert await session.scalar(select(User.first_name)) == "A"


async def test_statements_and_the_commit_run_without_crossing_to_the_drivers_thread(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = 0
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await original(self, fn, *args, **kwargs)

    async with create_sessionmaker(sqlite_engine)() as session:
        await session.connection()  # checked out of the pool beforehand: only the transaction's trips are counted
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        session.add(User(id=1, first_name="A", language="en", created_at=datetime.now(UTC)))
        rows = (await session.execute(select(User.id, User.first_name))).all()
        count = await session.scalar(select(func.count()).select_from(User))
        await session.commit()
    assert rows == [(1, "A")]
    assert count == 1
    assert trips == 0


async def test_a_streamed_result_and_statements_between_its_batches_share_the_connection(
    sqlite_engine: AsyncEngine,
) -> None:
    # The stream's batches are fetched in aiosqlite's thread, the statements between them on the loop's.
    async with create_sessionmaker(sqlite_engine)() as session:
        session.add_all(User(id=n, first_name=f"P{n}", language="en", created_at=datetime.now(UTC)) for n in range(5))
        await session.flush()
        seen = []
        async for user_id in await session.stream_scalars(
            select(User.id).order_by(User.id).execution_options(yield_per=2)
        ):
            seen.append(user_id)
            await session.execute(update(User).where(User.id == user_id).values(first_name="Seen"))
        await session.commit()
    async with create_sessionmaker(sqlite_engine)() as session:
        names = (await session.scalars(select(User.first_name).distinct())).all()
    assert seen == [0, 1, 2, 3, 4]
    assert names == ["Seen"]


async def test_200_concurrent_writers_on_one_sqlite_file_all_succeed_and_none_is_lost(
    sqlite_engine: AsyncEngine,
) -> None:
    sessionmaker = create_sessionmaker(sqlite_engine)

    async def writer(number: int) -> None:
        # Read, then write in the same transaction: a deferred BEGIN would fail here with "database is locked".
        async with sessionmaker.begin() as session:
            seen = await session.scalar(select(func.count()).select_from(AuditEvent))
            session.add(
                AuditEvent(
                    at=datetime.now(UTC), actor_id=number, action="count", object_type="test", object_id=str(seen)
                )
            )

    results = await asyncio.gather(*(writer(n) for n in range(CONCURRENT_WRITERS)), return_exceptions=True)
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    assert failures == []
    async with sessionmaker() as session:
        seen_counts = sorted(int(v) for v in await session.scalars(select(AuditEvent.object_id)))
    # Each writer saw every earlier commit: the transactions ran one after another, none lost.
    assert seen_counts == list(range(CONCURRENT_WRITERS))


# --- both databases --------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 14, 0, 30, 123456, tzinfo=ZoneInfo("Asia/Almaty")),
        datetime(2026, 3, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tashkent")),
        datetime(2026, 6, 1, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
async def test_aware_times_come_back_as_the_same_instant_in_utc(
    sessionmaker: async_sessionmaker[AsyncSession], moment: datetime
) -> None:
    async with sessionmaker.begin() as session:
        session.add(AuditEvent(at=moment, actor_id=None, action="time", object_type="test"))
    async with sessionmaker() as session:
        stored = await session.scalar(select(AuditEvent.at))
    assert stored == moment
    assert stored is not None and stored.utcoffset() == timedelta(0)


async def test_times_compare_and_order_as_instants(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    almaty = ZoneInfo("Asia/Almaty")
    # 10:00 in Almaty (UTC+5) is earlier than 06:00 UTC; as text "10:00" would sort after it.
    early = datetime(2026, 11, 23, 10, 0, tzinfo=almaty)
    late = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    async with sessionmaker.begin() as session:
        session.add_all(
            [
                AuditEvent(at=late, actor_id=None, action="late", object_type="test"),
                AuditEvent(at=early, actor_id=None, action="early", object_type="test"),
            ]
        )
    async with sessionmaker() as session:
        ordered = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.at)))
        after = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.at > datetime(2026, 11, 23, 10, 30, tzinfo=almaty))
            )
        )
    assert ordered == ["early", "late"]
    assert after == ["late"]


async def test_a_naive_time_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        session.add(AuditEvent(at=datetime(2026, 11, 23, 9, 0), actor_id=None, action="naive", object_type="test"))
        with pytest.raises(StatementError, match="naive datetime"):
            await session.flush()
        await session.rollback()
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


# --- migrations ------------------------------------------------------------------------

MIGRATIONS_DATABASE = f"inspector_bot_migrations_{os.getpid()}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with nothing in it; on PostgreSQL a database of its own, as other tests share TEST_DATABASE_URL's."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3"
        return
    server = databases.server_or_skip(databases.POSTGRES_ENV, "PostgreSQL")
    await databases.admin_execute(server, f'DROP DATABASE IF EXISTS "{MIGRATIONS_DATABASE}"')
    await databases.admin_execute(server, f'CREATE DATABASE "{MIGRATIONS_DATABASE}"')
    try:
        yield make_url(server).set(database=MIGRATIONS_DATABASE).render_as_string(hide_password=False)
    finally:
        await databases.admin_execute(server, f'DROP DATABASE IF EXISTS "{MIGRATIONS_DATABASE}" WITH (FORCE)')


async def _alembic(engine: AsyncEngine, action: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def _differences(engine: AsyncEngine) -> list[object]:
    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def test_migrations_apply_from_empty_go_down_to_base_and_up_again(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    model_tables = set(Base.metadata.tables)
    try:
        await upgrade_to_head(engine)
        assert await _tables(engine) == model_tables | {"alembic_version"}
        await upgrade_to_head(engine)  # a second start finds nothing to do

        await _alembic(engine, "downgrade", "base")
        assert await _tables(engine) <= {"alembic_version"}

        await _alembic(engine, "upgrade", "head")
        assert await _tables(engine) == model_tables | {"alembic_version"}
        assert await _differences(engine) == []
    finally:
        await engine.dispose()


async def test_the_models_match_the_migrations(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade_to_head(engine)
        assert await _differences(engine) == []
    finally:
        await engine.dispose()


async def test_sqlite_migrations_run_with_foreign_keys_off_and_turn_them_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch migration that rebuilds a parent table must not cascade-delete its children."""
    seen: list[int] = []

    def upgrade(config: Any, revision: str) -> None:
        seen.append(config.attributes["connection"].exec_driver_sql("PRAGMA foreign_keys").scalar())

    monkeypatch.setattr(models.db.command, "upgrade", upgrade)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fk.sqlite3", pool_size=1)  # one connection, reused
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as connection:
            after = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await engine.dispose()
    assert seen == [0] and after == 1


async def test_a_database_error_in_the_log_does_not_carry_personal_data(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        session.add(User(id=5, first_name="Secret Name", language="ru", reachable=True, created_at=now))
        await session.commit()
        session.add(User(id=5, first_name="Secret Name", language="ru", reachable=True, created_at=now))
        with pytest.raises(IntegrityError) as failure:
            await session.commit()
    assert "Secret Name" not in str(failure.value)
