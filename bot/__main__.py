"""`python -m bot` runs the bot; `python -m bot migrate` and `python -m bot import FILE` do one job and exit;
`python -m bot sandbox` shows the bot in a local web page, without a token."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from pathlib import Path

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import close_app, create_app, run_polling, run_webhook
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logging import setup_logging
from bot.services import importer
from bot.services.errors import ImportFailed
from models.db import SqliteBusy, create_engine, create_sessionmaker, upgrade_to_head

log = logging.getLogger("bot")


class DatabaseUnreachable(Exception):
    """The database cannot be opened or connected to; the message says why in one line."""


async def _connect(url: str) -> AsyncEngine:
    """An engine whose database answered, or DatabaseUnreachable."""
    try:
        engine = create_engine(url)
    except OSError as exc:  # SQLite: the file's directory cannot be created
        raise DatabaseUnreachable(_reason(exc)) from exc
    try:
        async with engine.connect():
            pass
    except (OSError, DBAPIError) as exc:
        await engine.dispose()
        raise DatabaseUnreachable(_reason(exc)) from exc
    return engine


def _reason(exc: BaseException) -> str:
    # SQLAlchemy's own text spans lines (statement, background link); the driver's error is the point.
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{cause.__class__.__name__}: {first_line}" if first_line else cause.__class__.__name__


async def _run(settings: Settings) -> None:
    # Connect once up front so that an unreachable database gets its one-line message.
    await (await _connect(settings.database_url)).dispose()
    app = await create_app(settings)
    # What start-up made (modules, the app) lives as long as the process: out of the collector's way, which would
    # otherwise walk it now and then and hold the sender up for half a second (the broadcast benchmark showed it).
    gc.freeze()
    try:
        await (run_webhook(app) if settings.webhook_url else run_polling(app))
    finally:
        await close_app(app)


async def _migrate(settings: Settings) -> None:
    engine = await _connect(settings.database_url)
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
    try:
        rows = importer.parse(text, default_timezone=settings.timezone)
        engine = await _connect(settings.database_url)
        try:
            await upgrade_to_head(engine)
            async with create_sessionmaker(engine).begin() as session:
                report = await importer.import_buildings(session, SystemClock(), rows)
        finally:
            await engine.dispose()
    except ImportFailed as exc:
        for line, problem in exc.problems:
            print(f"{path}:{line}: {problem}", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    print(f"imported {path}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    return 0


def _redacted(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="inspector-bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    import_parser = commands.add_parser("import", help="import buildings from a CSV file")
    import_parser.add_argument("file", type=Path, help="columns: code, address, district, timezone, inspector id")
    sandbox_parser = commands.add_parser("sandbox", help="the bot and every role's chat in a local web page, no token")
    sandbox_parser.add_argument("--port", type=int, default=8080, help="the page's port on 127.0.0.1 (0: any free)")
    sandbox_parser.add_argument("--fresh", action="store_true", help="start over with a newly seeded beat")
    sandbox_parser.add_argument("--data", type=Path, default=Path("data"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return _sandbox(args.port, args.fresh, args.data)

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        if str(exc).startswith("BOT_TOKEN is not set"):
            print("to see the bot without a token: python -m bot sandbox", file=sys.stderr)
        return 2
    secrets = [settings.bot_token.get_secret_value()]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    setup_logging(settings.log_level, secrets)
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
            return 0
        if args.command == "import":
            return asyncio.run(_import(settings, args.file))
        asyncio.run(_run(settings))
    except DatabaseUnreachable as exc:
        print(f"cannot reach the database {database}: {exc}", file=sys.stderr)
        return 1
    except SqliteBusy as exc:
        print(
            f"another bot process is running on {exc}: SQLite serves one process (two would each send every "
            "reminder); stop the other one, or use PostgreSQL to run several",
            file=sys.stderr,
        )
        return 1
    except TelegramUnauthorizedError:
        print("configuration error: BOT_TOKEN was rejected by Telegram (revoked or mistyped)", file=sys.stderr)
        return 2
    except TelegramNetworkError as exc:
        api = settings.telegram_api_url or "https://api.telegram.org"
        print(f"cannot reach Telegram at {api}: {_redacted(exc.message, secrets)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    except Exception:
        # Python's own traceback printer would bypass the redacting log formatter.
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        return 1
    return 0


def _sandbox(port: int, fresh: bool, data: Path) -> int:
    from bot.sandbox.run import main as sandbox

    setup_logging("WARNING", [])
    try:
        asyncio.run(sandbox(port, fresh, data))
    except KeyboardInterrupt:
        pass
    except SqliteBusy:
        print(f"another sandbox is running on {data / 'sandbox.sqlite3'}; stop it first", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"the sandbox cannot start: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
