"""Query mechanics the services share: the dialect's INSERT (for ON CONFLICT), the rows a DML statement changed and
a row created once under its key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


# Each dialect's `insert`, by dialect name: PostgreSQL's and SQLite's both have on_conflict_do_update/…_nothing.
INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_insert(session: AsyncSession) -> Any:
    """`insert` of the session's dialect."""
    return INSERTS[session.get_bind().dialect.name]


async def changed_rows(session: AsyncSession, statement: Executable, parameters: dict[str, Any] | None = None) -> int:
    """Run an UPDATE, DELETE or INSERT … ON CONFLICT and say how many rows it changed."""
    return cast(CursorResult[Any], await session.execute(statement, parameters)).rowcount


async def add_once(session: AsyncSession, row: Row, find: Callable[[], Awaitable[Row | None]]) -> tuple[Row, bool]:
    """Save a row whose unique key makes it once-only (a dialog's draft key): `(row, True)`, or `(theirs, False)`
    when another transaction saved one under the same key at the same moment (two presses at once on PostgreSQL;
    SQLite queues writers). `find` loads the row saved under the key."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        existing = await find()
        if existing is None:
            raise
        return existing, False
    return row, True
