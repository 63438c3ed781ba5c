"""Notices: an inspector's (or an administrator's) message to the chats of chosen buildings, sent by the outbox.

The text arrives rendered as Telegram HTML by the handler (the author's own formatting kept, everything else
escaped); each chat's copy is rendered by the `Render` the caller passes, in the chat's language, since this
module knows nothing of Telegram or translations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit, buildings, outbox, parts
from bot.services.errors import DomainError, InvalidValue, NotAllowed
from bot.services.people import Actor
from bot.services.render import Render, in_chat
from models import Broadcast, Building, BuildingChat, Delivery, Notice
from models.queries import add_once

KIND = "notice"  # the outbox batch's kind; its subject is the notice's id
TITLE_LIMIT = 60  # characters of the text that name it in the author's report


class NoChats(DomainError):
    """None of the chosen buildings has a chat the bot is in: there is nowhere to send the notice."""


@dataclass(frozen=True)
class Draft:
    key: str  # the dialog's id: a second press on Send finds the notice the first one made
    text: str  # Telegram HTML; empty for media without a caption
    title: str  # plain text naming the notice in the author's report
    media_kind: str | None = None  # photo, document or video
    file_id: str | None = None


@dataclass(frozen=True)
class Reach:
    """Where a notice to the chosen buildings goes: the buildings, their active chats, those without one."""

    buildings: list[Building]
    chats: list[BuildingChat]
    silent: list[Building]

    @property
    def reached(self) -> list[Building]:
        """The chosen buildings that have at least one chat to send to."""
        silent = {building.id for building in self.silent}
        return [building for building in self.buildings if building.id not in silent]


@dataclass(frozen=True)
class Sent:
    notice: Notice
    chats: int  # how many chats it is (or was) queued for
    created: bool  # False: this draft was sent before (a second press on Send)


async def reach(session: AsyncSession, actor: Actor, building_ids: list[int]) -> Reach:
    """The buildings by id and their active chats; NotAllowed if any id is not one the actor may address."""
    if not building_ids:
        raise InvalidValue("buildings")
    found = await buildings.managed(session, actor, building_ids)
    chats: list[BuildingChat] = []
    silent: list[Building] = []
    for building in found:
        active = sorted((chat for chat in building.chats if chat.active), key=lambda chat: chat.chat_id)
        chats += active
        if not active:
            silent.append(building)
    return Reach(found, chats, silent)


async def send(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    draft: Draft,
    building_ids: list[int],
    render: Render[Notice],
) -> Sent:
    """Save the notice and queue one message per active chat of the buildings; once per draft.

    Every building id is checked again here: the ids come from button presses, which a client can forge.
    `render(notice, reader)` is the notice as that chat reads it (with its file, in the chat's language).
    """
    existing = await _by_key(session, draft.key)
    if existing is not None:
        return await _again(session, actor, existing)
    if draft.media_kind is None and not draft.text.strip():
        raise InvalidValue("text")
    if draft.media_kind is not None and (draft.media_kind not in parts.MEDIA_KINDS or not draft.file_id):
        raise InvalidValue("media")
    targets = await reach(session, actor, building_ids)
    if not targets.chats:
        raise NoChats()
    notice = Notice(
        draft_key=draft.key,
        author_id=actor.telegram_id,
        text=draft.text,
        media_kind=draft.media_kind,
        file_id=draft.file_id if draft.media_kind is not None else None,
        created_at=clock.now(),
        buildings=targets.buildings,
    )
    notice, created = await add_once(session, notice, lambda: _by_key(session, draft.key))
    if not created:
        return await _again(session, actor, notice)
    batch = await outbox.start_broadcast(
        session, clock, author_id=actor.telegram_id, kind=KIND, subject_id=notice.id, title=draft.title
    )
    zones = {building.id: building.timezone for building in targets.buildings}
    for chat in targets.chats:
        message = render(notice, in_chat(chat, zones[chat.building_id]))
        await outbox.enqueue(session, clock, chat_id=chat.chat_id, parts=message, broadcast=batch)
    await audit.record(
        session,
        clock,
        actor_id=actor.telegram_id,
        action="notice_sent",
        object_type="notice",
        object_id=notice.id,
        details={"buildings": [building.code for building in targets.buildings], "chats": len(targets.chats)},
    )
    return Sent(notice, chats=len(targets.chats), created=True)


def title_of(text: str, *, limit: int = TITLE_LIMIT) -> str:
    """The first words of a plain text, to name a notice in reports ("" for none): cut at a word, marked with "…"."""
    title = " ".join(text.split())
    if len(title) <= limit:
        return title
    cut = title[: limit + 1].rsplit(" ", 1)[0] if " " in title[:limit] else title[:limit]
    return cut.rstrip(" ,.;:—-") + "…"


async def _by_key(session: AsyncSession, key: str) -> Notice | None:
    return await session.scalar(select(Notice).where(Notice.draft_key == key))


async def _again(session: AsyncSession, actor: Actor, notice: Notice) -> Sent:
    if notice.author_id != actor.telegram_id:
        raise NotAllowed()
    queued = await session.scalar(
        select(func.count(Delivery.id))
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(Broadcast.kind == KIND, Broadcast.subject_id == notice.id)
    )
    return Sent(notice, chats=queued or 0, created=False)
