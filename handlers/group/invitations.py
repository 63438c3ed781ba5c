"""/appeal and /propose in a building chat: a button to the private chat, where they are written."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.ui import keyboards, texts
from bot.ui.cards import APPEAL_PAYLOAD
from bot.ui.proposals.cards import PROPOSE_PAYLOAD


def create_router() -> Router:
    router = Router(name="invitations")
    router.message.register(appeal, Command("appeal"))
    router.message.register(propose, Command("propose"))
    return router


async def appeal(message: Message, bot: Bot) -> None:
    # Appeals are never taken in a group: other residents would read them.
    me = await bot.me()
    await message.reply(
        _("Appeals to the inspector are private. Press the button to write to them in a private chat.")
        + "\n\n"
        + texts.emergency(),
        reply_markup=keyboards.url_button(
            _("Write to the inspector"), f"https://t.me/{me.username}?start={APPEAL_PAYLOAD}"
        ),
    )


async def propose(message: Message, bot: Bot) -> None:
    me = await bot.me()
    await message.reply(
        _("Proposals to the inspector are sent privately. Press the button to write yours."),
        reply_markup=keyboards.url_button(_("Write a proposal"), f"https://t.me/{me.username}?start={PROPOSE_PAYLOAD}"),
    )
