"""Set-up shared by the benchmarks: an emptied database and bulk inserts (not measured)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.clock import Clock
from bot.services import buildings, inspectors
from bot.services.people import Person
from models import Base, Building

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


async def inspector_with_building(
    session: AsyncSession, clock: Clock, user_id: int, name: str, *, code: str, address: str
) -> Building:
    """An inspector (added by administrator 1) serving one building of their own, in Almaty."""
    draft = inspectors.draft(
        Person(id=user_id, first_name=name),
        full_name=name,
        rank="Captain",
        phone="+7 701 000 00 00",
        reception_point="Abay ave 1",
        reception_hours="Tue 18:00-20:00",
    )
    inspector = await inspectors.add_inspector(session, clock, draft, language="en", actor_id=1)
    building = await buildings.add_building(
        session, clock, code=code, address=address, district=None, timezone="Asia/Almaty", actor_id=1
    )
    await buildings.assign(session, clock, building_id=building.id, inspector_id=inspector.id, actor_id=1)
    return building
