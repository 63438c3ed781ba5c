"""Answer templates: short reusable answers in one language, an inspector's own or shared by an administrator."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import LANGUAGES
from bot.services.errors import DomainError, Gone, InvalidValue, NotAllowed
from bot.services.people import Actor
from models import AnswerTemplate

TEXT_LIMIT = 1000
OWN_LIMIT = 50  # an inspector's own (and the shared ones): a picker longer than that helps nobody


class TooMany(DomainError):
    pass


class TemplateGone(Gone):
    pass


def _owner(actor: Actor) -> int | None:
    """Whose the actor's new templates are: an inspector's own; an administrator's are shared (None)."""
    if actor.is_admin:
        return None
    if actor.inspector is None:
        raise NotAllowed()
    return actor.inspector.id


async def visible(session: AsyncSession, actor: Actor, language: str | None = None) -> list[AnswerTemplate]:
    """The actor's own templates, then the shared ones; of one language when given."""
    if not actor.is_staff:
        raise NotAllowed()
    mine = AnswerTemplate.inspector_id == actor.inspector.id if actor.inspector is not None else None
    shared = AnswerTemplate.inspector_id.is_(None)
    query = select(AnswerTemplate).where(or_(shared, mine) if mine is not None else shared)
    if language is not None:
        query = query.where(AnswerTemplate.language == language)
    query = query.order_by(AnswerTemplate.inspector_id.is_(None), AnswerTemplate.language, AnswerTemplate.id)
    return list(await session.scalars(query))


async def add(session: AsyncSession, clock: Clock, actor: Actor, language: str, text: str) -> AnswerTemplate:
    owner = _owner(actor)
    if language not in LANGUAGES:
        raise InvalidValue("language", language)
    text = text.strip()
    if not text or len(text) > TEXT_LIMIT:
        raise InvalidValue("text")
    counted = await session.scalars(
        select(AnswerTemplate.id).where(
            AnswerTemplate.inspector_id.is_(None) if owner is None else AnswerTemplate.inspector_id == owner
        )
    )
    if len(counted.all()) >= OWN_LIMIT:
        raise TooMany()
    template = AnswerTemplate(
        inspector_id=owner, language=language, text=text, created_by=actor.telegram_id, created_at=clock.now()
    )
    session.add(template)
    await session.flush()
    return template


async def usable(session: AsyncSession, actor: Actor, template_id: int) -> AnswerTemplate:
    """A template the actor may answer with: their own or a shared one."""
    template = await session.get(AnswerTemplate, template_id)
    if template is None:
        raise TemplateGone()
    own = actor.inspector is not None and template.inspector_id == actor.inspector.id
    if not actor.is_staff or not (own or template.inspector_id is None):
        raise NotAllowed()
    return template


async def delete(session: AsyncSession, actor: Actor, template_id: int) -> AnswerTemplate:
    """An inspector deletes their own; an administrator the shared ones too."""
    template = await usable(session, actor, template_id)
    if template.inspector_id is None and not actor.is_admin:
        raise NotAllowed()
    await session.delete(template)
    await session.flush()
    return template
