"""Questions asked in building chats: a resident's reply to the bot's notice or announcement.

The reply reaches the author of what it answers, privately; the author's answer goes back to the chat as a reply
to the resident; staff can turn a question into an appeal. Both directions go through the outbox, and the message
pairs (`MessageLink`) route the replies: `delivery_id` on what the bot posted in the chat, `question_id` on what
it passed to the author.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services import appeals, outbox, parts, routing
from bot.services.appeals import Policy
from bot.services.errors import DomainError, InvalidValue, NotAllowed
from bot.services.people import QUESTION_ANSWER_KIND, QUESTION_RELAY_KIND, Actor, Person
from models import Appeal, Broadcast, Building, BuildingChat, Delivery, GroupQuestion, Priority, User

# A question may become an appeal, whose card must fit in one message: the appeals' limit holds here too.
TEXT_LIMIT = appeals.TEXT_LIMIT
NAME_LIMIT = 256
# The one-row batch that carries a question to its addressee (nobody waits for its report; /forget_me cancels it).
RELAY_KIND = QUESTION_RELAY_KIND
# The one-row batch that carries an answer back to the chat: its author is told how it went.
ANSWER_KIND = QUESTION_ANSWER_KIND


class QuestionGone(DomainError):
    """No such question (deleted at the asker's request, or a made-up id)."""


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
) -> Asked:
    """Record the question (once per chat and message) under the batch it replies to."""
    text = text.strip()
    if not text or len(text) > TEXT_LIMIT:
        raise InvalidValue("text")
    existing = await _by_message(session, chat.chat_id, message_id)
    if existing is not None:
        return Asked(existing, created=False)
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
    try:
        async with session.begin_nested():
            session.add(question)
            await session.flush()
    except IntegrityError:
        # The same message handled twice at once (PostgreSQL): the other one recorded it.
        existing = await _by_message(session, chat.chat_id, message_id)
        if existing is None:
            raise
        return Asked(existing, created=False)
    return Asked(question, created=True)


async def relay(
    session: AsyncSession,
    clock: Clock,
    question: GroupQuestion,
    under: Broadcast,
    *,
    text: str,
    buttons: parts.Buttons,
) -> Delivery:
    """The question to the author of what it answers, privately; a reply to it answers the question."""
    assert under.author_id is not None
    batch = await outbox.start_broadcast(
        session, clock, author_id=None, kind=RELAY_KIND, subject_id=question.id, title=under.title
    )
    message = parts.message(text, buttons=buttons)
    for part in message:
        part["question"] = question.id
    return await outbox.enqueue(
        session, clock, chat_id=under.author_id, parts=message, broadcast=batch, priority=Priority.PERSONAL
    )


async def replied_to(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The question a message in a private chat passed on, if it is one."""
    link = await routing.find(session, chat_id, message_id)
    return link.question_id if link is not None else None


async def addressee(session: AsyncSession, question: GroupQuestion) -> int | None:
    """Who the question was passed to: the author of the batch it replies to."""
    if question.broadcast_id is None:
        return None
    return await session.scalar(select(Broadcast.author_id).where(Broadcast.id == question.broadcast_id))


async def for_answer(session: AsyncSession, actor: Actor, question_id: int) -> GroupQuestion:
    """The question, if the actor may answer it: its addressee, or an administrator."""
    question = await session.get(GroupQuestion, question_id, options=[selectinload(GroupQuestion.building)])
    if question is None:
        raise QuestionGone()
    if not actor.is_admin and await addressee(session, question) != actor.telegram_id:
        raise NotAllowed()
    return question


async def chat_language(session: AsyncSession, question: GroupQuestion) -> str | None:
    """The language of the chat the question was asked in; None when it is no longer a building chat."""
    return await session.scalar(select(BuildingChat.language).where(BuildingChat.chat_id == question.chat_id))


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
    if not actor.is_admin and await addressee(session, question) != actor.telegram_id:
        raise NotAllowed()
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
