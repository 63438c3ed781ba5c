"""/bind <code> and /unbind in a building's group: only its inspector or an administrator."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import ForceReply, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import buildings, chats
from bot.services.errors import ChatBoundElsewhere, UnknownBuilding
from bot.services.people import Actor
from bot.ui import keyboards, texts
from bot.ui.cards import building_title, registration_link
from handlers.dialogs import TEXT_ANSWER
from handlers.refusing import Refusal, Shown, flag
from models import BuildingChat

BIND_REFUSED = Refusal(
    lambda: _("Only the building's inspector or an administrator can connect this chat."), shown=Shown.REPLY
)
UNBIND_REFUSED = Refusal(
    lambda: _("Only the building's inspector or an administrator can disconnect this chat."), shown=Shown.REPLY
)


class BindDialog(StatesGroup):
    code = State()


def create_router() -> Router:
    router = Router(name="binding")
    router.message.register(bind, Command("bind"), flags=flag(BIND_REFUSED))
    # With privacy mode on, the bot sees the code only as a reply to its own question.
    router.message.register(
        code_sent, BindDialog.code, TEXT_ANSWER, F.reply_to_message.from_user.is_bot, flags=flag(BIND_REFUSED)
    )
    router.message.register(unbind, Command("unbind"), flags=flag(UNBIND_REFUSED))
    return router


async def bind(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    bot: Bot,
) -> None:
    if not actor.is_staff:
        await message.reply(_("Only the building's inspector or an administrator can connect this chat."))
        return
    if not command.args:
        await state.set_state(BindDialog.code)
        await message.reply(
            _("Reply to this message with the building's code."), reply_markup=ForceReply(selective=True)
        )
        return
    await _bind(message, state, session, clock, actor, bot, command.args)


async def code_sent(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, bot: Bot
) -> None:
    await _bind(message, state, session, clock, actor, bot, message.text or "")


async def _bind(
    message: Message, state: FSMContext, session: AsyncSession, clock: Clock, actor: Actor, bot: Bot, code: str
) -> None:
    await state.clear()
    try:
        building = await buildings.by_code(session, code.strip())
        chat, _created = await chats.bind(
            session,
            clock,
            actor,
            building=building,
            chat_id=message.chat.id,
            title=message.chat.title or "",
            language=get_i18n().current_locale,
        )
    except UnknownBuilding:
        await message.reply(_("There is no building with that code."))
        return
    except ChatBoundElsewhere as exc:
        await message.reply(
            _("This chat is already connected to building {code}. Send /unbind first.").format(code=exc.code)
        )
        return
    me = await bot.me()
    await message.answer(
        _(
            "This chat is now connected to {building}.\n\n"
            "Residents: press the button below to register and write to your district inspector privately. "
            "Your messages to the inspector are not shown in this chat."
        ).format(building=building_title(chat.building))
        + "\n\n"
        + texts.emergency(),
        reply_markup=keyboards.url_button(_("Register"), registration_link(me.username or "", chat.building)),
    )


async def unbind(
    message: Message, session: AsyncSession, clock: Clock, actor: Actor, building_chat: BuildingChat | None = None
) -> None:
    if building_chat is None:
        await message.reply(_("This chat is not connected to a building."))
        return
    building = building_chat.building
    await chats.unbind(session, clock, actor, chat=building_chat)
    await message.answer(_("This chat is no longer connected to {building}.").format(building=building_title(building)))
