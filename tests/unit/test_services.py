"""Services on a real database, without the bot: buildings, chats, residents and proposals keep their rules
whatever a client sends. (The stories show the same rules as people meet them; these run in a second.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import buildings, chats, inspectors, people, proposals, residents
from bot.services.errors import (
    BuildingCodeTaken,
    ChatBoundElsewhere,
    InvalidValue,
    NotAllowed,
    ProposalGone,
    RateLimited,
)
from bot.services.people import Actor, Person
from bot.services.proposals import CommentRequired, InvalidMove
from models import Building, ProposalStatus
from tests.support.harness import FrozenClock

ADMIN = 1
INSPECTOR = 1001
OTHER_INSPECTOR = 1002
RESIDENT = 5001


@dataclass
class World:
    session: AsyncSession
    clock: FrozenClock
    own: Building  # served by INSPECTOR
    other: Building  # served by OTHER_INSPECTOR

    async def actor(self, telegram_id: int) -> Actor:
        return await people.load_actor(self.session, telegram_id, is_admin=telegram_id == ADMIN)


async def _serving(session: AsyncSession, clock: FrozenClock, inspector_id: int, code: str) -> Building:
    draft = inspectors.draft(
        Person(id=inspector_id, first_name="Inspector"),
        full_name=f"Inspector {inspector_id}",
        rank="Police captain",
        phone="+7 701 000 00 00",
        reception_point="Abay ave 12",
        reception_hours="Tue 18:00-20:00",
    )
    inspector = await inspectors.add_inspector(session, clock, draft, language="en", actor_id=ADMIN)
    building = await buildings.add_building(
        session, clock, code=code, address="Abay ave 10", district=None, timezone="Asia/Almaty", actor_id=ADMIN
    )
    await buildings.assign(session, clock, building_id=building.id, inspector_id=inspector.id, actor_id=ADMIN)
    return building


@pytest.fixture
async def world(sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> AsyncIterator[World]:
    # One session for the test, closed after it (an open transaction would hold the next test's clean-up).
    async with sessionmaker() as session:
        own = await _serving(session, clock, INSPECTOR, "A-12")
        other = await _serving(session, clock, OTHER_INSPECTOR, "B-1")
        await residents.register(
            session, clock, Person(id=RESIDENT, first_name="Dana"), building=own, flat="7", language="en"
        )
        await session.commit()
        yield World(session, clock, own, other)


# --- buildings --------------------------------------------------------------------------------------


async def test_a_building_code_is_taken_once_and_written_in_latin(world: World) -> None:
    with pytest.raises(BuildingCodeTaken):
        await buildings.add_building(
            world.session, world.clock, code="a-12", address="x", district=None, timezone="Asia/Almaty", actor_id=ADMIN
        )
    with pytest.raises(InvalidValue):
        await buildings.add_building(
            world.session, world.clock, code="А-12", address="x", district=None, timezone="Asia/Almaty", actor_id=ADMIN
        )


async def test_an_inspector_manages_their_own_buildings_and_an_admin_all(world: World) -> None:
    inspector, admin = await world.actor(INSPECTOR), await world.actor(ADMIN)
    assert inspector.can_manage(world.own) and not inspector.can_manage(world.other)
    assert admin.can_manage(world.own) and admin.can_manage(world.other)
    resident = await world.actor(RESIDENT)
    assert resident.residency is not None and resident.residency.building_id == world.own.id
    assert not resident.is_staff and not resident.can_manage(world.own)


# --- building chats ---------------------------------------------------------------------------------


async def test_only_the_buildings_inspector_binds_its_chat_and_a_chat_has_one_building(world: World) -> None:
    def bind(actor: Actor, building: Building) -> object:
        return chats.bind(
            world.session, world.clock, actor, building=building, chat_id=-100, title="Entrance 1", language="en"
        )

    with pytest.raises(NotAllowed):
        await bind(await world.actor(RESIDENT), world.own)
    with pytest.raises(NotAllowed):
        await bind(await world.actor(OTHER_INSPECTOR), world.own)
    chat, created = await bind(await world.actor(INSPECTOR), world.own)  # type: ignore[misc]
    assert created and chat.building_id == world.own.id
    _again, created = await bind(await world.actor(INSPECTOR), world.own)  # type: ignore[misc]
    assert not created, "binding again to the same building changes nothing"
    with pytest.raises(ChatBoundElsewhere):
        await bind(await world.actor(ADMIN), world.other)
    with pytest.raises(NotAllowed):
        await chats.unbind(world.session, world.clock, await world.actor(OTHER_INSPECTOR), chat=chat)


# --- proposals ---------------------------------------------------------------------------------------


async def test_a_resident_proposes_for_their_building_a_few_a_day_and_a_stranger_not_at_all(world: World) -> None:
    resident = await world.actor(RESIDENT)
    proposal = await proposals.propose(world.session, world.clock, resident, "  A bench by entrance 2  ")
    assert (proposal.building_id, proposal.text, proposal.status) == (world.own.id, "A bench by entrance 2", "recorded")
    with pytest.raises(NotAllowed):
        await proposals.propose(world.session, world.clock, await world.actor(4242), "Anything")
    for _ in range(proposals.DAILY_LIMIT - 1):
        await proposals.propose(world.session, world.clock, resident, "More light in the yard")
    with pytest.raises(RateLimited):
        await proposals.propose(world.session, world.clock, resident, "One too many")


async def test_a_proposal_moves_only_forward_by_its_buildings_staff_and_a_decline_says_why(world: World) -> None:
    proposal = await proposals.propose(world.session, world.clock, await world.actor(RESIDENT), "A bench")
    other = await world.actor(OTHER_INSPECTOR)
    with pytest.raises(NotAllowed):
        await proposals.move(world.session, world.clock, other, proposal.id, ProposalStatus.IN_PLAN)
    with pytest.raises(ProposalGone):
        await proposals.for_staff(world.session, other, 999_999)

    inspector = await world.actor(INSPECTOR)
    with pytest.raises(CommentRequired):
        await proposals.move(world.session, world.clock, inspector, proposal.id, ProposalStatus.DECLINED)
    moved = await proposals.move(world.session, world.clock, inspector, proposal.id, ProposalStatus.IN_PLAN)
    assert (moved.previous, moved.entry.proposal.status) == ("recorded", "in_plan")
    with pytest.raises(InvalidMove):
        await proposals.move(world.session, world.clock, inspector, proposal.id, ProposalStatus.IN_PLAN)
    history = await proposals.history(world.session, moved.entry.proposal)
    assert [step.status for step in history] == ["recorded", "in_plan"]
