"""Gapless sequences: the next value is taken inside the caller's transaction, so a rollback returns it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Counter
from models.queries import upsert_insert


async def next_value(session: AsyncSession, name: str) -> int:
    # The upsert locks the counter's row until commit (PostgreSQL; SQLite holds the write lock anyway),
    # so concurrent callers queue: no two get the same value and none is skipped.
    insert = upsert_insert(session)
    value = await session.scalar(
        insert(Counter)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    assert value is not None
    return value
