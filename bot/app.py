"""Factories: settings in, a wired bot and dispatcher out. Nothing is built at import time."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import LinkPreviewOptions
from aiogram.utils.i18n import I18n
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.commands import Menus, set_default_commands
from bot.config import Settings, require_webhook_secret
from bot.delivery.direct import WaitOn429
from bot.delivery.pace import Pacing, pace_for
from bot.delivery.sender import Sender
from bot.filters import run_filters_in_loop
from bot.i18n import create_i18n
from bot.isolation import LocalIsolation
from bot.middlewares import setup_middlewares
from bot.middlewares.db import CommitBeforeTelegram
from bot.middlewares.responses import KeepResponseTypes
from bot.webhook import HEALTH_PATH, UpdateHandler
from handlers import get_routers
from handlers.loading import apply_loads
from handlers.refusing import Refusals
from models.db import SqliteLock, create_engine, create_sessionmaker, lock_sqlite, upgrade_to_head
from scheduler import jobs
from scheduler.engine import Engine
from scheduler.kinds import all_kinds

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
STOP_SECONDS = 20.0
ISOLATION_SECONDS = 10  # a stop waits this long for the updates in hand (the sender has its own bound after it)
DIALOG_TTL = timedelta(days=1)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    bot: Bot
    dp: Dispatcher
    sender: Sender
    scheduler: Engine
    lock: SqliteLock | None
    pace: Pacing


def create_bot(settings: Settings, pace: Pacing | None = None) -> Bot:
    """pace: the outbox's, in which messages sent directly are counted too."""
    api = TelegramAPIServer.from_base(settings.telegram_api_url) if settings.telegram_api_url else PRODUCTION
    session = AiohttpSession(api=api)
    session.middleware(CommitBeforeTelegram())
    session.middleware(KeepResponseTypes())
    session.middleware(WaitOn429(pace))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)),
    )


def create_fsm(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    """Dialog state in Redis when configured (survives restarts, shared by instances), else in memory.

    Isolation handles one update at a time per person and chat: an album arrives as a burst of updates,
    and two of them must not both read the dialog's attachments and each write back only its own.
    """
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        # A dialog left half-way (an appeal's draft, its captions) expires after a day rather than staying forever.
        storage = RedisStorage.from_url(settings.redis_url, state_ttl=DIALOG_TTL, data_ttl=DIALOG_TTL)
        if settings.alone:  # the updates all reach this process: its own locks isolate them, without two trips to Redis
            return storage, LocalIsolation()
        # A lock left by an instance that died lapses after this long, not aiogram's minute: the person's next
        # updates wait for it (on whichever instance they reach), and no handler takes that long.
        return storage, RedisEventIsolation(storage.redis, lock_kwargs={"timeout": ISOLATION_SECONDS})
    return MemoryStorage(), LocalIsolation()


def create_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    clock: Clock,
    sender: Sender,
    scheduler: Engine,
) -> Dispatcher:
    storage, isolation = create_fsm(settings)
    dp = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        clock=clock,
        sessionmaker=sessionmaker,
        i18n=i18n,
        sender=sender,
        scheduler=scheduler,
    )
    setup_middlewares(dp, settings, sessionmaker, i18n, clock)
    # Innermost, inside the callback answer: a refusal's pop-up rides on the one answer to the press.
    dp.message.middleware(Refusals())
    dp.callback_query.middleware(Refusals())
    # Inside the refusals: a loader's NotAllowed or Gone is refused as its handler's would be.
    dp.message.middleware(apply_loads)
    dp.callback_query.middleware(apply_loads)
    dp.include_routers(*get_routers())
    run_filters_in_loop(dp)
    dp.startup.register(_on_startup)
    dp.shutdown.register(_on_shutdown)
    return dp


async def _on_startup(
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    i18n: I18n,
    sender: Sender,
    scheduler: Engine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    me = await bot.me()
    log.info("started as @%s", me.username)
    await set_default_commands(bot, i18n, default=settings.default_language)
    async with sessionmaker() as session:  # the staff's own menus, as their language and country are now
        await Menus(bot, i18n, session, settings).refresh()
    sender.start()
    dispatcher["ticking"] = jobs.start(scheduler, settings.scheduler_tick)


async def _on_shutdown(dispatcher: Dispatcher, sender: Sender, scheduler: Engine) -> None:
    ticking: AsyncIOScheduler | None = dispatcher.workflow_data.pop("ticking", None)
    if ticking is not None:
        await jobs.stop(ticking, scheduler)
    await sender.stop()


async def create_app(settings: Settings, clock: Clock | None = None) -> App:
    """Migrate the database and wire everything; the caller runs polling or the webhook.

    On SQLite the process takes the database file for itself first (SqliteBusy when another one has it): one
    process per file, or two would each tick the scheduler and send everything twice.
    """
    lock = lock_sqlite(settings.database_url)
    try:
        engine = create_engine(settings.database_url)
        await upgrade_to_head(engine)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    sessionmaker = create_sessionmaker(engine)
    i18n = create_i18n(settings.default_language)
    clock = clock or SystemClock()
    pace = pace_for(settings)
    bot = create_bot(settings, pace)
    sender = Sender(bot, sessionmaker, clock, i18n, settings, sole=lock is not None, pace=pace)
    scheduler = Engine(sessionmaker, clock, i18n, settings, all_kinds(settings), wake_sender=sender.wake)
    dp = create_dispatcher(settings, sessionmaker, i18n, clock, sender, scheduler)
    return App(settings, engine, sessionmaker, i18n, bot, dp, sender, scheduler, lock, pace)


async def close_app(app: App) -> None:
    await app.dp.storage.close()
    await app.dp.fsm.events_isolation.close()
    await app.bot.session.close()
    await app.pace.close()
    await app.engine.dispose()
    if app.lock is not None:
        app.lock.release()


async def run_polling(app: App, *, handle_signals: bool = True) -> None:
    # A webhook left from an earlier deployment would make getUpdates fail; pending updates are kept.
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.dp.start_polling(
        app.bot,
        allowed_updates=app.dp.resolve_used_update_types(),
        handle_signals=handle_signals,
        close_bot_session=False,
        tasks_concurrency_limit=app.settings.max_concurrent_updates,
    )


async def run_webhook(app: App, *, stop: asyncio.Event | None = None, handle_signals: bool = True) -> None:
    """Serve updates over HTTPS from Telegram (behind a TLS-terminating proxy) instead of polling.

    Runs until SIGTERM or SIGINT (or `stop` is set), then stops in order: the health endpoint turns unready and new
    updates are turned back (503: Telegram delivers them again, to another instance), the updates in hand finish
    (within STOP_SECONDS), then the sender finishes its requests in flight and gives up its lease, and the scheduler
    its tick.
    """
    from aiogram.webhook.aiohttp_server import setup_application

    settings = app.settings
    require_webhook_secret(settings)
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    web_app = web.Application()
    handler = UpdateHandler(app.dp, app.bot, app.engine, limit=settings.max_concurrent_updates, secret_token=secret)
    handler.register(web_app, path=WEBHOOK_PATH)
    web_app.router.add_get(HEALTH_PATH, handler.health)
    setup_application(web_app, app.dp, bot=app.bot)
    runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
    await runner.setup()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        host, _, port = settings.webhook_listen.rpartition(":")
        await web.TCPSite(runner, host, int(port)).start()
        await app.bot.set_webhook(
            url=f"{settings.webhook_url.rstrip('/')}{WEBHOOK_PATH}" if settings.webhook_url else "",
            secret_token=secret,
            allowed_updates=app.dp.resolve_used_update_types(),
            drop_pending_updates=False,
            max_connections=settings.webhook_max_connections,
        )
        handler.accepting = True
        log.info("webhook listening on %s", settings.webhook_listen)
        await stop.wait()
        log.info("stopping: no new updates; finishing the ones in hand")
    finally:
        handler.accepting = False
        if not await handler.drained(STOP_SECONDS):
            log.warning("updates still in hand after %s s are left to Telegram to deliver again", STOP_SECONDS)
        await runner.cleanup()  # the dispatcher's shutdown: the sender and the scheduler stop
        for number in signals:
            loop.remove_signal_handler(number)
