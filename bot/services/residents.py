"""Residents: registration to a building after consent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit, validation
from bot.services.people import Person, ensure_user
from models import Building, Residency


@dataclass(frozen=True)
class Registration:
    residency: Residency
    previous_building: Building | None


def flat(raw: str) -> str:
    return validation.flat(raw)


async def register(
    session: AsyncSession, clock: Clock, person: Person, *, building: Building, flat: str | None, language: str
) -> Registration:
    """Register (or move) the person to the building. Called only once they consented."""
    user = await ensure_user(session, clock, person, language=language)
    user.language = language
    residency = await session.scalar(select(Residency).where(Residency.user_id == user.id))
    previous: Building | None = None
    if residency is None:
        residency = Residency(user=user, building=building, flat=flat, consent_at=clock.now())
        session.add(residency)
    else:
        if residency.building_id != building.id:
            previous = await session.get(Building, residency.building_id)
        residency.building, residency.flat, residency.consent_at = building, flat, clock.now()
    await session.flush()
    await audit.record(
        session, clock, actor_id=user.id, action="resident_registered", object_type="building", object_id=building.code
    )
    return Registration(residency=residency, previous_building=previous)
