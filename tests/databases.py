"""The databases the suite runs on: a fresh SQLite file per test, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

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
    try:
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
