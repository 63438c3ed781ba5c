"""`python -m bot import buildings.csv`: a whole district at once, all or nothing, idempotent."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.services import importer
from bot.services.errors import ImportFailed
from bot.services.inspectors import add_inspector, draft
from bot.services.people import Person
from models import AuditEvent, Building, Inspector
from models.db import create_engine, create_sessionmaker, upgrade_to_head
from tests.support.harness import FrozenClock

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-the-fake-telegram-xyz"
ADMIN_ID = 1
INSPECTOR_A = 7001
INSPECTOR_B = 7002
PROCESS_TIMEOUT = 90.0

# What an Excel in a Russian locale saves: BOM, ";" between cells, a header, Cyrillic addresses.
DISTRICT = (
    "\ufeffcode;address;district;timezone;inspector telegram id\r\n"
    "A-12;пр. Абая, 10;Алмалинский;Asia/Almaty;7001\r\n"
    "A-14;ул. Толе би, 45;Алмалинский;;7002\r\n"
    "B-1;Әуезов көшесі, 3;Әуезовский;Asia/Almaty;\r\n"
)


async def add_inspectors(sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    async with sessionmaker.begin() as session:
        for telegram_id, name in ((INSPECTOR_A, "Серик Ахметов"), (INSPECTOR_B, "Dilnoza Karimova")):
            new = draft(
                Person(id=telegram_id, first_name=name.split()[0]),
                full_name=name,
                rank="капитан полиции",
                phone="+7 701 123 45 67",
                reception_point="ОП №3, каб. 12",
                reception_hours="Пн–Пт 9:00–18:00",
            )
            await add_inspector(session, clock, new, language="ru", actor_id=ADMIN_ID)


async def run_import(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock, text: str
) -> importer.ImportReport:
    rows = importer.parse(text, default_timezone="Asia/Almaty")
    async with sessionmaker.begin() as session:
        return await importer.import_buildings(session, clock, rows)


async def buildings(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[str, tuple[str, str | None, str, int | None]]:
    """code → (address, district, timezone, the inspector's Telegram id)."""
    async with sessionmaker() as session:
        found = await session.scalars(select(Building).options(selectinload(Building.inspector)))
        return {
            b.code: (b.address, b.district, b.timezone, b.inspector.user_id if b.inspector else None) for b in found
        }


async def count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Building)) or 0


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ImportFailed) as failed:
        importer.parse(text, default_timezone="Asia/Almaty")
    return failed.value.problems


# --- reading the file ------------------------------------------------------------------


def test_an_excel_file_with_bom_semicolons_header_and_cyrillic_is_read() -> None:
    rows = importer.parse(DISTRICT, default_timezone="Asia/Tashkent")
    assert [(r.line, r.code, r.address, r.district, r.timezone, r.inspector_telegram_id) for r in rows] == [
        (2, "A-12", "пр. Абая, 10", "Алмалинский", "Asia/Almaty", INSPECTOR_A),
        (3, "A-14", "ул. Толе би, 45", "Алмалинский", "Asia/Tashkent", INSPECTOR_B),
        (4, "B-1", "Әуезов көшесі, 3", "Әуезовский", "Asia/Almaty", None),
    ]


def test_a_comma_separated_file_without_header_and_with_quoted_addresses_is_read() -> None:
    text = 'a-12,"пр. Абая, 10",Алмалинский,Asia/Almaty,7001\nb-1,"ул. Сатпаева, 2",,,\n'
    rows = importer.parse(text, default_timezone="Asia/Almaty")
    assert [(r.line, r.code, r.address, r.district, r.inspector_telegram_id) for r in rows] == [
        (1, "A-12", "пр. Абая, 10", "Алмалинский", INSPECTOR_A),
        (2, "B-1", "ул. Сатпаева, 2", None, None),
    ]


def test_blank_lines_are_skipped_but_line_numbers_stay_those_of_the_file() -> None:
    text = "code;address;district;timezone;inspector\n\nA-1;Абая 1;;;\n;;;;\nA-2;Абая 2;;Mars/Base;\n"
    assert problems_of(text) == [(5, "bad timezone: 'Mars/Base'")]


def test_an_unknown_timezone_at_line_3_is_reported_with_its_line_number() -> None:
    text = "code;address;district;timezone;inspector\nA-1;Абая 1;;Asia/Almaty;\nA-2;Абая 2;;Asia/Almatу;\n"
    assert problems_of(text) == [(3, "bad timezone: 'Asia/Almatу'")]


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    text = (
        "code;address;district;timezone;inspector\n"
        "A 1;Абая 1;;;\n"  # a space: not allowed in a deep link
        "A-2;;;;\n"
        "A-3;Абая 3;;;инспектор\n"
        "A-4;Абая 4;;;;;extra\n"
        "A-5;Абая 5;;;\n"
        "a-5;Абая 5а;;;\n"
    )
    assert problems_of(text) == [
        (2, "bad code: 'A 1'"),
        (3, "bad address: ''"),
        (4, "bad inspector: 'инспектор'"),
        (5, "expected 6 columns (code, address, district, timezone, inspector, country), found 7"),
        (7, "code A-5 repeats line 6"),
    ]


def test_a_bom_left_in_the_text_does_not_hide_the_header() -> None:
    rows = importer.parse("\ufeffcode,address\nA-1,Абая 1\n", default_timezone="Asia/Almaty")
    assert [(r.line, r.code) for r in rows] == [(2, "A-1")]


def test_a_country_column_is_read_wherever_the_header_puts_it_and_a_bad_one_is_reported() -> None:
    text = "code;country;address\nU-1;uz;Navoi st 5\nK-1;KZ;Абая 1\nX-1;;Абая 2\nR-1;RU;Ленина 1\n"
    assert problems_of(text) == [(5, "bad country: 'RU'")]
    rows = importer.parse(text.rsplit("R-1", 1)[0], default_timezone="Asia/Almaty")
    assert [(r.code, r.address, r.country) for r in rows] == [
        ("U-1", "Navoi st 5", "UZ"),
        ("K-1", "Абая 1", "KZ"),
        ("X-1", "Абая 2", None),
    ]
    # Without a header, the country is the sixth column.
    assert importer.parse("U-2,Navoi st 7,,Asia/Tashkent,,UZ\n", default_timezone="Asia/Almaty")[0].country == "UZ"


# --- writing to the database (SQLite and PostgreSQL) -----------------------------------


async def test_a_new_building_gets_its_country_or_the_default_and_an_old_file_keeps_it(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    with_country = (
        "code,address,district,timezone,inspector,country\nU-1,Navoi st 5,,Asia/Tashkent,,UZ\nK-1,Абая 1,,,,\n"
    )
    rows = importer.parse(with_country, default_timezone="Asia/Almaty")
    async with sessionmaker.begin() as session:
        await importer.import_buildings(session, clock, rows, default_country="KZ")
    old_file = "code,address,district,timezone\nU-1,Navoi st 5,,Asia/Tashkent\nK-1,Абая 1,,\n"
    assert await run_import(sessionmaker, clock, old_file) == importer.ImportReport(0, 0, 2)
    async with sessionmaker() as session:
        countries = dict((await session.execute(select(Building.code, Building.country))).all())
    assert countries == {"U-1": "UZ", "K-1": "KZ"}


async def test_a_district_is_imported_with_inspectors_assigned_and_an_empty_column_left_unassigned(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await add_inspectors(sessionmaker, clock)
    report = await run_import(sessionmaker, clock, DISTRICT)
    assert report == importer.ImportReport(created=3, updated=0, unchanged=0)
    assert await buildings(sessionmaker) == {
        "A-12": ("пр. Абая, 10", "Алмалинский", "Asia/Almaty", INSPECTOR_A),
        "A-14": ("ул. Толе би, 45", "Алмалинский", "Asia/Almaty", INSPECTOR_B),
        "B-1": ("Әуезов көшесі, 3", "Әуезовский", "Asia/Almaty", None),
    }
    async with sessionmaker() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "buildings_imported"))
    assert event is not None and event.details == {"created": 3, "updated": 0, "unchanged": 0}


async def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await add_inspectors(sessionmaker, clock)
    await run_import(sessionmaker, clock, DISTRICT)
    before = await buildings(sessionmaker)
    clock.advance(days=1)
    assert await run_import(sessionmaker, clock, DISTRICT) == importer.ImportReport(0, 0, 3)
    assert await buildings(sessionmaker) == before


async def test_a_changed_address_or_inspector_updates_that_building_only(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await add_inspectors(sessionmaker, clock)
    await run_import(sessionmaker, clock, DISTRICT)
    moved = DISTRICT.replace("пр. Абая, 10", "пр. Абая, 10/1")
    assert await run_import(sessionmaker, clock, moved) == importer.ImportReport(0, 1, 2)
    reassigned = moved.replace("Asia/Almaty;\r\n", f"Asia/Almaty;{INSPECTOR_B}\r\n")
    assert await run_import(sessionmaker, clock, reassigned) == importer.ImportReport(0, 1, 2)
    result = await buildings(sessionmaker)
    assert result["A-12"][0] == "пр. Абая, 10/1"
    assert result["B-1"][3] == INSPECTOR_B
    assert result["A-14"] == ("ул. Толе би, 45", "Алмалинский", "Asia/Almaty", INSPECTOR_B)


async def test_an_unknown_inspector_is_reported_with_its_line_and_nothing_is_imported(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await add_inspectors(sessionmaker, clock)
    text = DISTRICT + "C-1;Абая 99;;;999999\n"
    with pytest.raises(ImportFailed) as failed:
        await run_import(sessionmaker, clock, text)
    assert failed.value.problems == [(5, "no inspector with Telegram id 999999; add them with /add_inspector first")]
    assert await count(sessionmaker) == 0


async def test_a_failed_import_leaves_the_earlier_import_untouched(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await add_inspectors(sessionmaker, clock)
    await run_import(sessionmaker, clock, DISTRICT)
    before = await buildings(sessionmaker)
    changed = DISTRICT.replace("пр. Абая, 10", "пр. Абая, 12") + "C-1;Абая 99;;;424242\n"
    with pytest.raises(ImportFailed):
        await run_import(sessionmaker, clock, changed)
    assert await buildings(sessionmaker) == before


# --- the command line (SQLite) ---------------------------------------------------------


async def run_cli(tmp_path: Path, database_url: str, csv_path: Path) -> tuple[int, str, str]:
    env = {name: value for name, value in os.environ.items() if name not in ("ADMIN_IDS", "REDIS_URL", "WEBHOOK_URL")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        BOT_TOKEN=TOKEN,
        DATABASE_URL=database_url,
        TIMEZONE="Asia/Almaty",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "import",
        str(csv_path),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.communicate()
        pytest.fail("python -m bot import did not finish")
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_import_command_imports_a_district_all_or_nothing_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/district.sqlite3"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        sessionmaker = create_sessionmaker(engine)
        await add_inspectors(sessionmaker, FrozenClock())
        csv_path = tmp_path / "buildings.csv"

        # A typo in the timezone at line 3: the file is refused whole and says where.
        csv_path.write_bytes(DISTRICT.replace(";;7002", ";Asia/Almatу;7002").encode("utf-8"))
        code, out, err = await run_cli(tmp_path, url, csv_path)
        assert code == 1, err
        assert err.splitlines()[-2:] == [f"{csv_path}:3: bad timezone: 'Asia/Almatу'", "nothing was imported"]
        assert "Traceback" not in err
        assert await count(sessionmaker) == 0

        csv_path.write_bytes(DISTRICT.encode("utf-8"))
        code, out, err = await run_cli(tmp_path, url, csv_path)
        assert (code, out.strip()) == (0, f"imported {csv_path}: 3 created, 0 updated, 0 unchanged"), err
        assert (await buildings(sessionmaker))["B-1"] == ("Әуезов көшесі, 3", "Әуезовский", "Asia/Almaty", None)

        code, out, err = await run_cli(tmp_path, url, csv_path)
        assert (code, out.strip()) == (0, f"imported {csv_path}: 0 created, 0 updated, 3 unchanged"), err

        csv_path.write_bytes(DISTRICT.replace("ул. Толе би, 45", "ул. Толе би, 47").encode("utf-8"))
        code, out, err = await run_cli(tmp_path, url, csv_path)
        assert (code, out.strip()) == (0, f"imported {csv_path}: 0 created, 1 updated, 2 unchanged"), err
        assert (await buildings(sessionmaker))["A-14"][0] == "ул. Толе би, 47"
        async with sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Inspector)) == 2
    finally:
        await engine.dispose()


async def test_the_import_command_names_an_unknown_inspector_and_a_missing_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/district.sqlite3"
    csv_path = tmp_path / "buildings.csv"
    csv_path.write_text("code,address,district,timezone,inspector\nA-1,Абая 1,,,555\n", encoding="utf-8")
    code, _, err = await run_cli(tmp_path, url, csv_path)
    assert code == 1
    assert err.splitlines()[-2:] == [
        f"{csv_path}:2: no inspector with Telegram id 555; add them with /add_inspector first",
        "nothing was imported",
    ]
    engine = create_engine(url)
    try:
        assert await count(create_sessionmaker(engine)) == 0
    finally:
        await engine.dispose()

    code, _, err = await run_cli(tmp_path, url, tmp_path / "missing.csv")
    assert code == 1
    assert err.strip().startswith(f"cannot read {tmp_path / 'missing.csv'}")
