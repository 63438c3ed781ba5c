"""The beat a sandbox starts with: a district of three buildings in Almaty and Tashkent, its inspector and an admin,
residents writing in Russian, Kazakh, Uzbek and English, building chats, appeals in several states, a meeting coming
up and proposals.

The people and buildings are made through the services, as an admin would; everything with a conversation
(binding the chats, appeals, the meeting, proposals) by driving the bot as people do, so the chats show it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.sandbox.people import Acts, Cast
from bot.services import buildings, inspectors, people, residents
from bot.services.people import Person
from bot.ui.callbacks import (
    AppealAction,
    CategoryCb,
    DraftStep,
    IntakeCb,
    IntakeStep,
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
            chat_id, updates = acts.group(title, by=INSPECTOR_ID)
            # The creator makes the bot an administrator, so it may pin meeting announcements.
            updates.append(acts.fake.my_chat_member_update(chat_id, INSPECTOR_ID, "administrator"))
            for update in updates:
                await acts.handled(update)
            await acts.handled(acts.say(INSPECTOR_ID, chat_id, f"/bind {code}"))
    await _appeal(acts, 3002, "В подъезде №2 третью неделю не горит свет, вечером темно и страшно.")
    await _appeal(acts, 3004, "Hovlida mashinalar yo'lni to'sib qo'yishadi, tez yordam o'ta olmaydi.")
    await _appeal(acts, 3003, "Кіреберіс есігінің құлпы сынған, бөтен адамдар кіріп жүр.")
    take = f"{StaffCb.__prefix__}:{AppealAction.TAKE}:"
    await acts.handled(acts.press_newest(INSPECTOR_ID, INSPECTOR_ID, take))  # Ерлан's, taken into work
    await _answer_first(acts)
    await _meeting(acts, clock)
    await _propose(acts, 3001, "/propose Put a light over the playground by entrance 2")
    await _propose(acts, 3004, "/propose Hovliga skameykalar o'rnatish kerak")
    for command in ("/buildings", "/inspectors"):
        await acts.handled(acts.say(ADMIN_ID, ADMIN_ID, command))


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
                session, clock, code=code, address=address, district=district, timezone=zone, actor_id=ADMIN_ID
            )
            building.country = country  # the law its appeals follow; no service sets it after COUNTRY's default
            await buildings.assign(
                session, clock, building_id=building.id, inspector_id=inspector.id, actor_id=ADMIN_ID
            )
            made[code] = building
        for user_id, name, language, code, flat in RESIDENTS:
            await residents.register(
                session, clock, Person(id=user_id, first_name=name), building=made[code], flat=flat, language=language
            )


async def _appeal(acts: Acts, user_id: int, text: str) -> None:
    """The intake dialog as the resident walks it: category, text, next, with my name, send."""
    await acts.handled(acts.say(user_id, user_id, "/appeal"))
    await acts.handled(acts.press_newest(user_id, user_id, CategoryCb.__prefix__ + ":"))
    await acts.handled(acts.say(user_id, user_id, text))
    for step in (IntakeStep.NEXT, IntakeStep.NAMED, IntakeStep.SEND):
        await acts.handled(acts.press_newest(user_id, user_id, IntakeCb(step=step).pack()))


async def _answer_first(acts: Acts) -> None:
    """The inspector answers Айгуль's appeal (the first card) by replying to it."""
    chat = acts.fake.world.chats[INSPECTOR_ID]
    card = next(m for m in chat.messages.values() if "№1" in (m.get("text") or ""))
    update = acts.say(
        INSPECTOR_ID,
        INSPECTOR_ID,
        "Thank you, the housing office will change the lamp by Friday.",
        reply_to_message_id=card["message_id"],
    )
    await acts.handled(update)


async def _meeting(acts: Acts, clock: Clock) -> None:
    """/meeting for A-12 three days on at 19:00, published to its chat."""
    day = clock.now().astimezone(ZoneInfo(ALMATY)) + timedelta(days=3)
    me = INSPECTOR_ID
    await acts.handled(acts.say(me, me, "/meeting"))
    await acts.handled(acts.press_newest(me, me, PickCb.__prefix__ + ":", "A-12"))
    await acts.handled(acts.press_newest(me, me, PickCb.__prefix__ + ":", "➡️"))
    for text in (f"{day:%d.%m} 19:00", "Abay ave 10, the yard by entrance 2", "Parking in the yard\nNoise after 23:00"):
        await acts.handled(acts.say(me, me, text))
    await acts.handled(acts.press_newest(me, me, MeetingDraftCb(step=DraftStep.PUBLISH).pack()))


async def _propose(acts: Acts, user_id: int, text: str) -> None:
    await acts.handled(acts.say(user_id, user_id, text))
    await acts.handled(acts.press_newest(user_id, user_id, ProposeCb(step=ProposeStep.SEND).pack()))


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
    month = (local.month - 1) // 3 * 3 + 4  # the first month of the next quarter
    year = local.year + (month > 12)
    first_of_next = datetime(year, (month - 1) % 12 + 1, 1, tzinfo=local.tzinfo)
    end = (first_of_next - timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    return end if end > local else quarter_end(end + timedelta(days=1), zone)
