"""The table of message pairs that routes replies: which appeal, notice or question a message stands for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import MessageLink


async def link(
    session: AsyncSession,
    clock: Clock,
    *,
    chat_id: int,
    message_id: int,
    appeal_id: int | None = None,
    peer_chat_id: int | None = None,
    peer_message_id: int | None = None,
    delivery_id: int | None = None,
    question_id: int | None = None,
) -> None:
    session.add(
        MessageLink(
            chat_id=chat_id,
            message_id=message_id,
            appeal_id=appeal_id,
            peer_chat_id=peer_chat_id,
            peer_message_id=peer_message_id,
            delivery_id=delivery_id,
            question_id=question_id,
            at=clock.now(),
        )
    )
    await session.flush()


async def find(session: AsyncSession, chat_id: int, message_id: int) -> MessageLink | None:
    return await session.scalar(
        select(MessageLink).where(MessageLink.chat_id == chat_id, MessageLink.message_id == message_id)
    )
