"""Set-up shared by user stories: a district with an inspector and a building, made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services import buildings, inspectors, outbox, parts, residents
from bot.services.people import Person
from models import Building, BuildingChat, Inspector
from tests.support import harness
from tests.support.harness import Telegram

INSPECTOR_ID = 2000
RESIDENT_ID = 3001


@dataclass
class District:
    inspector: Inspector
    building: Building


async def district(
    tg: Telegram, *, inspector_id: int = INSPECTOR_ID, code: str = "A-12", full_name: str = "Nurlan Abenov"
) -> District:
    """An inspector (who opened the bot) serving one building."""
    tg.fake.add_user(inspector_id, full_name.split()[0], language_code="en")
    async with tg.app.sessionmaker.begin() as session:
        draft = inspectors.draft(
            Person(id=inspector_id, first_name=full_name.split()[0]),
            full_name=full_name,
            rank="Police captain",
            phone="+7 701 000 00 00",
            reception_point="Abay ave 12, office 3",
            reception_hours="Tue, Thu 18:00-20:00",
        )
        inspector = await inspectors.add_inspector(session, tg.clock, draft, language="en", actor_id=1)
        building = await buildings.add_building(
            session, tg.clock, code=code, address="Abay ave 10", district="Almaly", timezone="Asia/Almaty", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=inspector.id, actor_id=1)
    return District(inspector, building)


async def resident_of(tg: Telegram, building: Building, user_id: int, name: str, *, language: str = "en") -> None:
    """Register a resident directly (the registration dialog has its own stories)."""
    tg.fake.add_user(user_id, name, language_code=language)
    async with tg.app.sessionmaker.begin() as session:
        await residents.register(
            session, tg.clock, Person(id=user_id, first_name=name), building=building, flat="7", language=language
        )


async def beat(tg: Telegram) -> tuple[District, harness.Person, harness.Person]:
    """The usual cast: a building with its inspector, and Dana registered there (flat 7), both in English."""
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    return d, tg.person(RESIDENT_ID, "Dana", language_code="en"), tg.person(INSPECTOR_ID, "Nurlan", language_code="en")


async def bound_chats(tg: Telegram, d: District, chat_ids: list[int], *, type: str = "group") -> None:
    """Building chats the bot is in, bound to the district's building."""
    async with tg.app.sessionmaker.begin() as session:
        for chat_id in chat_ids:
            tg.fake.add_group(chat_id, f"Abay 10 entrance {-chat_id}", type=type, creator_id=INSPECTOR_ID)
            session.add(
                BuildingChat(
                    building_id=d.building.id,
                    chat_id=chat_id,
                    title=f"Abay 10 entrance {-chat_id}",
                    language="en",
                    active=True,
                    bound_at=tg.clock.now(),
                )
            )


async def notice_in(tg: Telegram, chat_id: int, text: str = "Water is off.") -> dict[str, Any]:
    """The inspector's notice as the outbox posted it in a building chat (replies to it are questions)."""
    async with tg.app.sessionmaker.begin() as session:
        batch = await outbox.start_broadcast(session, tg.clock, author_id=INSPECTOR_ID, kind="notice", title=text)
        await outbox.enqueue(session, tg.clock, chat_id=chat_id, parts=parts.message(text, link=True), broadcast=batch)
    tg.app.sender.wake()
    await tg.drain()
    return tg.fake.sent_to(chat_id)[-1]
