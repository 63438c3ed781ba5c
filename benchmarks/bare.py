"""The framework's ceiling: a bare aiogram bot in webhook mode that answers every update with one message.

Run by benchmarks.throughput as `python -m benchmarks.bare`, configured like the bot (BOT_TOKEN, TELEGRAM_API_URL,
WEBHOOK_URL, WEBHOOK_LISTEN); it answers Telegram's call once the update is handled, as the bot does.
"""

from __future__ import annotations

import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

PATH = "/telegram/webhook"


async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dp = Dispatcher()

    @dp.message()
    async def message(event: Message) -> None:
        await event.answer("ok")

    @dp.callback_query()
    async def press(event: CallbackQuery) -> None:
        await bot.send_message(event.from_user.id, "ok")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ready")

    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False).register(app, path=PATH)
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, _, port = os.environ["WEBHOOK_LISTEN"].rpartition(":")
    await web.TCPSite(runner, host, int(port)).start()
    await bot.set_webhook(os.environ["WEBHOOK_URL"] + PATH, max_connections=40)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
