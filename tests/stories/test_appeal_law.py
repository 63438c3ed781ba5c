"""Appeals by the law of the building's country: a Kazakh and an Uzbek building side by side, each appeal with its
receipt, its countdown and its reminders by its own law; an extension the head approves and the resident hears of;
an appeal outside the police sent on to the body it belongs to.

Nurlan serves A-12 in Almaty (Kazakhstan: 15 working days) and U-1 in Tashkent (Uzbekistan: 15 calendar days for
an application or a complaint, a month for a proposal). Both zones are UTC+5.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import buildings, reports
from bot.services.quarters import Quarter
from bot.services.reports import ReportBuilding
from models import Appeal, AppealEvent, AppealStatus, AuditEvent, Building, User
from tests.conftest import ADMIN_ID
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import Person, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, district, resident_of

UZ_RESIDENT_ID = 3002
FRIDAY_EVENING = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # 19:00 in Almaty and Tashkent: after working hours
KZ_LAW = "АППК РК (29.06.2020 № 350-VI)"


async def uzbek_building(tg: Telegram, d: District, *, inspector: bool = True) -> Building:
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code="U-1", address="Navoi st 5", district=None, timezone="Asia/Tashkent",
            actor_id=ADMIN_ID, country="UZ",
        )  # fmt: skip
        if inspector:
            await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
    return building


async def side_by_side(tg: Telegram, *, uz_inspector: bool = True) -> tuple[District, Person, Person, Person]:
    """A-12 (KZ) and U-1 (UZ); Dana lives in A-12, Bobur in U-1; both residents and Nurlan read English."""
    d = await district(tg)
    uz = await uzbek_building(tg, d, inspector=uz_inspector)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    await resident_of(tg, uz, UZ_RESIDENT_ID, "Bobur")
    return (
        d,
        tg.person(RESIDENT_ID, "Dana", language_code="en"),
        tg.person(UZ_RESIDENT_ID, "Bobur", language_code="en"),
        tg.person(INSPECTOR_ID, "Nurlan", language_code="en"),
    )


async def english_admin(tg: Telegram) -> Person:
    async with tg.app.sessionmaker.begin() as session:
        session.add(User(id=ADMIN_ID, first_name="Aigerim", language="en", reachable=True, created_at=tg.clock.now()))
    return tg.person(ADMIN_ID, "Aigerim", language_code="en")


async def send_uzbek_complaint(
    bobur: Person, text: str = "The neighbours' dog attacks children in the yard.", *, kind: str = "Complaint"
) -> str:
    """The intake with its kind step: returns what Bobur read when choosing the kind; then the appeal is sent."""
    reply = await bobur.send("/appeal")
    reply = await bobur.press(reply.last, "Public order")
    question = reply.text
    assert [b["text"] for b in reply.buttons()] == ["Application", "Complaint", "Proposal"]
    reply = await bobur.press(reply.last, kind)
    await bobur.send(text)
    prompt = [m for m in bobur.tg.fake.sent_to(bobur.id) if "Next" in str(m.get("reply_markup"))][-1]
    reply = await bobur.press(prompt, "Next")
    reply = await bobur.press(reply.last, "with my name")
    assert f"Kind: {kind}" in reply.text
    await bobur.press(reply.last, "Send")
    return question


async def send_uzbek_proposal(bobur: Person, text: str = "Put a streetlight by the playground.") -> None:
    await send_uzbek_complaint(bobur, text, kind="Proposal")


def message_with(tg: Telegram, chat_id: int, marker: str) -> dict[str, object]:
    return next(m for m in reversed(tg.fake.sent_to(chat_id)) if marker in (m.get("text") or ""))


def card_of(tg: Telegram, chat_id: int, number: int) -> dict[str, object]:
    return message_with(tg, chat_id, f"📨 Appeal №{number}")


def said(tg: Telegram, chat_id: int, marker: str) -> list[str]:
    return [text for m in tg.fake.sent_to(chat_id) if marker in (text := m.get("text") or "")]


async def at(tg: Telegram, moment: datetime, *, times: int = 2) -> None:
    tg.clock.at = moment
    for _ in range(times):
        await tg.tick()


def local_due(appeal: Appeal, zone: str) -> date:
    return appeal.due_at.astimezone(ZoneInfo(zone)).date()


async def test_a_kazakh_and_an_uzbek_appeal_sent_on_friday_evening_each_follow_their_own_law(tg: Telegram) -> None:
    tg.clock.at = FRIDAY_EVENING
    _, dana, bobur, nurlan = await side_by_side(tg)

    # Kazakhstan: no kind to choose; registered on Monday, due on the 15th working day after (16 December is a
    # holiday).
    receipt = (await send_appeal(dana)).text
    assert "Your appeal is registered as №1." in receipt
    assert "Received: 4 December 2026, 19:00" in receipt
    assert "Registered on 7 December 2026: it arrived after working hours or on a day off." in receipt
    assert "Who will answer: Police captain Nurlan Abenov" in receipt
    assert f"Answer due by law: 29 December 2026 (15 working days by {KZ_LAW})" in receipt

    # Uzbekistan: the kind is asked, each with one plain sentence and its term; 15 calendar days from Monday.
    question = await send_uzbek_complaint(bobur)
    assert "Describe what happened" in texts_in(tg, UZ_RESIDENT_ID)
    assert "Complaint (15 days): Your rights or interests were harmed" in question
    assert "Proposal (1 month): You suggest how to make life" in question
    assert "Not sure? Choose Application." in question
    receipt = texts_in(tg, UZ_RESIDENT_ID)
    assert "Your appeal is registered as №2." in receipt and "Kind: Complaint" in receipt
    assert "Answer due by law: 22 December 2026 (15 days by ZRU-445 (11.09.2017))" in receipt

    first, second = await appeal_by_number(tg, 1), await appeal_by_number(tg, 2)
    assert (first.kind, local_due(first, "Asia/Almaty")) == ("appeal", date(2026, 12, 29))
    assert (second.kind, local_due(second, "Asia/Tashkent")) == ("complaint", date(2026, 12, 22))

    # The inspector's cards count down: working days in Kazakhstan, calendar days in Uzbekistan.
    assert "Deadline: due 29 December 2026 · 16 working days left" in card_of(tg, INSPECTOR_ID, 1)["text"]
    uz_card = str(card_of(tg, INSPECTOR_ID, 2)["text"])
    assert "Deadline: due 22 December 2026 · 18 days left" in uz_card and "Kind: Complaint" in uz_card
    queue = (await nurlan.send("/queue")).text
    assert "№1 · A-12 · new · due 29 December 2026 · 16 working days left" in queue
    assert "№2 · U-1 · new · due 22 December 2026 · 18 days left" in queue
    for number in (1, 2):
        await nurlan.press(card_of(tg, INSPECTOR_ID, number), "Take")

    # The reminders follow each law's date: two days before the Uzbek one (a Sunday night, so on Monday morning)...
    await at(tg, datetime(2026, 12, 21, 3, 59, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, "is due in") == []
    await at(tg, datetime(2026, 12, 21, 4, 0, tzinfo=UTC))  # 09:00 there: the inspector's day begins
    assert [text.split("\n")[0] for text in said(tg, INSPECTOR_ID, "is due in")] == ["⏳ Appeal №2 is due in 1 day."]
    # ...overdue the morning after its last day, while the Kazakh one still has its days.
    await at(tg, datetime(2026, 12, 23, 4, 0, tzinfo=UTC))
    assert [text.split("\n")[0] for text in said(tg, INSPECTOR_ID, "is overdue")] == [
        "⚠️ Appeal №2 is overdue by 1 day."
    ]
    await at(tg, datetime(2026, 12, 28, 4, 0, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, "Appeal №1 is due in")
    assert not [text for text in said(tg, INSPECTOR_ID, "is overdue") if "№1" in text]
    card = (await nurlan.press_data(card_of(tg, INSPECTOR_ID, 1), "ap:open:1")).text
    assert "due 29 December 2026 · 1 working day left" in card


async def test_an_extension_the_head_approves_moves_the_deadline_and_the_resident_is_told(tg: Telegram) -> None:
    _, dana, _, nurlan = await side_by_side(tg)
    admin = await english_admin(tg)
    await send_appeal(dana)  # Monday 23 November, 14:00: due 14 December
    await nurlan.press(card_of(tg, INSPECTOR_ID, 1), "Take")

    prompt = (await nurlan.press(card_of(tg, INSPECTOR_ID, 1), "Extend")).text
    assert "Now due: 14 December 2026" in prompt
    assert "The law allows at most: 23 January 2027" in prompt, "the whole term at most two months (KZ)"
    assert "an administrator will approve it" in prompt
    reply = await nurlan.send("10.02.2027 waiting for the forensic expert's opinion")
    assert "no later than 23 January 2027, the law's limit" in reply.text
    reply = await nurlan.send("15.01.2027 waiting for the forensic expert's opinion")
    assert "Asked: appeal №1 until 15 January 2027. An administrator will decide" in reply.text
    await tg.quiet()
    assert local_due(await appeal_by_number(tg, 1), "Asia/Almaty") == date(2026, 12, 14), "not before the approval"
    assert "Extended" not in texts_in(tg, RESIDENT_ID)

    request = message_with(tg, ADMIN_ID, "asks to extend appeal №1")
    assert "Nurlan Abenov asks to extend appeal №1" in str(request["text"])
    assert "Reason: waiting for the forensic expert's opinion" in str(request["text"])
    assert "Dana" not in str(request["text"])
    reply = await nurlan.press(card_of(tg, INSPECTOR_ID, 1), "Extend")
    assert "already waits for an administrator's decision" in reply.text
    approve = request["reply_markup"]["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    reply = await nurlan.press_data(card_of(tg, INSPECTOR_ID, 1), approve)  # forged: the inspector is not the head
    assert "This appeal is not yours to handle." in reply.text
    assert local_due(await appeal_by_number(tg, 1), "Asia/Almaty") == date(2026, 12, 14)
    reply = await admin.press(request, "Approve")
    assert "The extension of appeal №1 to 15 January 2027 is approved; the resident is told." in reply.text
    await tg.quiet()

    assert (
        "The term of your appeal №1 is extended to 15 January 2027.\nReason: waiting for the forensic expert's opinion"
        in texts_in(tg, RESIDENT_ID)
    )
    assert said(tg, INSPECTOR_ID, "The extension of appeal №1 to 15 January 2027 is approved")
    assert local_due(await appeal_by_number(tg, 1), "Asia/Almaty") == date(2027, 1, 15)
    reply = await admin.press_data(request, approve)  # an old copy of the request, pressed again
    assert "already decided" in reply.text

    # The reminders follow the new date: nothing on the old one.
    await at(tg, datetime(2026, 12, 15, 4, 0, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, "⚠️ Appeal") == [] and said(tg, ADMIN_ID, "🚨 Appeal") == []
    await at(tg, datetime(2027, 1, 14, 4, 0, tzinfo=UTC))  # two days before falls on the 13th's evening: next morning
    assert [text.split("\n")[0] for text in said(tg, INSPECTOR_ID, "is due in")] == ["⏳ Appeal №1 is due in 1 day."]


async def test_an_administrator_extends_an_uzbek_appeal_at_once_by_at_most_a_month(tg: Telegram) -> None:
    # U-1 has no inspector: its cards reach the administrator, the head, who decides alone.
    _, _, bobur, _ = await side_by_side(tg, uz_inspector=False)
    admin = await english_admin(tg)
    await send_uzbek_complaint(bobur)  # Monday 23 November: due 8 December
    await tg.quiet()

    prompt = (await admin.press(card_of(tg, ADMIN_ID, 1), "Extend")).text
    assert "The law allows at most: 8 January 2027" in prompt, "at most a month more (UZ)"
    assert "an administrator will approve it" not in prompt
    reply = await admin.send("the building's management company has not answered yet")
    assert "The extension of appeal №1 to 8 January 2027 is approved; the resident is told." in reply.text
    await tg.quiet()
    assert "The term of your appeal №1 is extended to 8 January 2027." in texts_in(tg, UZ_RESIDENT_ID)
    reply = await admin.press(card_of(tg, ADMIN_ID, 1), "Extend")
    assert "cannot be extended any further" in reply.text


async def test_an_appeal_outside_the_police_goes_to_the_akimat_and_the_resident_is_told(tg: Telegram) -> None:
    d, dana, _, nurlan = await side_by_side(tg)
    await send_appeal(dana, "The heating pipe in the basement has burst.")
    await send_appeal(dana, "The street lamps on our road have been off for a month.")

    reply = await nurlan.press(card_of(tg, INSPECTOR_ID, 1), "Not for the police")
    assert "By law it goes to the competent body by 26 November 2026 (3 working days)" in reply.text
    assert [b["text"] for b in reply.buttons()][:2] == [
        "Akimat (local executive body)",
        "Utilities and housing services",
    ]
    reply = await nurlan.press(reply.last, "Akimat")
    assert "Appeal №1 was sent to: Akimat (local executive body). The resident is told." in reply.text
    await tg.quiet()
    assert (
        "Your appeal №1 is outside the police's competence. It was sent on to: Akimat (local executive body), "
        "which will answer you." in texts_in(tg, RESIDENT_ID)
    )

    # A body not in the list: its name typed.
    await nurlan.press(card_of(tg, INSPECTOR_ID, 2), "Not for the police")
    reply = await nurlan.send("Energy department of the Almaty akimat")
    assert "Appeal №2 was sent to: Energy department of the Almaty akimat." in reply.text
    await tg.quiet()
    assert "sent on to: Energy department of the Almaty akimat" in texts_in(tg, RESIDENT_ID)

    first = await appeal_by_number(tg, 1)
    assert (first.status, first.redirect_body) == (AppealStatus.REDIRECTED_OUT.value, "akimat")
    assert "Nothing here." in (await nurlan.send("/queue")).text, "closed: off the queue"
    reply = await nurlan.press(card_of(tg, INSPECTOR_ID, 1), "Take")
    assert "already sent to another body" in reply.text
    mine = await dana.send("/my")
    assert "№1 · sent to another body" in [b["text"] for b in mine.buttons()]
    opened = await dana.press(mine.last, "№1")
    assert "🏛 Sent to: Akimat (local executive body)" in opened.text

    # The quarter's figures count them apart from the resolved ones.
    async with tg.app.sessionmaker() as session:
        building = ReportBuilding(d.building.id, "A-12", "Abay ave 10", "Asia/Almaty")
        figures = await reports.figures(session, [building], Quarter(2026, 4))
        events = list(await session.scalars(select(Appeal.status)))
    assert (figures.received, figures.resolved, figures.redirected_out) == (2, 0, 2)
    assert events == ["redirected_out", "redirected_out"]


# --- a proposal that needs further study (Uzbekistan, ZRU-445 art. 28) ---------------------------------------------

STUDY = "Needs further study"


def buttons_of(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]  # type: ignore[union-attr]


async def test_the_author_of_a_proposal_is_told_within_ten_days_that_it_needs_further_study(tg: Telegram) -> None:
    _, _, bobur, nurlan = await side_by_side(tg)
    await send_uzbek_proposal(bobur)  # Monday 23 November, 14:00 in Tashkent: told by 3 December, answered by 23rd
    await tg.quiet()
    card = card_of(tg, INSPECTOR_ID, 1)
    assert "🔬 If it needs further study, tell the author by 3 December 2026" in str(card["text"])
    assert "🔬 Needs further study" in buttons_of(card)

    tg.clock.at = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    reply = await nurlan.press(card, STUDY)
    assert "🔬 Needs further study: the author was told on 2 December 2026" in reply.text
    assert "Deadline: due 23 December 2026" in reply.text, "the law's date does not move"
    assert STUDY not in str(reply.calls[-1].params.get("reply_markup")), "pressed once: the button goes"
    await tg.quiet()
    assert (
        "🔬 Your proposal №1 needs further study. You will get the answer by 23 December 2026, the term set by law "
        "(ZRU-445 (11.09.2017))." in texts_in(tg, UZ_RESIDENT_ID)
    )

    # A second press (an old copy of the card) changes nothing, and says so.
    reply = await nurlan.press_data(card, "ap:study:1")
    assert "The author was already told on 2 December 2026 that it needs further study; nothing was done." in reply.text
    await tg.quiet()
    assert len(said(tg, UZ_RESIDENT_ID, "needs further study")) == 1

    mine = await bobur.send("/my")
    opened = await bobur.press(mine.last, "№1")
    assert "🔬 Needs further study (you were told on 2 December 2026)" in opened.text
    assert "Answer due by: 23 December 2026" in opened.text
    async with tg.app.sessionmaker() as session:
        appeal = await appeal_by_number(tg, 1)
        events = list(await session.scalars(select(AppealEvent.action).where(AppealEvent.appeal_id == appeal.id)))
        audited = list(
            await session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "appeal_study_noticed"))
        )
    assert appeal.study_noticed_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert events.count("study_noticed") == 1 and audited == [INSPECTOR_ID]


async def test_no_further_study_notice_in_kazakhstan_nor_after_ten_days_and_a_forged_press_is_refused(
    tg: Telegram,
) -> None:
    _, dana, bobur, nurlan = await side_by_side(tg)
    await send_appeal(dana)  # №1, Kazakhstan
    await send_uzbek_complaint(bobur)  # №2, a complaint
    await send_uzbek_proposal(bobur)  # №3, a proposal: told by 3 December
    await tg.quiet()
    assert STUDY not in buttons_of(card_of(tg, INSPECTOR_ID, 1))
    assert STUDY not in buttons_of(card_of(tg, INSPECTOR_ID, 2))
    assert "further study" not in str(card_of(tg, INSPECTOR_ID, 1)["text"])
    for number in (1, 2):
        reply = await nurlan.press_data(card_of(tg, INSPECTOR_ID, number), f"ap:study:{number}")
        assert "By law only the author of a proposal in a building in Uzbekistan is told" in reply.text

    # Past the tenth day (midnight in Tashkent): no button, and a forged press says why.
    tg.clock.at = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    card = (await nurlan.press_data(card_of(tg, INSPECTOR_ID, 3), "ap:open:3")).last
    assert STUDY not in buttons_of(card) and "tell the author by" not in str(card["text"])
    reply = await nurlan.press_data(card, "ap:study:3")
    assert "The time to tell the author that it needs further study ended on 3 December 2026" in reply.text

    # Someone who does not manage the building: refused and recorded.
    tg.clock.at = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    await district(tg, inspector_id=2001, code="B-1", full_name="Timur Karimov")  # serves another building
    timur = tg.person(2001, "Timur", language_code="en")
    queue = (await timur.send("/queue")).last
    reply = await timur.press_data(queue, "ap:study:3")
    assert "This appeal is not yours to handle." in reply.text
    await tg.quiet()
    assert said(tg, UZ_RESIDENT_ID, "needs further study") == []
    async with tg.app.sessionmaker() as session:
        assert await session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == 2001)) == "appeal_refused"
    assert (await appeal_by_number(tg, 3)).study_noticed_at is None


async def test_the_inspector_is_reminded_when_a_proposal_is_eight_days_old_and_nobody_answered_it(
    tg: Telegram,
) -> None:
    _, _, bobur, nurlan = await side_by_side(tg)
    await send_uzbek_proposal(bobur)  # №1: 23 November, 14:00 in Tashkent
    await send_uzbek_proposal(bobur, "Paint the benches.")  # №2: told at once
    await send_uzbek_proposal(bobur, "Plant trees along the fence.")  # №3: answered
    await tg.quiet()
    await nurlan.press(card_of(tg, INSPECTOR_ID, 2), STUDY)
    await nurlan.press(card_of(tg, INSPECTOR_ID, 3), "Reply")
    await nurlan.send("Thank you, we will plant them in spring.")

    await at(tg, datetime(2026, 12, 1, 8, 59, tzinfo=UTC))
    assert said(tg, INSPECTOR_ID, "does it need further study") == []
    await at(tg, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # eight days old
    reminders = said(tg, INSPECTOR_ID, "does it need further study")
    assert [text.split("\n")[0] for text in reminders] == ["🔬 Proposal №1: does it need further study?"]
    assert "telling its author in writing by 3 December 2026" in reminders[0]
    await at(tg, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert len(said(tg, INSPECTOR_ID, "does it need further study")) == 1, "once"
