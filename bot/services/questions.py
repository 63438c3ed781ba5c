"""Questions asked in building chats: a resident's reply to the bot's notice or announcement.

The reply reaches the author of what it answers, privately; the author's answer goes back to the chat as a reply
to the resident; staff can turn a question into an appeal. Both directions go through the outbox, and the message
pairs (`MessageLink`) route the replies: `delivery_id` on what the bot posted in the chat, `question_id` on what
it passed to the author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import reading_locale
from bot.services import appeals, outbox, parts, people, routing, staff
from bot.services.appeals import Policy
from bot.services.errors import InvalidValue, NotAllowed, QuestionGone, RateLimited
from bot.services.people import QUESTION_ANSWER_KIND, QUESTION_RELAY_KIND, Actor, Person
from bot.services.render import Reader, Render
from models import Appeal, Broadcast, Building, BuildingChat, Delivery, GroupQuestion, Inspector, Priority, User
from models.queries import add_once

# A question may become an appeal, whose card must fit in one message: the appeals' limit holds here too.
TEXT_LIMIT = appeals.TEXT_LIMIT
NAME_LIMIT = 256
# The one-row batch that carries a question to its addressee (nobody waits for its report; /forget_me cancels it).
RELAY_KIND = QUESTION_RELAY_KIND
# The one-row batch that carries an answer back to the chat: its author is told how it went.
ANSWER_KIND = QUESTION_ANSWER_KIND
RATE_WINDOW = timedelta(hours=1)


class ChatUnbound(NotAllowed):
    """The chat is no longer bound to the question's building: nothing is posted there any more."""


@dataclass(frozen=True)
class Asked:
    question: GroupQuestion
    created: bool  # False: the same message was handled before (Telegram delivered the update again)


@dataclass(frozen=True)
class Made:
    appeal: Appeal
    created: bool  # False: the question had become this appeal already (a second press)


async def subject(session: AsyncSession, chat_id: int, message_id: int) -> Broadcast | None:
    """What a message in a chat stands for, if replies to it are questions: the batch it came in, with an author."""
    link = await routing.find(session, chat_id, message_id)
    if link is None or link.delivery_id is None:
        return None
    batch = await session.scalar(
        select(Broadcast).join(Delivery, Delivery.broadcast_id == Broadcast.id).where(Delivery.id == link.delivery_id)
    )
    if batch is None or batch.author_id is None:
        return None
    return batch


async def ask(
    session: AsyncSession,
    clock: Clock,
    *,
    chat: BuildingChat,
    under: Broadcast,
    message_id: int,
    asker: Person,
    text: str,
    hourly_limit: int,
) -> Asked:
    """Record the question (once per chat and message) under the batch it replies to; RateLimited when the person
    has asked `hourly_limit` questions in this chat within the hour."""
    text = text.strip()
    if not text or len(text) > TEXT_LIMIT:
        raise InvalidValue("text")
    existing = await _by_message(session, chat.chat_id, message_id)
    if existing is not None:
        return Asked(existing, created=False)
    recent = await session.scalar(
        select(func.count(GroupQuestion.id)).where(
            GroupQuestion.asker_id == asker.id,
            GroupQuestion.chat_id == chat.chat_id,
            GroupQuestion.created_at > clock.now() - RATE_WINDOW,
        )
    )
    if (recent or 0) >= hourly_limit:
        raise RateLimited()
    name = " ".join(filter(None, [asker.first_name, asker.last_name])) or str(asker.id)
    question = GroupQuestion(
        broadcast_id=under.id,
        building_id=chat.building_id,
        chat_id=chat.chat_id,
        message_id=message_id,
        asker_id=asker.id,
        asker_name=name[:NAME_LIMIT],
        text=text,
        created_at=clock.now(),
    )
    # The same message handled twice at once: the other one recorded it.
    question, created = await add_once(session, question, lambda: _by_message(session, chat.chat_id, message_id))
    return Asked(question, created=created)


async def readers(session: AsyncSession, question: GroupQuestion, admin_ids: Sequence[int]) -> list[int]:
    """Who a question goes to: whoever manages its building now, or the administrators when nobody does."""
    manager = await staff.manager_of(session, question.building_id)
    return [manager.user_id] if manager is not None else list(admin_ids)


async def relay(
    session: AsyncSession,
    clock: Clock,
    question: GroupQuestion,
    under: Broadcast,
    render: Render[GroupQuestion],
    *,
    admin_ids: Sequence[int],
    fallback: str,
) -> None:
    """The question privately to whoever manages its building now (the administrators when nobody does), each in
    their language (`fallback`, a locale, for one the bot knows nothing of); a reply answers it."""
    chat_ids = await readers(session, question, admin_ids)
    building = await session.get(Building, question.building_id)
    assert building is not None  # the question was just asked in its chat
    locales = await people.reading_locales(session, chat_ids, default_country=building.country)
    batch = await outbox.start_broadcast(
        session, clock, author_id=None, kind=RELAY_KIND, subject_id=question.id, title=under.title
    )
    for chat_id in chat_ids:
        message = render(question, Reader(chat_id, locales.get(chat_id, fallback), building.timezone))
        for part in message:
            part["question"] = question.id
        await outbox.enqueue(
            session, clock, chat_id=chat_id, parts=message, broadcast=batch, priority=Priority.PERSONAL
        )


async def replied_to(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The question a message in a private chat passed on, if it is one."""
    link = await routing.find(session, chat_id, message_id)
    return link.question_id if link is not None else None


async def for_answer(session: AsyncSession, actor: Actor, question_id: int) -> GroupQuestion:
    """The question, if the actor may answer it now: they manage its building (an administrator any) and the chat
    is still bound to it. Rights come from the building as it is now, not from who the question was passed to."""
    question = await session.get(
        GroupQuestion,
        question_id,
        options=[selectinload(GroupQuestion.building)],
        populate_existing=True,
    )
    if question is None:
        raise QuestionGone()
    await _may_answer(session, actor, question)
    return question


async def _may_answer(session: AsyncSession, actor: Actor, question: GroupQuestion) -> None:
    if not actor.can_manage(question.building):
        raise NotAllowed()
    bound = await session.scalar(
        select(BuildingChat.id).where(
            BuildingChat.chat_id == question.chat_id,
            BuildingChat.building_id == question.building_id,
            BuildingChat.active,
        )
    )
    if bound is None:
        raise ChatUnbound()


def answers_as_inspector(actor: Actor, question: GroupQuestion) -> Inspector | None:
    """The inspector the answer is signed by: the building's own; None signs it as an administrator."""
    inspector = actor.inspector
    return inspector if inspector is not None and question.building.inspector_id == inspector.id else None


async def chat_locale(session: AsyncSession, question: GroupQuestion) -> str | None:
    """The locale of the chat the question was asked in (its language, its building's country's wording); None
    when it is no longer a building chat."""
    chat = await session.scalar(select(BuildingChat).where(BuildingChat.chat_id == question.chat_id))
    return reading_locale(chat.language, chat.country) if chat is not None else None


async def answer(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    question: GroupQuestion,
    *,
    text: str,
    media: parts.Media | None,
    title: str,
) -> Delivery:
    """The answer, posted in the chat as a reply to the question; its author gets the outbox's report.

    Replies to the answer are questions again (to its author), so a conversation can go on under it.
    """
    await _may_answer(session, actor, question)
    batch = await outbox.start_broadcast(
        session, clock, author_id=actor.telegram_id, kind=ANSWER_KIND, subject_id=question.id, title=title
    )
    message = parts.message(text, media=media, link=True)
    message[0]["reply_to"] = question.message_id
    delivery = await outbox.enqueue(
        session, clock, chat_id=question.chat_id, parts=message, broadcast=batch, priority=Priority.PERSONAL
    )
    question.answered_at = question.answered_at or clock.now()
    await session.flush()
    return delivery


async def to_appeal(session: AsyncSession, clock: Clock, policy: Policy, actor: Actor, question_id: int) -> Made:
    """The question as an appeal in its building: only the building's inspector or an administrator.

    The asker becomes the appeal's resident if the bot keeps a record of them (they registered, and so
    consented); otherwise the appeal has no resident. One question makes at most one appeal.
    """
    # Locked, so two staff pressing at once queue here and the second finds the first one's appeal.
    question = await session.scalar(
        select(GroupQuestion)
        .where(GroupQuestion.id == question_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if question is None:
        raise QuestionGone()
    building = await session.get(Building, question.building_id)
    assert building is not None
    if not actor.can_manage(building):
        raise NotAllowed()
    asker = await session.get(User, question.asker_id, options=[selectinload(User.residency)])
    residency = asker.residency if asker is not None else None
    flat = residency.flat if residency is not None and residency.building_id == question.building_id else None
    submitted = await appeals.from_question(
        session, clock, policy, actor, question, resident_id=asker.id if asker is not None else None, flat=flat
    )
    question.appeal_id = submitted.appeal.id
    await session.flush()
    return Made(submitted.appeal, submitted.created)


async def tell(session: AsyncSession, clock: Clock, chat_id: int, text: str) -> Delivery:
    """A personal message through the outbox (the asker told their question became an appeal)."""
    return await outbox.enqueue(session, clock, chat_id=chat_id, parts=parts.message(text), priority=Priority.PERSONAL)


async def _by_message(session: AsyncSession, chat_id: int, message_id: int) -> GroupQuestion | None:
    return await session.scalar(
        select(GroupQuestion).where(GroupQuestion.chat_id == chat_id, GroupQuestion.message_id == message_id)
    )
