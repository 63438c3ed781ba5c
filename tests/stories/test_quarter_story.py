"""The issue's "done when": the scheduler ticking through a whole quarter of a beat — every reminder
arrives once, in the right chat, in its reader's language, at the right local time, and nothing that should not;
then a downtime of two days, after which what is still fresh goes out at once and the rest is listed as missed.

The beat:
- Nurlan Abenov reads English and serves A-1, A-2 and A-3 in Almaty (UTC+5), working 08:00-17:00. Their chats read
  Kazakh (A-1), Russian (A-2) and English (A-3).
- Rustam Karimov reads Russian and serves B-1 in Bishkek (UTC+6) — his zone — and T-1 in Tashkent (UTC+5), working
  10:00-19:00. Their chats read Russian (B-1) and English (T-1).
- Residents: Dana (A-1, English) writes appeals; Asel (A-1, Kazakh) and Oleg (A-2, Russian) come to meetings; Mark
  (A-3, English) proposes, and would come to a meeting that is cancelled; Bakyt (B-1) and Timur (T-1) write
  appeals; Aida (B-1, Russian) comes to Rustam's report meeting.
- The administrator reads Kazakh: the bot learnt it when she opened it.

The catalogs are being translated, so the language of a message is checked through what Babel writes already (dates,
months, weekdays, quarters): "14 қазан 2026", "14 октября 2026", "14 October 2026". A reminder is told from the
others by markers no translation changes: its emoji, the appeal's number, the buildings' codes, the meeting's place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from bot.services import buildings, inspectors, people
from bot.services.people import Person as Someone
from bot.ui.callbacks import ChatWeekCb, MeetingCb, StaffCb
from models import Building, BuildingChat, Inspector, Meeting, MeetingStatus, Reminder, Report, Rsvp
from tests.conftest import ADMIN_ID
from tests.support.appeal_steps import appeal_by_number, send_appeal
from tests.support.harness import Person, Telegram
from tests.support.stories import resident_of

ALMATY, TASHKENT, BISHKEK = "Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek"

ADMIN = ADMIN_ID
NURLAN, RUSTAM = 2000, 2001
CHAT_A1, CHAT_A2, CHAT_A3, CHAT_B1, CHAT_T1 = -201, -202, -203, -301, -302
DANA, ASEL, OLEG, MARK, BAKYT, AIDA, TIMUR = 3001, 3002, 3003, 3004, 3005, 3006, 3007

# Where each recipient lives: the local time a message reached them is read in this zone. A resident hears of a
# meeting in the meeting's zone; an administrator in the default zone (Almaty).
ZONE = {
    ADMIN: ALMATY,
    NURLAN: ALMATY,
    RUSTAM: BISHKEK,
    CHAT_A1: ALMATY,
    CHAT_A2: ALMATY,
    CHAT_A3: ALMATY,
    CHAT_B1: BISHKEK,
    CHAT_T1: TASHKENT,
    DANA: ALMATY,
    ASEL: ALMATY,
    OLEG: ALMATY,
    MARK: ALMATY,
    BAKYT: BISHKEK,
    AIDA: BISHKEK,
    TIMUR: TASHKENT,
}
# The local hours each may be written to: inspectors their working hours, the administrator office hours, chats and
# residents outside quiet hours (22:00-08:00).
HOURS = {ADMIN: (9, 18), NURLAN: (8, 17), RUSTAM: (10, 19)}
NOT_QUIET = (8, 22)

# What a reminder is, told by markers that survive translation.
DIGEST = "digest"
WEEK_POST = "week post"
MONTHLY = "no meeting"
PREPARE = "prepare the report"
LATE = "report late"
MEETING = "meeting"
FIRST = "first response overdue"
SOON = "due soon"
OVERDUE = "overdue"
ESCALATION = "escalation"
MISSED = "missed"

# The meetings, told by their places (typed by the inspector: the same in every language).
M1_PLACE = "Abay ave 10, the yard"  # Nurlan, A-1 and A-2, Wednesday 14 October 19:00 in Almaty
M2_PLACE = "Abay ave 14, the playground"  # Nurlan, A-3, 20 November: cancelled
M3_PLACE = "School 12, the assembly hall"  # Nurlan's report meeting, A-1, A-2, A-3, Saturday 26 December 11:00
M4_PLACE = "Chui ave 5, the community centre"  # Rustam's report meeting, B-1 and T-1, 23 December 10:00 in Bishkek
M5_PLACE = "Chui ave 5, the yard"  # Rustam, B-1, Wednesday 4 November 18:00 in Bishkek


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def local_time(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


# --- the cast ------------------------------------------------------------------------------------------------


@dataclass
class Beat:
    nurlan: Person
    rustam: Person
    admin: Person
    dana: Person
    asel: Person
    oleg: Person
    mark: Person
    bakyt: Person
    timur: Person
    inspector_ids: dict[int, int]  # Telegram id → inspector id


async def inspector_serving(
    tg: Telegram,
    user_id: int,
    full_name: str,
    *,
    language: str,
    hours: tuple[int, int],
    serves: list[tuple[str, str, str]],
) -> tuple[Inspector, list[Building]]:
    """An inspector with their working hours and buildings (code, address, zone), added by the administrator."""
    first_name = full_name.split()[0]
    tg.fake.add_user(user_id, first_name, language_code=language)
    async with tg.app.sessionmaker.begin() as session:
        draft = inspectors.draft(
            Someone(id=user_id, first_name=first_name),
            full_name=full_name,
            rank="Police captain",
            phone="+7 701 000 00 00",
            reception_point="Community centre, office 3",
            reception_hours="Tue, Thu 18:00-20:00",
        )
        inspector = await inspectors.add_inspector(session, tg.clock, draft, language=language, actor_id=ADMIN)
        inspector.work_from, inspector.work_to = hours
        served = []
        for code, address, zone in serves:
            building = await buildings.add_building(
                session, tg.clock, code=code, address=address, district=None, timezone=zone, actor_id=ADMIN
            )
            await buildings.assign(
                session, tg.clock, building_id=building.id, inspector_id=inspector.id, actor_id=ADMIN
            )
            served.append(building)
    return inspector, served


async def chat_of(tg: Telegram, building: Building, chat_id: int, language: str, *, owner: int) -> None:
    """A building chat the bot is in, bound to the building, reading its own language."""
    title = f"{building.code} neighbours"
    tg.fake.add_group(chat_id, title, creator_id=owner)
    async with tg.app.sessionmaker.begin() as session:
        session.add(
            BuildingChat(
                building_id=building.id,
                chat_id=chat_id,
                title=title,
                language=language,
                active=True,
                bound_at=tg.clock.now(),
            )
        )


async def resident(tg: Telegram, building: Building, user_id: int, name: str, language: str) -> Person:
    await resident_of(tg, building, user_id, name, language=language)
    return tg.person(user_id, name, language_code=language)


async def the_beat(tg: Telegram) -> Beat:
    """The cast above, made through the services; the administrator opens the bot herself."""
    nurlan, (a1, a2, a3) = await inspector_serving(
        tg,
        NURLAN,
        "Nurlan Abenov",
        language="en",
        hours=(8, 17),
        serves=[("A-1", "Abay ave 10", ALMATY), ("A-2", "Abay ave 12", ALMATY), ("A-3", "Abay ave 14", ALMATY)],
    )
    rustam, (b1, t1) = await inspector_serving(
        tg,
        RUSTAM,
        "Rustam Karimov",
        language="ru",
        hours=(10, 19),
        serves=[("B-1", "Chui ave 5", BISHKEK), ("T-1", "Navoi st 7", TASHKENT)],
    )
    for building, chat_id, language, owner in (
        (a1, CHAT_A1, "kk", NURLAN),
        (a2, CHAT_A2, "ru", NURLAN),
        (a3, CHAT_A3, "en", NURLAN),
        (b1, CHAT_B1, "ru", RUSTAM),
        (t1, CHAT_T1, "en", RUSTAM),
    ):
        await chat_of(tg, building, chat_id, language, owner=owner)
    await resident(tg, b1, AIDA, "Aida", "ru")

    # The administrator opens the bot: from now on it writes to her in Kazakh.
    admin = tg.person(ADMIN, "Aigerim", language_code="kk")
    await admin.send("/start")
    async with tg.app.sessionmaker() as session:
        assert await people.languages(session, [ADMIN]) == {ADMIN: "kk"}

    return Beat(
        nurlan=tg.person(NURLAN, "Nurlan", language_code="en"),
        rustam=tg.person(RUSTAM, "Rustam", language_code="ru"),
        admin=admin,
        dana=await resident(tg, a1, DANA, "Dana", "en"),
        asel=await resident(tg, a1, ASEL, "Asel", "kk"),
        oleg=await resident(tg, a2, OLEG, "Oleg", "ru"),
        mark=await resident(tg, a3, MARK, "Mark", "en"),
        bakyt=await resident(tg, b1, BAKYT, "Bakyt", "en"),
        timur=await resident(tg, t1, TIMUR, "Timur", "en"),
        inspector_ids={NURLAN: nurlan.id, RUSTAM: rustam.id},
    )


# --- what people do -------------------------------------------------------------------------------------------


async def announce_meeting(tg: Telegram, inspector: Person, codes: tuple[str, ...], typed: str, place: str) -> None:
    """/meeting: the buildings, the time typed in their zone, the place, the agenda, then Publish."""
    picker = (await inspector.send("/meeting")).last
    for code in codes:
        await inspector.press(picker, code)
    await inspector.press(picker, "Done")
    reply = await inspector.send(typed)
    assert "Where will it be?" in reply.text, reply.text
    await inspector.send(place)
    preview = (await inspector.send("Order in the yard; the quarter's figures")).last
    reply = await inspector.press(preview, "Publish")
    assert "The meeting is announced" in reply.text
    await tg.drain()


async def cancel_meeting(tg: Telegram, inspector: Person, day: str) -> None:
    """/meetings, the meeting's card, Cancel the meeting, Yes."""
    listing = (await inspector.send("/meetings")).last
    card = (await inspector.press(listing, day)).last
    await inspector.press(card, "Cancel the meeting")
    reply = await inspector.press(card, "Yes, cancel it")
    assert "is cancelled" in reply.text
    await tg.drain()


async def meeting_id(tg: Telegram, place: str) -> int:
    async with tg.app.sessionmaker() as session:
        found = await session.scalar(select(Meeting.id).where(Meeting.place == place))
    assert found is not None
    return found


async def will_come(tg: Telegram, person: Person, chat_id: int, place: str) -> None:
    """The resident presses "I will come" under the meeting's announcement in the building chat."""
    data = MeetingCb(action="yes", meeting_id=await meeting_id(tg, place)).pack()
    await person.press_data(message_with_button(tg, chat_id, data), data, require_button=True)
    await tg.drain()


def message_with_button(tg: Telegram, chat_id: int, data: str) -> dict[str, Any]:
    """The latest message in the chat, as it shows now, with that button (found by its data: labels get translated)."""
    return next(
        message
        for message in reversed(tg.fake.chat_history(chat_id))
        if any(button.get("callback_data") == data for row in _keyboard(message) for button in row)
    )


async def planned_meeting(
    tg: Telegram, inspector: int, codes: tuple[str, ...], starts_at: datetime, zone: str, place: str
) -> int:
    """A meeting the inspector planned (Rustam's are made directly: the dialog has its own stories)."""
    async with tg.app.sessionmaker.begin() as session:
        inspector_id = await session.scalar(select(Inspector.id).where(Inspector.user_id == inspector))
        meeting = Meeting(
            draft_key=place,
            inspector_id=inspector_id,
            author_id=inspector,
            starts_at=starts_at,
            timezone=zone,
            place=place,
            agenda="Order in the yard",
            status=MeetingStatus.PLANNED.value,
            sequence=0,
            created_at=tg.clock.now(),
        )
        session.add(meeting)
        await session.flush()
        for building in await session.scalars(select(Building).where(Building.code.in_(codes))):
            await session.execute(
                Meeting.buildings.property.secondary.insert().values(meeting_id=meeting.id, building_id=building.id)
            )
    return meeting.id


async def answers_yes(tg: Telegram, user_id: int, chat_id: int, meeting: int) -> None:
    """ "I will come" to a meeting made directly (it has no announcement to press under)."""
    async with tg.app.sessionmaker.begin() as session:
        session.add(Rsvp(meeting_id=meeting, user_id=user_id, chat_id=chat_id, answer="yes", at=tg.clock.now()))


async def act_on_appeal(tg: Telegram, inspector: Person, number: int, action: str) -> None:
    """Take or Resolve, pressed under the appeal's card."""
    appeal = await appeal_by_number(tg, number)
    data = StaffCb(action=action, appeal_id=appeal.id).pack()
    await inspector.press_data(message_with_button(tg, inspector.id, data), data, require_button=True)
    await tg.drain()


async def answer_appeal(tg: Telegram, inspector: Person, number: int, text: str) -> None:
    """The inspector replies to the appeal's card: the answer goes to the resident (the first response)."""
    appeal = await appeal_by_number(tg, number)
    card = message_with_button(tg, inspector.id, StaffCb(action="take", appeal_id=appeal.id).pack())
    await inspector.reply_to(card, text)
    await tg.drain()


async def turn_chat_week_off(tg: Telegram, inspector: Person) -> None:
    card = (await inspector.send("/chat_week")).last
    await inspector.press_data(card, ChatWeekCb(on=False, card=True).pack(), require_button=True)
    async with tg.app.sessionmaker() as session:
        assert await session.scalar(select(Inspector.chat_week).where(Inspector.user_id == inspector.id)) is False


async def publish_report(tg: Telegram, inspector_id: int, quarter: str) -> None:
    """The quarterly reports feature fills this later; its publication is all the scheduler looks at."""
    async with tg.app.sessionmaker.begin() as session:
        session.add(
            Report(
                draft_key=f"r-{inspector_id}-{quarter}",
                inspector_id=inspector_id,
                author_id=0,
                quarter=quarter,
                figures={},
                created_at=tg.clock.now(),
                published_at=tg.clock.now(),
            )
        )


def _keyboard(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return list((message.get("reply_markup") or {}).get("inline_keyboard", []))


# --- what arrives, and when ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """A message the scheduler made, as it reached its chat: when (the clock at the tick that sent it) and what."""

    chat: int
    at: datetime
    text: str

    @property
    def local(self) -> str:
        return local_time(self.at, ZONE[self.chat])

    @property
    def what(self) -> str:
        return what_it_is(self.text)


def what_it_is(text: str) -> str:
    """The kind of reminder, and what it is about, from markers no translation changes."""
    number = re.search(r"№(\d+)", text)
    about = f" №{number.group(1)}" if number else ""
    if text.startswith("🗓"):
        return DIGEST
    if text.startswith("📊"):
        return PREPARE
    if text.startswith("📅") and "👥" in text:
        return f"{WEEK_POST}: " + "; ".join(re.findall(r"📍 (.+)", text))
    if text.startswith("📅"):
        return f"{MONTHLY}: " + " ".join(re.findall(r"^• (\S+) — ", text, re.MULTILINE))
    if text.startswith("⏰") and "🕖" in text:
        return f"{MEETING} at " + "; ".join(re.findall(r"📍 (.+)", text))
    if text.startswith("⏰"):
        return FIRST + about if number else LATE
    if text.startswith("⏳"):
        return SOON + about if "🏢" in text else f"{MISSED}: {text.count(chr(10) + '• ')}"
    if text.startswith("⚠"):
        return OVERDUE + about
    if text.startswith("🚨"):
        return ESCALATION + about
    return "unexpected: " + text[:60]


class Journal:
    """Notes every message that appears in any chat during a tick, with the clock's time; what people's actions
    bring (dialog replies, announcements) is set aside before the next tick."""

    def __init__(self, tg: Telegram) -> None:
        self._tg = tg
        self._seen: dict[int, int] = {}
        self.arrivals: list[Arrival] = []

    def set_aside(self) -> None:
        self._seen = {chat: len(messages) for chat, messages in self._tg.fake.sent.items()}

    def note(self) -> list[Arrival]:
        new = []
        for chat, messages in self._tg.fake.sent.items():
            for message in messages[self._seen.get(chat, 0) :]:
                new.append(Arrival(chat, self._tg.clock.now(), message.get("text") or message.get("caption") or ""))
            self._seen[chat] = len(messages)
        self.arrivals += new
        return new

    def to(self, chat: int, what: str | None = None) -> list[Arrival]:
        """What reached the chat (of that kind)."""
        return [a for a in self.arrivals if a.chat == chat and (what is None or a.what.startswith(what))]


async def tick_at(tg: Telegram, journal: Journal, moment: datetime) -> list[Arrival]:
    """One tick at that moment; what it sent, as it arrived."""
    journal.set_aside()
    tg.clock.at = moment
    await tg.tick()
    return journal.note()


class Walk:
    """The scheduler ticking as time goes by, people acting in between.

    A tick plans every kind, some 50-120 ms (more on a busy machine): a quarter ticked every hour would take two to
    four minutes per database.
    The rhythm: every hour from 2 hours before each moment something is due until an hour after it, and every
    6 hours (00:00, 06:00, 12:00, 18:00 UTC) otherwise. A due reminder is thus seen not to come early, to come at its
    hour, and not to come again; and none waits longer than the grace (6 hours), which would make it "missed" — a
    story of its own, below. Every reminder of this beat falls due on a whole hour.
    """

    BEFORE, AFTER, OTHERWISE = timedelta(hours=2), timedelta(hours=1), 6

    def __init__(self, tg: Telegram, journal: Journal, *, hourly_around: Iterable[datetime] = (), always: bool = False):
        self._tg, self._journal, self._always = tg, journal, always
        self._hourly = {
            moment - self.BEFORE + timedelta(hours=hour)
            for moment in hourly_around
            for hour in range((self.BEFORE + self.AFTER) // timedelta(hours=1) + 1)
        }

    def _ticks_at(self, moment: datetime) -> bool:
        return self._always or moment.hour % self.OTHERWISE == 0 or moment in self._hourly

    async def until(self, moment: datetime) -> None:
        """Tick at the rhythm's hours after the clock's time, and at `moment` itself, where the clock then stays for
        what people do next."""
        hour = self._tg.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while hour < moment:
            if self._ticks_at(hour):
                await tick_at(self._tg, self._journal, hour)
            hour += timedelta(hours=1)
        await tick_at(self._tg, self._journal, moment)


# --- what should arrive -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A reminder that should reach `chat` once, at `local` time there, and say `says` (Babel's words in the
    reader's language, the appeal's number, a code...)."""

    chat: int
    local: str
    what: str
    says: tuple[str, ...] = ()

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.local).replace(tzinfo=ZoneInfo(ZONE[self.chat])).astimezone(UTC)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.chat, self.local, self.what)


def day_in(language: str, day: date) -> str:
    """14 October 2026 / 14 октября 2026 / 14 қазан 2026."""
    return format_date(day, "d MMMM y", locale=language)


def month_in(language: str, day: date) -> str:
    """October 2026 / Октябрь 2026 (at the head of the line, capitalised in every language)."""
    name = format_date(day, "LLLL y", locale=language)
    return name[:1].upper() + name[1:]


def mondays(first: date, last: date) -> Iterable[date]:
    day = first + timedelta(days=-first.weekday() % 7)
    while day <= last:
        yield day
        day += timedelta(days=7)


def weekly_digests() -> list[Due]:
    """Monday 09:00 in Almaty for Nurlan; 09:00 in Bishkek is before Rustam's day starts, so his comes at 10:00."""
    return [
        due
        for monday in mondays(date(2026, 10, 1), date(2027, 1, 5))
        for due in (
            Due(NURLAN, f"{monday} 09:00", DIGEST, (day_in("en", monday),)),
            Due(RUSTAM, f"{monday} 10:00", DIGEST, (day_in("ru", monday),)),
        )
    ]


ALL_A = "A-1 A-2 A-3"
ALL_B = "B-1 T-1"
# Days 1, 8, 15, 22, 29 at the start of the inspector's day: the buildings with no meeting held or planned that month.
# M1 is planned on 2 October; M2 on 3 November and cancelled on the 10th; M3 (all of Nurlan's) on
# 18 December. M5 (B-1) on 20 October for 4 November; M4 (all of Rustam's) on 18 December.
MONTHLY_NURLAN = {
    "2026-10-01": ALL_A,
    "2026-10-08": "A-3",
    "2026-10-15": "A-3",
    "2026-10-22": "A-3",
    "2026-10-29": "A-3",
    "2026-11-01": ALL_A,
    "2026-11-08": "A-1 A-2",
    "2026-11-15": ALL_A,
    "2026-11-22": ALL_A,
    "2026-11-29": ALL_A,
    "2026-12-01": ALL_A,
    "2026-12-08": ALL_A,
    "2026-12-15": ALL_A,
    "2027-01-01": ALL_A,
}
MONTHLY_RUSTAM = {
    "2026-10-01": ALL_B,
    "2026-10-08": ALL_B,
    "2026-10-15": ALL_B,
    "2026-10-22": ALL_B,
    "2026-10-29": ALL_B,
    "2026-11-01": "T-1",
    "2026-11-08": "T-1",
    "2026-11-15": "T-1",
    "2026-11-22": "T-1",
    "2026-11-29": "T-1",
    "2026-12-01": ALL_B,
    "2026-12-08": ALL_B,
    "2026-12-15": ALL_B,
    "2027-01-01": ALL_B,
}


def monthly_lists() -> list[Due]:
    return [
        Due(inspector, f"{day} {start}", f"{MONTHLY}: {codes}", (month_in(language, date.fromisoformat(day)),))
        for inspector, language, start, table in (
            (NURLAN, "en", "08:00", MONTHLY_NURLAN),
            (RUSTAM, "ru", "10:00", MONTHLY_RUSTAM),
        )
        for day, codes in table.items()
    ]


def week_posts() -> list[Due]:
    """Monday 10:00 in the building's zone, in a week with a meeting coming. Not in A-3's chat on 16 November (its
    meeting was cancelled), not in Rustam's chats on 21 December (he turned the post off)."""
    m1, m3, m5 = (f"{WEEK_POST}: {place}" for place in (M1_PLACE, M3_PLACE, M5_PLACE))
    return [
        Due(CHAT_A1, "2026-10-12 10:00", m1, ("сәрсенбі, 14 қазан 2026, 19:00",)),
        Due(CHAT_A2, "2026-10-12 10:00", m1, ("среда, 14 октября 2026, 19:00",)),
        Due(CHAT_B1, "2026-11-02 10:00", m5, ("среда, 4 ноября 2026, 18:00",)),
        Due(CHAT_A1, "2026-12-21 10:00", m3, ("сенбі, 26 желтоқсан 2026, 11:00",)),
        Due(CHAT_A2, "2026-12-21 10:00", m3, ("суббота, 26 декабря 2026, 11:00",)),
        Due(CHAT_A3, "2026-12-21 10:00", m3, ("Saturday, 26 December 2026, 11:00",)),
    ]


def meeting_reminders() -> list[Due]:
    """24 and 2 hours before, to the buildings' chats and to the residents who will come. Mark's meeting (M2) was
    cancelled: nothing. M4's two-hour reminder falls at 07:00 in Tashkent: T-1's chat hears it at 08:00."""
    m1, m3, m4, m5 = (f"{MEETING} at {place}" for place in (M1_PLACE, M3_PLACE, M4_PLACE, M5_PLACE))
    m1_kk, m1_ru = "сәрсенбі, 14 қазан 2026, 19:00", "среда, 14 октября 2026, 19:00"
    m3_kk, m3_ru, m3_en = "сенбі, 26 желтоқсан 2026, 11:00", "суббота, 26 декабря 2026, 11:00", "Saturday, 26 December"
    m4_ru, m4_en = "среда, 23 декабря 2026, 10:00", "Wednesday, 23 December 2026, 09:00"
    m5_ru = "среда, 4 ноября 2026, 18:00"
    return [
        *(
            Due(chat, local, m1, (says,))
            for local in ("2026-10-13 19:00", "2026-10-14 17:00")
            for chat, says in ((CHAT_A1, m1_kk), (CHAT_A2, m1_ru), (ASEL, m1_kk), (OLEG, m1_ru))
        ),
        Due(CHAT_B1, "2026-11-03 18:00", m5, (m5_ru,)),
        Due(CHAT_B1, "2026-11-04 16:00", m5, (m5_ru,)),
        *(
            Due(chat, local, m4, (says,))
            for chat, local, says in (
                (CHAT_B1, "2026-12-22 10:00", m4_ru),
                (CHAT_T1, "2026-12-22 09:00", m4_en),
                (AIDA, "2026-12-22 10:00", m4_ru),
                (CHAT_B1, "2026-12-23 08:00", m4_ru),
                (CHAT_T1, "2026-12-23 08:00", m4_en),  # due at 07:00 there: quiet hours
                (AIDA, "2026-12-23 08:00", m4_ru),
            )
        ),
        *(
            Due(chat, local, m3, (says,))
            for local in ("2026-12-25 11:00", "2026-12-26 09:00")
            for chat, says in ((CHAT_A1, m3_kk), (CHAT_A2, m3_ru), (CHAT_A3, m3_en), (OLEG, m3_ru))
        ),
    ]


def appeal_deadlines() -> list[Due]:
    """№1 (A-1): taken at once, recalled two days before its deadline, resolved in time.
    №2 (A-1): sent at 20:00, after Nurlan's day: its first response, due at 20:00 the next day, waits for his morning;
    so do its deadline's reminders; overdue from 27 October 20:00, recalled each morning (and escalated to the
    administrator at 09:00) until resolved on the 30th.
    №3 (B-1): its first response overdue at noon in Bishkek; taken; recalled two days before; resolved.
    №4 (T-1): answered in time, still open at its deadline (16 December 09:00 in Tashkent, 10:00 in Bishkek):
    recalled, then overdue daily to Rustam and the administrator until resolved on the 18th."""
    n2_due_en, n2_due_kk = "27 October 2026, 20:00", "27 қазан 2026, 20:00"
    n4_due_ru, n4_due_kk = "16 декабря 2026, 09:00", "16 желтоқсан 2026, 09:00"
    return [
        Due(NURLAN, "2026-10-18 11:00", f"{SOON} №1", ("20 October 2026, 11:00",)),
        Due(NURLAN, "2026-10-14 08:00", f"{FIRST} №2", ("13 October 2026, 20:00",)),
        Due(NURLAN, "2026-10-26 08:00", f"{SOON} №2", (n2_due_en,)),
        *(Due(NURLAN, f"2026-10-{day} 08:00", f"{OVERDUE} №2", (n2_due_en,)) for day in (28, 29, 30)),
        *(Due(ADMIN, f"2026-10-{day} 09:00", f"{ESCALATION} №2", (n2_due_kk, "Nurlan Abenov")) for day in (28, 29, 30)),
        Due(RUSTAM, "2026-11-17 12:00", f"{FIRST} №3", ("17 ноября 2026, 12:00",)),
        Due(RUSTAM, "2026-11-29 12:00", f"{SOON} №3", ("1 декабря 2026, 12:00",)),
        Due(RUSTAM, "2026-12-14 10:00", f"{SOON} №4", (n4_due_ru,)),
        *(Due(RUSTAM, f"2026-12-{day} 10:00", f"{OVERDUE} №4", (n4_due_ru,)) for day in (16, 17, 18)),
        *(
            Due(ADMIN, f"2026-12-{day} 09:00", f"{ESCALATION} №4", (n4_due_kk, "Rustam Karimov"))
            for day in (16, 17, 18)
        ),
    ]


def quarterly() -> list[Due]:
    """14 days before the quarter ends, both prepare; on 5 January only Rustam has not published his report."""
    return [
        Due(NURLAN, "2026-12-17 08:00", PREPARE, ("Q4 2026", "31 December")),
        Due(RUSTAM, "2026-12-17 10:00", PREPARE, ("4-й кв. 2026", "31 декабря")),
        Due(RUSTAM, "2027-01-05 10:00", LATE, ("4-й кв. 2026",)),
        Due(ADMIN, "2027-01-05 09:00", LATE, ("IV тқс. 2026", "Rustam Karimov")),
    ]


def the_quarter() -> list[Due]:
    return [*weekly_digests(), *monthly_lists(), *week_posts(), *meeting_reminders(), *appeal_deadlines(), *quarterly()]


# --- checks ------------------------------------------------------------------------------------------------


def assert_arrived_once_each(journal: Journal, expected: list[Due], *, until: datetime) -> None:
    """Everything due by then arrived exactly once, in its chat, at its local time; nothing else did; and each says
    what it should in its reader's language."""
    due = [d for d in expected if d.at <= until]
    assert len({d.key for d in due}) == len(due), "the expectations name each reminder once"
    arrived = Counter((a.chat, a.local, a.what) for a in journal.arrivals)
    wanted = Counter(d.key for d in due)
    missing, unexpected = wanted - arrived, arrived - wanted
    assert not missing and not unexpected, f"missing: {sorted(missing)}\nunexpected (or twice): {sorted(unexpected)}"
    by_key = {(a.chat, a.local, a.what): a for a in journal.arrivals}
    for d in due:
        text = by_key[d.key].text
        for part in d.says:
            assert part in text, f"{d.what} to {d.chat} at {d.local} should say {part!r}:\n{text}"


def assert_each_read_in_their_hours(journal: Journal) -> None:
    """Inspectors within their working hours, the administrator in office hours, chats and residents outside quiet
    hours — all in their own zone; digests on Monday."""
    for arrival in journal.arrivals:
        local = arrival.at.astimezone(ZoneInfo(ZONE[arrival.chat]))
        start, end = HOURS.get(arrival.chat, NOT_QUIET)
        assert start <= local.hour < end, f"{arrival.what} reached {arrival.chat} at {arrival.local}"
        if arrival.what == DIGEST:
            assert local.weekday() == 0, f"a digest on {arrival.local}"


async def reminder_rows(tg: Telegram) -> list[tuple[str, str, datetime]]:
    async with tg.app.sessionmaker() as session:
        rows = await session.execute(select(Reminder.kind, Reminder.status, Reminder.due_at))
        return [(kind, status, due_at) for kind, status, due_at in rows]


# --- the quarter ----------------------------------------------------------------------------------------------


async def test_a_whole_quarter_of_a_beat_every_reminder_arrives_once_in_its_readers_language_at_local_time(
    tg: Telegram,
) -> None:
    tg.clock.at = utc(2026, 9, 30, 12)
    beat = await the_beat(tg)
    journal = Journal(tg)
    expected = the_quarter()
    walk = Walk(tg, journal, hourly_around=[due.at for due in expected])

    # October. Nurlan announces M1 for; Asel and Oleg will come; Mark proposes a bench.
    await walk.until(utc(2026, 10, 2, 5))  # Friday 10:00 in Almaty
    await announce_meeting(tg, beat.nurlan, ("A-1", "A-2"), "14.10 19:00", M1_PLACE)
    await walk.until(utc(2026, 10, 3, 6))
    await will_come(tg, beat.asel, CHAT_A1, M1_PLACE)
    await will_come(tg, beat.oleg, CHAT_A2, M1_PLACE)
    await walk.until(utc(2026, 10, 5, 6))  # Monday 11:00 in Almaty: Dana's first appeal
    await send_appeal(beat.dana, "Loud music every night after 23:00 in flat 12.")
    await walk.until(utc(2026, 10, 5, 10))
    await act_on_appeal(tg, beat.nurlan, 1, "take")
    await walk.until(utc(2026, 10, 7, 8))
    reply = await beat.mark.send("/propose A bench by entrance 1")
    await beat.mark.press(reply.last, "Send")
    await tg.drain()
    await walk.until(utc(2026, 10, 12, 15))  # Monday 20:00 in Almaty, after Nurlan's day: appeal №2
    [digest] = [a.text for a in journal.to(NURLAN, DIGEST) if a.local == "2026-10-12 09:00"]
    assert "Your week from 12 October 2026" in digest and "📨 1 open appeal" in digest
    assert f"• 14 October 2026, 19:00 — {M1_PLACE} · 2 will come" in digest
    assert "💡 1 proposal from residents waits for your decision" in digest
    assert "☐ A-1 — Abay ave 10\n☐ A-2 — Abay ave 12\n☐ A-3 — Abay ave 14" in digest
    [russian] = [a.text for a in journal.to(RUSTAM, DIGEST) if a.local == "2026-10-12 10:00"]
    assert "12 октября 2026" in russian and "☐ B-1 — Chui ave 5\n☐ T-1 — Navoi st 7" in russian
    await send_appeal(beat.dana, "A car blocks the fire passage every evening.")
    await walk.until(utc(2026, 10, 14, 4))  # Wednesday 09:00: the first response reminder came at 08:00
    await act_on_appeal(tg, beat.nurlan, 2, "take")
    await walk.until(utc(2026, 10, 19, 5))
    await act_on_appeal(tg, beat.nurlan, 1, "resolve")
    await walk.until(utc(2026, 10, 20, 6))  # Rustam plans M5 for B-1
    await planned_meeting(tg, RUSTAM, ("B-1",), utc(2026, 11, 4, 12), BISHKEK, M5_PLACE)
    await walk.until(utc(2026, 10, 30, 7))  # Friday 12:00: №2, overdue since Tuesday, is resolved
    await act_on_appeal(tg, beat.nurlan, 2, "resolve")
    await walk.until(utc(2026, 11, 1))
    assert_arrived_once_each(journal, expected, until=tg.clock.now())

    # November. Nurlan announces M2 for A-3 (Mark will come) and cancels it; Rustam turns the weekly chat post off;
    # Bakyt's appeal.
    await walk.until(utc(2026, 11, 3, 6))
    await announce_meeting(tg, beat.nurlan, ("A-3",), "20.11 18:00", M2_PLACE)
    await will_come(tg, beat.mark, CHAT_A3, M2_PLACE)
    await walk.until(utc(2026, 11, 10, 6))
    await cancel_meeting(tg, beat.nurlan, "20 November 2026")
    await turn_chat_week_off(tg, beat.rustam)
    await walk.until(utc(2026, 11, 16, 6))  # Monday 12:00 in Bishkek
    await send_appeal(beat.bakyt, "Teenagers drink on the playground at night.")
    await walk.until(utc(2026, 11, 17, 8))  # 14:00 in Bishkek: the first response reminder came at noon
    await act_on_appeal(tg, beat.rustam, 3, "take")
    await walk.until(utc(2026, 11, 30, 5))
    await act_on_appeal(tg, beat.rustam, 3, "resolve")
    await walk.until(utc(2026, 12, 1))
    assert_arrived_once_each(journal, expected, until=tg.clock.now())
    assert journal.to(MARK) == [], "Mark's meeting was cancelled: no reminders"
    assert journal.to(CHAT_A3) == [], "nor in A-3's chat, nor a weekly post of it"

    # December. Timur's appeal, answered but left open past its deadline; the report meetings M3 and M4.
    await walk.until(utc(2026, 12, 1, 4))  # Tuesday 09:00 in Tashkent
    await send_appeal(beat.timur, "The lift in entrance 3 has not worked for a week.")
    await walk.until(utc(2026, 12, 1, 10))  # 16:00 in Bishkek
    await answer_appeal(tg, beat.rustam, 4, "Мы написали в управляющую компанию.")
    await walk.until(utc(2026, 12, 18, 5))  # 10:00 in Almaty, 11:00 in Bishkek: after the prepare reminders
    await announce_meeting(tg, beat.nurlan, ("A-1", "A-2", "A-3"), "26.12 11:00", M3_PLACE)
    await will_come(tg, beat.oleg, CHAT_A2, M3_PLACE)
    m4 = await planned_meeting(tg, RUSTAM, ("B-1", "T-1"), utc(2026, 12, 23, 4), BISHKEK, M4_PLACE)
    await answers_yes(tg, AIDA, CHAT_B1, m4)
    await walk.until(utc(2026, 12, 18, 9))  # 15:00 in Bishkek: №4 is resolved, overdue since the 16th
    await act_on_appeal(tg, beat.rustam, 4, "resolve")
    await walk.until(utc(2027, 1, 1))
    assert_arrived_once_each(journal, expected, until=tg.clock.now())
    rustams_posts = [a.local for a in journal.arrivals if a.chat in (CHAT_B1, CHAT_T1) and a.what.startswith(WEEK_POST)]
    assert rustams_posts == ["2026-11-02 10:00"], "Rustam turned the weekly post off on 10 November"

    # January: Nurlan publishes his report on the 3rd, Rustam does not; the 5th day of the quarter passes.
    await walk.until(utc(2027, 1, 3, 6))
    await publish_report(tg, beat.inspector_ids[NURLAN], "2026Q4")
    await walk.until(utc(2027, 1, 6))
    assert_arrived_once_each(journal, expected, until=tg.clock.now())
    assert_each_read_in_their_hours(journal)
    assert journal.to(NURLAN, LATE) == [] and all("Nurlan" not in a.text for a in journal.to(ADMIN, LATE))
    assert journal.to(ADMIN, MISSED) == [] and journal.to(NURLAN, MISSED) == []

    # The table agrees: nothing due is left pending, nothing was missed, and each row sent made one message.
    rows = await reminder_rows(tg)
    assert [row for row in rows if row[1] == "pending" and row[2] <= tg.clock.now()] == []
    assert {status for _kind, status, _due in rows} <= {"sent", "skipped", "pending"}
    assert sum(1 for row in rows if row[1] == "sent") == len(journal.arrivals) == len(expected)


# --- a downtime of two days -----------------------------------------------------------------------------------


async def test_after_two_days_down_what_is_still_fresh_goes_at_the_first_tick_and_the_rest_is_listed_as_missed(
    tg: Telegram,
) -> None:
    tg.clock.at = utc(2026, 12, 11)
    beat = await the_beat(tg)
    journal = Journal(tg)
    walk = Walk(tg, journal, always=True)  # five days: every hour
    # Saturday: Dana writes an appeal (its first response is due on Sunday 15:00), and Nurlan plans a meeting of A-1
    # and A-2 for Tuesday 12:00 in Almaty.
    await walk.until(utc(2026, 12, 12, 10))
    await send_appeal(beat.dana, "Loud music every night after 23:00 in flat 12.")
    await announce_meeting(tg, beat.nurlan, ("A-1", "A-2"), "15.12 12:00", M3_PLACE)
    await walk.until(utc(2026, 12, 13, 6))
    before = len(journal.arrivals)

    # The bot is down from Sunday 11:00 in Almaty until Tuesday 11:00 (06:00 UTC): no ticks for two days. Due
    # meanwhile: the first response (Sunday 15:00), Monday's digests (09:00; Rustam's 09:00 in Bishkek), the
    # meeting's 24-hour reminders (Monday 12:00) and the weekly posts in its chats (Monday 10:00) — all older than
    # the grace (6 hours) — and, within it, the meeting's 2-hour reminders (10:00 today) and the monthly lists of
    # the 15th (08:00 in Almaty, 10:00 in Bishkek).
    restart = await tick_at(tg, journal, utc(2026, 12, 15, 6))

    assert sorted((a.chat, a.what) for a in restart) == sorted(
        [
            *((chat, f"{MEETING} at {M3_PLACE}") for chat in (CHAT_A1, CHAT_A2)),
            (NURLAN, f"{MONTHLY}: A-3"),
            (RUSTAM, f"{MONTHLY}: {ALL_B}"),
            (NURLAN, f"{MISSED}: 6"),
            (RUSTAM, f"{MISSED}: 1"),
        ]
    ), "the fresh ones at once, and one list of what was missed per inspector"
    [nurlans] = [a.text for a in restart if a.chat == NURLAN and a.what.startswith(MISSED)]
    assert "14 December 2026, 09:00 — the weekly digest of 14 December 2026" in nurlans
    assert "13 December 2026, 15:00 — reminder that appeal №1 (A-1, Public order and noise) had no first" in nurlans
    for chat in ("A-1", "A-2"):
        assert f"14 December 2026, 12:00 — reminder to the chat «{chat} neighbours» of the meeting on 15 Dec" in nurlans
        assert f"14 December 2026, 10:00 — the weekly post in the chat «{chat} neighbours»" in nurlans
    [rustams] = [a.text for a in restart if a.chat == RUSTAM and a.what.startswith(MISSED)]
    assert "14 декабря 2026" in rustams, "in Rustam's language"

    # What was missed never comes late; the days go on as usual.
    await walk.until(utc(2026, 12, 16, 12))
    after = journal.arrivals[before + len(restart) :]
    assert [a for a in after if a.what in (DIGEST, f"{FIRST} №1") or a.what.startswith(WEEK_POST)] == []
    assert [a.what for a in after if a.chat in (CHAT_A1, CHAT_A2)] == []
    assert_each_read_in_their_hours(journal)
    rows = await reminder_rows(tg)
    assert sum(1 for row in rows if row[1] == "missed") == 7
    assert [row for row in rows if row[1] == "pending" and row[2] <= tg.clock.now()] == []
