"""`python -m bot import buildings.csv`: a whole district at once, all or nothing, idempotent.

Columns: code, address, district, timezone, inspector (Telegram id), country (KZ or UZ) — in this order, or in any
order a header row names them in. Files without a country column still import: a new building gets the default
country, an existing one keeps its own."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit, law, validation
from bot.services.errors import ImportFailed, InvalidValue
from models import Building, Inspector

COLUMNS = ("code", "address", "district", "timezone", "inspector", "country")
MAX_PROBLEMS = 50
BLANK = -1  # a column the header does not name


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    address: str
    district: str | None
    timezone: str
    inspector_telegram_id: int | None
    country: str | None = None  # None: a new building gets the default, an existing one keeps its own


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


def parse(text: str, *, default_timezone: str) -> list[Row]:
    """Read and check every row; ImportFailed lists each bad one with its line number."""
    text = text.removeprefix("\ufeff")  # Excel's UTF-8 BOM, when the caller did not decode with utf-8-sig
    sample = text[:4096]
    # Excel in Russian and Kazakh locales saves CSV with ";".
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    order = list(range(len(COLUMNS)))
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if line == 1 and record and record[0].strip().lower() == "code":
            order = _header(record)
            continue
        if len(record) < 2 or len(record) > len(COLUMNS):
            problems.append((line, f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)}), found {len(record)}"))
            continue
        cells = record + [""] * len(COLUMNS)
        code, address, district, timezone, inspector, country = (cells[n] if n != BLANK else "" for n in order)
        try:
            row = Row(
                line=line,
                code=validation.building_code(code),
                address=validation.text("address", address),
                district=validation.text("district", district) if district.strip() else None,
                timezone=validation.timezone(timezone) if timezone.strip() else default_timezone,
                inspector_telegram_id=_telegram_id(inspector),
                country=_country(country),
            )
        except InvalidValue as exc:
            problems.append((line, f"bad {exc.field}: {exc.value!r}"))
            continue
        if row.code in seen:
            problems.append((line, f"code {row.code} repeats line {seen[row.code]}"))
            continue
        seen[row.code] = line
        rows.append(row)
    if problems:
        raise ImportFailed(problems[:MAX_PROBLEMS])
    return rows


def _header(record: list[str]) -> list[int]:
    """Where each column is, by the header's names ("inspector telegram id" names the inspector's column); columns
    it does not name keep their place in COLUMNS' order (an old file's header has no country)."""
    named = [cell.strip().lower() for cell in record]
    order = []
    for position, column in enumerate(COLUMNS):
        found = next((n for n, name in enumerate(named) if name.startswith(column)), None)
        # Not named: its usual place when the header stops before it, otherwise blank.
        order.append(found if found is not None else (position if position >= len(named) else BLANK))
    return order


def _country(raw: str) -> str | None:
    value = raw.strip().upper()
    if not value:
        return None
    if value not in law.COUNTRIES:
        raise InvalidValue("country", raw)
    return value


def _telegram_id(raw: str) -> int | None:
    value = raw.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidValue("inspector", raw)
    return int(value)


async def import_buildings(
    session: AsyncSession, clock: Clock, rows: list[Row], *, default_country: str = "KZ"
) -> ImportReport:
    """Create or update the buildings; the caller's transaction makes it all or nothing."""
    wanted = {row.inspector_telegram_id for row in rows if row.inspector_telegram_id is not None}
    inspectors: dict[int, int] = {}
    if wanted:
        found = await session.execute(select(Inspector.user_id, Inspector.id).where(Inspector.user_id.in_(wanted)))
        inspectors = {user_id: inspector_id for user_id, inspector_id in found}
    missing = [
        (row.line, f"no inspector with Telegram id {row.inspector_telegram_id}; add them with /add_inspector first")
        for row in rows
        if row.inspector_telegram_id is not None and row.inspector_telegram_id not in inspectors
    ]
    if missing:
        raise ImportFailed(missing[:MAX_PROBLEMS])

    existing = {
        b.code: b for b in await session.scalars(select(Building).where(Building.code.in_([row.code for row in rows])))
    }
    created = updated = unchanged = 0
    for row in rows:
        building = existing.get(row.code)
        values = {
            "address": row.address,
            "district": row.district,
            "timezone": row.timezone,
            "inspector_id": inspectors.get(row.inspector_telegram_id) if row.inspector_telegram_id else None,
            "country": row.country or (building.country if building is not None else default_country),
        }
        if building is None:
            session.add(Building(code=row.code, created_at=clock.now(), **values))
            created += 1
        elif any(getattr(building, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(building, key, value)
            updated += 1
        else:
            unchanged += 1
    await session.flush()
    await audit.record(
        session,
        clock,
        actor_id=None,
        action="buildings_imported",
        object_type="building",
        details={"created": created, "updated": updated, "unchanged": unchanged},
    )
    return ImportReport(created=created, updated=updated, unchanged=unchanged)
