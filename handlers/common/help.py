"""/help: what this person can do, by role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.services.people import Actor
from bot.ui import texts


def create_router() -> Router:
    router = Router(name="help")
    router.message.register(show_help, Command("help"))
    return router


async def show_help(message: Message, actor: Actor) -> None:
    await message.answer(texts.help_text(actor))
