"""`python -m bot` runs the bot; `python -m bot migrate` and `python -m bot import FILE` do one job and exit."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.app import close_app, create_app, run_polling, run_webhook
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logging import setup_logging
from bot.services import importer
from bot.services.errors import ImportFailed
from models.db import create_engine, create_sessionmaker, upgrade_to_head

log = logging.getLogger("bot")


async def _run(settings: Settings) -> None:
    app = await create_app(settings)
    try:
        await (run_webhook(app) if settings.webhook_url else run_polling(app))
    finally:
        await close_app(app)


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    print("database is up to date")


async def _import(settings: Settings, path: Path) -> int:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 1
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
        rows = importer.parse(text, default_timezone=settings.timezone)
        async with create_sessionmaker(engine).begin() as session:
            report = await importer.import_buildings(session, SystemClock(), rows)
    except ImportFailed as exc:
        for line, problem in exc.problems:
            print(f"{path}:{line}: {problem}", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"imported {path}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="inspector-bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    import_parser = commands.add_parser("import", help="import buildings from a CSV file")
    import_parser.add_argument("file", type=Path, help="columns: code, address, district, timezone, inspector id")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.bot_token.get_secret_value()])
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
            return 0
        if args.command == "import":
            return asyncio.run(_import(settings, args.file))
        asyncio.run(_run(settings))
    except (OSError, DBAPIError) as exc:
        print(f"cannot reach the database {database}: {exc.__class__.__name__}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
