"""The beat a sandbox starts with: a district of three buildings in Almaty and Tashkent, its inspector and an admin,
residents writing in Russian, Kazakh, Uzbek and English, building chats, appeals in several states, a meeting coming
up and proposals.

The people and buildings are made through the services, as an admin would; everything with a conversation
(binding the chats, appeals, the meeting, proposals) by driving the bot as people do, so the chats show it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.sandbox.people import Acts, Cast
from bot.services import buildings, inspectors, law, people, residents
from bot.services.people import Person
from bot.services.quarters import Quarter
from bot.ui.callbacks import (
    AppealAction,
    CategoryCb,
    DraftStep,
    IntakeCb,
    IntakeStep,
    KindCb,
    MeetingDraftCb,
    PickCb,
    ProposeCb,
    ProposeStep,
    StaffCb,
)

ADMIN_ID = 1001
INSPECTOR_ID = 2001
ALMATY = "Asia/Almaty"
# code, address, district, time zone, country, building chat
BUILDINGS = [
    ("A-12", "Abay ave 10", "Almaly", ALMATY, "KZ", "Abay 10 neighbours"),
    ("A-14", "Abay ave 14", "Almaly", ALMATY, "KZ", None),
    ("T-3", "Amir Temur st 3", "Yunusabad", "Asia/Tashkent", "UZ", "Temur 3 house chat"),
]
# user id, name, language, building, flat
RESIDENTS = [
    (3001, "Dana", "en", "A-12", "7"),
    (3002, "Айгуль", "ru", "A-12", "12"),
    (3003, "Ерлан", "kk", "A-14", "3"),
    (3004, "Dilnoza", "uz", "T-3", "41"),
]


def cast() -> Cast:
    return Cast(admin_id=ADMIN_ID, inspector_id=INSPECTOR_ID)


def cast_in_world(acts: Acts) -> None:
    """Everyone has opened the bot already (before it starts, so the admin's own commands reach the admin)."""
    acts.person("Aigerim (admin)", "en", role="admin", user_id=ADMIN_ID)
    acts.person("Nurlan (inspector)", "en", role="inspector", user_id=INSPECTOR_ID)
    for user_id, name, language, _code, _flat in RESIDENTS:
        acts.person(name, language, user_id=user_id)


async def seed(acts: Acts, clock: Clock) -> None:
    """The rest of the beat, once the bot runs."""
    await _registry(acts, clock)
    for code, _address, _district, _zone, _country, title in BUILDINGS:
        if title is not None:
            await _quiet(acts, INSPECTOR_ID)  # the group's updates reach the bot together
            chat_id, updates = acts.group(title, by=INSPECTOR_ID)
            # The creator makes the bot an administrator, so it may pin meeting announcements.
            updates.append(acts.fake.my_chat_member_update(chat_id, INSPECTOR_ID, "administrator"))
            for update in updates:
                _sent(acts, INSPECTOR_ID).append(time.monotonic())
                await acts.handled(update)
            await _act(acts, INSPECTOR_ID, partial(acts.say, INSPECTOR_ID, chat_id, f"/bind {code}"))
    await _appeal(acts, 3002, "В подъезде №2 третью неделю не горит свет, вечером темно и страшно.")
    await _appeal(acts, 3004, "Hovlida mashinalar yo'lni to'sib qo'yishadi, tez yordam o'ta olmaydi.")
    await _appeal(acts, 3003, "Кіреберіс есігінің құлпы сынған, бөтен адамдар кіріп жүр.")
    take = f"{StaffCb.__prefix__}:{AppealAction.TAKE}:"
    # Ерлан's, taken into work
    await _act(acts, INSPECTOR_ID, lambda: acts.press_newest(INSPECTOR_ID, INSPECTOR_ID, take))
    await _answer_first(acts)
    await _meeting(acts, clock)
    await _propose(acts, 3001, "/propose Put a light over the playground by entrance 2")
    await _propose(acts, 3004, "/propose Hovliga skameykalar o'rnatish kerak")
    for command in ("/buildings", "/inspectors"):
        await _act(acts, ADMIN_ID, partial(acts.say, ADMIN_ID, ADMIN_ID, command))


# When each person's last updates reached the bot, per Acts: the bot drops more than `flood_rate` updates a second
# from one person (bot.middlewares.flood), and the seed is quicker than anyone's fingers, so it waits as a person would.
_SENT: weakref.WeakKeyDictionary[Acts, dict[int, deque[float]]] = weakref.WeakKeyDictionary()


async def _act(acts: Acts, user_id: int, act: Callable[[], dict[str, Any] | None]) -> None:
    """A person's act, at a person's pace, handled. The act is made only then: the emulator hands an update to the
    bot as soon as it is made, and a button is looked for once the previous act has been answered."""
    times = _sent(acts, user_id)
    if len(times) >= acts.app.settings.flood_rate:
        await asyncio.sleep(times[0] + 1.0 - time.monotonic() + 0.05)
    update = act()
    times.append(time.monotonic())
    await acts.handled(update)


async def _quiet(acts: Acts, user_id: int) -> None:
    """Until none of the person's updates is within the last second."""
    times = _sent(acts, user_id)
    if times:
        await asyncio.sleep(times[-1] + 1.0 - time.monotonic() + 0.05)
    times.clear()


def _sent(acts: Acts, user_id: int) -> deque[float]:
    """The person's updates of the last second."""
    times = _SENT.setdefault(acts, {}).setdefault(user_id, deque())
    while times and times[0] <= time.monotonic() - 1.0:
        times.popleft()
    return times


async def _registry(acts: Acts, clock: Clock) -> None:
    async with acts.app.sessionmaker.begin() as session:
        admin = Person(id=ADMIN_ID, first_name="Aigerim")
        await people.ensure_user(session, clock, admin, language="en")  # what the scheduler writes to her is in English
        draft = inspectors.draft(
            Person(id=INSPECTOR_ID, first_name="Nurlan"),
            full_name="Nurlan Abenov",
            rank="Police captain",
            phone="+7 701 000 00 00",
            reception_point="Abay ave 12, office 3",
            reception_hours="Tue, Thu 18:00-20:00",
        )
        inspector = await inspectors.add_inspector(session, clock, draft, language="en", actor_id=ADMIN_ID)
        made = {}
        for code, address, district, zone, country, _title in BUILDINGS:
            building = await buildings.add_building(
                session,
                clock,
                code=code,
                address=address,
                district=district,
                timezone=zone,
                actor_id=ADMIN_ID,
                country=country,  # the law its appeals follow
            )
            await buildings.assign(
                session, clock, building_id=building.id, inspector_id=inspector.id, actor_id=ADMIN_ID
            )
            made[code] = building
        for user_id, name, language, code, flat in RESIDENTS:
            await residents.register(
                session, clock, Person(id=user_id, first_name=name), building=made[code], flat=flat, language=language
            )


async def _appeal(acts: Acts, user_id: int, text: str) -> None:
    """The intake dialog as the resident walks it: category, (the kind, where the country's law has several: the
    first, the default), text, next, with my name, send."""
    await _act(acts, user_id, lambda: acts.say(user_id, user_id, "/appeal"))
    await _act(acts, user_id, lambda: acts.press_newest(user_id, user_id, CategoryCb.__prefix__ + ":"))
    rules = law.rules(_country_of(user_id))
    if rules.asks_kind:
        kind = KindCb(code=rules.default_kind).pack()
        await _act(acts, user_id, lambda: acts.press_newest(user_id, user_id, kind))
    await _act(acts, user_id, lambda: acts.say(user_id, user_id, text))
    for step in (IntakeStep.NEXT, IntakeStep.NAMED, IntakeStep.SEND):
        await _act(acts, user_id, partial(acts.press_newest, user_id, user_id, IntakeCb(step=step).pack()))


def _country_of(user_id: int) -> str:
    code = next(code for resident, _name, _language, code, _flat in RESIDENTS if resident == user_id)
    return next(country for building, _address, _district, _zone, country, _title in BUILDINGS if building == code)


async def _answer_first(acts: Acts) -> None:
    """The inspector answers Айгуль's appeal (the first card) by replying to it."""
    chat = acts.fake.world.chats[INSPECTOR_ID]
    card = next(m for m in chat.messages.values() if "№1" in (m.get("text") or ""))
    answer = "Thank you, the housing office will change the lamp by Friday."
    say = partial(acts.say, INSPECTOR_ID, INSPECTOR_ID, answer, reply_to_message_id=card["message_id"])
    await _act(acts, INSPECTOR_ID, say)


async def _meeting(acts: Acts, clock: Clock) -> None:
    """/meeting for A-12 three days on at 19:00, published to its chat."""
    day = clock.now().astimezone(ZoneInfo(ALMATY)) + timedelta(days=3)
    me = INSPECTOR_ID
    await _act(acts, me, lambda: acts.say(me, me, "/meeting"))
    await _act(acts, me, lambda: acts.press_newest(me, me, PickCb.__prefix__ + ":", "A-12"))
    await _act(acts, me, lambda: acts.press_newest(me, me, PickCb.__prefix__ + ":", "➡️"))
    for text in (f"{day:%d.%m} 19:00", "Abay ave 10, the yard by entrance 2", "Parking in the yard\nNoise after 23:00"):
        await _act(acts, me, partial(acts.say, me, me, text))
    await _act(acts, me, lambda: acts.press_newest(me, me, MeetingDraftCb(step=DraftStep.PUBLISH).pack()))


async def _propose(acts: Acts, user_id: int, text: str) -> None:
    await _act(acts, user_id, lambda: acts.say(user_id, user_id, text))
    await _act(acts, user_id, lambda: acts.press_newest(user_id, user_id, ProposeCb(step=ProposeStep.SEND).pack()))


def daytime(now: datetime, zone: str = ALMATY) -> datetime:
    """Now, or the next 10:00 when it is evening or night there: a fresh beat starts when the bot may write to
    residents (quiet hours hold their messages), so a newcomer sees everything arrive."""
    local = now.astimezone(ZoneInfo(zone))
    if 9 <= local.hour < 19:
        return now
    morning = local.replace(hour=10, minute=0, second=0, microsecond=0)
    return morning if morning > local else morning + timedelta(days=1)


def next_monday_nine(now: datetime, zone: str = ALMATY) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    days = (7 - local.weekday()) % 7 or 7
    return (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


def quarter_end(now: datetime, zone: str = ALMATY) -> datetime:
    """The last day of the quarter, 18:00 there (or of the next quarter once that moment is past)."""
    local = now.astimezone(ZoneInfo(zone))
    last = Quarter.of(local.date()).last_day
    end = datetime(last.year, last.month, last.day, 18, tzinfo=local.tzinfo)
    return end if end > local else quarter_end(end + timedelta(days=1), zone)
