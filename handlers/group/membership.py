"""Keep chat records true: the bot added to or removed from a group, a group upgraded."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import chats
from models import BuildingChat

PRESENT = {"member", "administrator", "creator", "restricted"}


def create_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(in_group)
    router.message.register(migrated_to, F.migrate_to_chat_id)
    router.message.register(migrated_from, F.migrate_from_chat_id)
    return router


def is_present(event: ChatMemberUpdated) -> bool:
    member = event.new_chat_member
    # A restricted bot is still in the chat only while is_member says so.
    return member.status in PRESENT and getattr(member, "is_member", True)


async def in_group(
    event: ChatMemberUpdated, session: AsyncSession, bot: Bot, building_chat: BuildingChat | None = None
) -> None:
    present = is_present(event)
    await chats.set_active(session, event.chat.id, active=present, title=event.chat.title)
    was_present = event.old_chat_member.status in PRESENT
    if present and not was_present and building_chat is None:
        await bot.send_message(
            event.chat.id,
            _("Hello! The building's inspector connects this chat to the building with /bind followed by its code."),
        )


async def migrated_to(message: Message, session: AsyncSession) -> None:
    assert message.migrate_to_chat_id is not None
    await chats.migrate(session, old_chat_id=message.chat.id, new_chat_id=message.migrate_to_chat_id)


async def migrated_from(message: Message, session: AsyncSession) -> None:
    assert message.migrate_from_chat_id is not None
    await chats.migrate(session, old_chat_id=message.migrate_from_chat_id, new_chat_id=message.chat.id)
