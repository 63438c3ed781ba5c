"""Query mechanics the services share: the dialect's INSERT (for ON CONFLICT) and the rows a DML statement changed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def upsert_insert(session: AsyncSession) -> Any:
    """`insert` of the session's dialect: PostgreSQL's and SQLite's both have on_conflict_do_update/…_nothing."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE, DELETE or INSERT … ON CONFLICT and say how many rows it changed."""
    return cast(CursorResult[Any], await session.execute(statement)).rowcount
