"""Set-up shared by the benchmarks: an emptied database and bulk inserts (not measured)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models import Base

INSERT_CHUNK = 5000  # rows per executemany: bounded memory on the driver's side


async def empty(engine: AsyncEngine) -> None:
    """Every table emptied (the benchmark's database is its own; its schema stays)."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                await connection.execute(text(f"DELETE FROM {table}"))


async def insert_rows(connection: AsyncConnection, table: Table | Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        await connection.execute(insert(table), rows[start : start + INSERT_CHUNK])
