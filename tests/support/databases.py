"""The databases the suite runs on: a fresh SQLite file per test, and PostgreSQL when TEST_DATABASE_URL is set.

Run in parallel (`pytest -n N`), each worker has a PostgreSQL database and a Redis database of its own beside the
configured ones, so that one worker's truncation never meets another's test."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models import Base
from models.db import create_engine, upgrade_to_head

POSTGRES_ENV = "TEST_DATABASE_URL"
REDIS_ENV = "TEST_REDIS_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def server_or_skip(env: str, what: str) -> str:
    """The server's URL from the environment; skip (fail in CI) when it is not configured or not reachable."""
    url = os.environ.get(env)
    if not url:
        if in_ci():
            pytest.fail(f"{env} is not set in CI: the {what} tests must run there")
        pytest.skip(f"{env} is not set: {what} tests skipped (set it to run them)")
    return url


def worker() -> int | None:
    """This process's number when the suite runs in parallel (pytest-xdist's gw0, gw1, …), else None."""
    name = os.environ.get("PYTEST_XDIST_WORKER")
    return int(name.removeprefix("gw")) if name else None


def redis_for_worker(url: str) -> str:
    """The configured Redis database for the first worker, the ones below it for the next (15, 14, …)."""
    number = worker()
    if not number:
        return url
    parts = urlsplit(url)
    configured = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(configured - number) % 16}"))


async def admin_execute(url: str, statement: str) -> None:
    """A statement outside a transaction (CREATE DATABASE and the like)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def _create_database(url: str, name: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
    finally:
        await engine.dispose()
    if not found:
        await admin_execute(url, f'CREATE DATABASE "{name}"')


def postgres_for_worker(url: str) -> str:
    """TEST_DATABASE_URL itself, or with parallel workers a database of this worker's own beside it."""
    number = worker()
    if number is None:
        return url
    configured = make_url(url)
    own = f"{configured.database}_gw{number}"
    run_once(_create_database(url, own))
    return configured.set(database=own).render_as_string(hide_password=False)


def run_once(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run set-up work from a session fixture, which may be asked for while a test's loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    await _migrate(url)


def sqlite_template(directory: Path) -> Path:
    """Migrate once per run; each test copies the file (faster than migrating per test)."""
    path = directory / "template.sqlite3"
    run_once(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    path = directory / "bot.sqlite3"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


def postgres_migrated(url: str) -> str:
    """TEST_DATABASE_URL's database (or this worker's beside it), emptied and migrated."""
    try:
        url = postgres_for_worker(url)
        run_once(_reset_postgres(url))
    except OSError as exc:
        if in_ci():
            raise
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} is not reachable ({exc.__class__.__name__}): tests skipped")
    return url


async def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
