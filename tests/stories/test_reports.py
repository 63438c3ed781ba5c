"""/report: the inspector prepares the quarter's report step by step, previews it (summary, chart, printable page) and
publishes it to the building chats once; /reports keeps the archive; residents read their building's latest report
with /report, privately or in the building chat."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from bot.services import buildings, parts, people, report_store
from bot.services.parts import Part
from bot.services.render import Reader
from bot.services.report_figures import ReportView
from bot.services.report_store import Draft
from bot.ui.callbacks import ArchiveCb, PickCb, ReportCb
from models import (
    AuditEvent,
    Broadcast,
    Building,
    BuildingChat,
    Delivery,
    Inspector,
    Meeting,
    MeetingStatus,
    Reminder,
    Report,
    report_buildings,
)
from tests.conftest import ADMIN_ID
from tests.support.appeal_steps import send_appeal
from tests.support.harness import Group, Person, Reply, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, District, bound_chats, district, resident_of

NAME = "Әлия Қасымқызы"  # the inspector's name: Kazakh letters the printable page must keep
OTHER_INSPECTOR = 2001
STRANGER = 4000
HEADING = "Report of the district inspector to the residents"
LATE = "is not published yet"
Q4 = "4th quarter 2026"


# --- steps ------------------------------------------------------------------------------------------


async def another_building(tg: Telegram, d: District, code: str) -> District:
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code=code, address="Abay ave 14", district="Almaly", timezone="Asia/Almaty", actor_id=1
        )
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
    return District(d.inspector, building)


async def renamed(tg: Telegram, d: District, name: str = NAME) -> None:
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Inspector).where(Inspector.id == d.inspector.id).values(full_name=name))


async def chat_language(tg: Telegram, chat_id: int, language: str) -> None:
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(BuildingChat).where(BuildingChat.chat_id == chat_id).values(language=language))


async def held_meeting(tg: Telegram, d: District, starts_at: datetime, attendance: int) -> None:
    async with tg.app.sessionmaker.begin() as session:
        building = await session.get(Building, d.building.id)
        assert building is not None
        session.add(
            Meeting(
                draft_key=str(uuid.uuid4()),
                inspector_id=d.inspector.id,
                author_id=INSPECTOR_ID,
                starts_at=starts_at,
                timezone="Asia/Almaty",
                place="The yard of Abay ave 10",
                agenda="Safety in the yard",
                status=MeetingStatus.HELD.value,
                sequence=0,
                attendance=attendance,
                minutes="Lighting and parking discussed.",
                held_recorded_at=starts_at,
                created_at=starts_at,
                buildings=[building],
            )
        )


def card_of(tg: Telegram, number: int) -> dict[str, Any]:
    return next(
        m for m in tg.fake.sent_to(INSPECTOR_ID) if f"№{number}" in (m.get("text") or "") and m.get("reply_markup")
    )


async def a_quarter(tg: Telegram, d: District, dana: Person, inspector: Person) -> None:
    """Q3 2026: one appeal. Q4 2026: three appeals (one resolved and rated 5), a meeting held with 14 residents,
    Dana's proposal."""
    tg.clock.at = datetime(2026, 9, 10, 6, 0, tzinfo=UTC)
    await send_appeal(dana, "A car blocks the entrance every morning.", category="Traffic")
    tg.clock.at = datetime(2026, 10, 6, 6, 0, tzinfo=UTC)
    await send_appeal(dana)
    tg.clock.at = datetime(2026, 10, 7, 6, 0, tzinfo=UTC)
    card = card_of(tg, 2)
    await inspector.press(card, "Take")
    await inspector.press(card, "Resolve")
    await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "⭐⭐⭐⭐⭐")
    tg.clock.at = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
    await send_appeal(dana, "My bicycle was stolen from the stairwell.", category="Theft")
    tg.clock.at = datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
    reply = await dana.send("/propose Install a light at entrance 2")
    await dana.press(reply.last, "Send")
    tg.clock.at = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    await send_appeal(dana, "Fireworks in the yard at 2 am.")
    await held_meeting(tg, d, datetime(2026, 11, 20, 13, 0, tzinfo=UTC), attendance=14)
    await tg.drain()


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def button(message: dict[str, Any], label: str) -> str:
    return next(
        b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row if label in b["text"]
    )


async def to_preview(
    inspector: Person,
    *,
    codes: tuple[str, ...] = ("A-12",),
    offences: str | None = "Theft 4\nHooliganism — 2",
    measures: str | None = "Night patrols in the yards; a talk at school No. 12.",
    plans: str | None = None,
    quarter: str = Q4,
) -> Reply:
    """/report → the quarter → the buildings → offences, measures, plans (None: Skip) → the preview."""
    reply = await inspector.send("/report")
    assert "Which quarter is the report for?" in reply.text
    reply = await inspector.press(reply.last, quarter)
    assert "Which buildings?" in reply.text
    picker = reply.last
    for code in codes:
        await inspector.press(picker, code)
    reply = await inspector.press(picker, "Done")
    for value in (offences, measures, plans):
        reply = await inspector.press(reply.last, "Skip") if value is None else await inspector.send(value)
    return reply


def photos(tg: Telegram, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in tg.fake.sent_to(chat_id) if "photo" in m]


def documents(tg: Telegram, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in tg.fake.sent_to(chat_id) if "document" in m]


def summaries(tg: Telegram, chat_id: int) -> list[dict[str, Any]]:
    """The report's summary as a chat received it: told by the inspector's name, which no translation changes."""
    return [m for m in tg.fake.sent_to(chat_id) if NAME in (m.get("text") or "")]


def pdf_text(tg: Telegram, message: dict[str, Any]) -> str:
    content = tg.fake.world.files.by_id[message["document"]["file_id"]].content
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert 1 <= len(reader.pages) <= 2, "one or two printable pages"
    return "\n".join(page.extract_text() for page in reader.pages)


def compact(text: str) -> str:
    return " ".join(text.split())


async def count(tg: Telegram, model: Any) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def reports(tg: Telegram) -> list[Report]:
    async with tg.app.sessionmaker() as session:
        return list(await session.scalars(select(Report).order_by(Report.id)))


def messages_after(tg: Telegram, chat_id: int, start: int) -> list[dict[str, Any]]:
    return tg.fake.sent_to(chat_id)[start:]


# --- the whole story ----------------------------------------------------------------------------------


async def test_an_inspector_reports_on_the_quarter_the_chats_get_it_once_and_residents_read_it(
    tg: Telegram, admin: Person
) -> None:
    d = await district(tg)
    await renamed(tg, d)
    b3 = await another_building(tg, d, "B-3")
    c5 = await another_building(tg, d, "C-5")
    await bound_chats(tg, d, [-101, -102])
    await bound_chats(tg, b3, [-103])
    await bound_chats(tg, c5, [-105])
    await chat_language(tg, -103, "kk")
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    await a_quarter(tg, d, dana, inspector)

    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    await tg.tick()  # the "report not published" reminder is planned for tomorrow
    tg.fake.world.chats[-102].bot_kicked = True  # removed while the bot was away: it does not know yet

    # The quarter: the last finished one is marked, the three before it and the current one are offered.
    reply = await inspector.send("/report")
    assert labels(reply.last) == [
        "4th quarter 2026 ✓",
        "3rd quarter 2026",
        "2nd quarter 2026",
        "1st quarter 2026",
        "1st quarter 2027 (so far)",
    ]
    reply = await inspector.press(reply.last, Q4)
    assert "Quarter: 4th quarter 2026." in reply.text and "Which buildings?" in reply.text
    picker = reply.last
    await inspector.press(picker, "A-12")
    await inspector.press(picker, "B-3")
    reply = await inspector.press(picker, "Done")
    assert "Buildings: A-12, B-3." in reply.text
    assert "Offence figures for the territory" in reply.text and labels(reply.last) == ["Skip"]

    # Offence figures: a line it cannot read is named, the others are kept, and the correction is added.
    reply = await inspector.send("Theft 4\nHooliganism — 2\nsome figures")
    assert "I could not read 1 line:" in reply.text and "some figures" in reply.text
    assert "I kept 2 lines: Theft 4, Hooliganism 2" in reply.text
    reply = await inspector.send("Кража: 3")
    assert "The measures taken this quarter" in reply.text
    reply = await inspector.send("Night patrols in the yards; a talk at school No. 12 about bicycles.")
    assert "Your plans for the next quarter" in reply.text
    assert await count(tg, Report) == 0, "nothing is saved before the preview"
    reply = await inspector.press(reply.last, "Skip")

    # The preview: the summary with the quarter's figures, the chart as a photo, the printable page as a document.
    shown = reply.text
    assert f"{HEADING}: 4th quarter 2026" in shown and NAME in shown
    assert "3 appeals received" in shown and "1 appeal resolved" in shown
    assert "1 meeting held" in shown and "14 residents came" in shown
    assert "Install a light at entrance 2" in shown
    assert "• Theft: 4" in shown and "• Hooliganism: 2" in shown and "• Кража: 3" in shown
    assert "Night patrols in the yards" in shown and "Plans for the next quarter" not in shown
    assert [m for m in reply.messages if "photo" in m], "the chart"
    [document] = [m for m in reply.messages if "document" in m]
    assert document["document"]["file_name"].endswith(".pdf")
    assert "Will be sent to 3 chats in 2 buildings: A-12, B-3." in shown
    assert labels(reply.last) == ["✅ Publish", "✏️ Edit", "Cancel"]
    assert await count(tg, Delivery) == 0 or all(r.published_at is None for r in await reports(tg))
    [draft] = await reports(tg)
    assert draft.published_at is None and draft.quarter == "2026Q4"
    assert draft.offences == [["Theft", 4], ["Hooliganism", 2], ["Кража", 3]]
    assert draft.plans is None

    before = {chat_id: len(tg.fake.sent_to(chat_id)) for chat_id in (-101, -103, -105)}
    reply = await inspector.press(reply.last, "Publish")
    assert "The report is published and is being posted in 3 chats" in reply.text
    await tg.drain()

    # Each chat of the chosen buildings: the summary, the chart and the page, once, in the chat's language.
    for chat_id in (-101, -103):
        got = messages_after(tg, chat_id, before[chat_id])
        assert len([m for m in got if NAME in (m.get("text") or "")]) == 1
        assert len([m for m in got if "photo" in m]) == 1
        assert len([m for m in got if "document" in m]) == 1
        [page] = [m for m in got if "document" in m]
        text = compact(pdf_text(tg, page))
        assert NAME in text and "Кража" in text and "Night patrols in the yards" in text
    assert "4th quarter 2026" in summaries(tg, -101)[0]["text"]
    assert "4th quarter 2026" not in summaries(tg, -103)[0]["text"], "the Kazakh chat reads Babel's Kazakh quarter"
    assert messages_after(tg, -105, before[-105]) == [], "a building that was not chosen gets nothing"
    assert tg.fake.sent_to(-102) == []
    report_text = "\n".join(m.get("text") or "" for m in tg.fake.sent_to(INSPECTOR_ID))
    assert "«Report for 4th quarter 2026»: delivered to 2 of 3 chats." in report_text
    assert "A-12, chat «Abay 10 entrance 102» — the bot was removed from the chat" in report_text
    async with tg.app.sessionmaker() as session:
        batch = await session.scalar(select(Broadcast).where(Broadcast.kind == "report"))
        [report] = list(await session.scalars(select(Report)))
        assert batch is not None and batch.subject_id == report.id and batch.author_id == INSPECTOR_ID
        assert report.published_at == tg.clock.now()
        assert report.figures["current"]["received"] == 3 and report.figures["previous"]["received"] == 1
        assert report.figures["current"]["attendance"] == 14
        codes = await session.scalars(
            select(Building.code).join(report_buildings).where(report_buildings.c.report_id == report.id)
        )
        assert sorted(codes) == ["A-12", "B-3"]

    # The archive.
    reply = await inspector.send("/reports")
    assert "Your reports" in reply.text and "4th quarter 2026 · A-12, B-3 · published 4 January 2027" in reply.text
    reply = await inspector.press(reply.last, "Q4 2026")
    assert f"{HEADING}: 4th quarter 2026" in reply.text and labels(reply.last) == ["📄 PDF"]
    reply = await inspector.press(reply.last, "PDF")
    [again] = [m for m in reply.messages if "document" in m]
    assert NAME in compact(pdf_text(tg, again))

    # Residents: privately, and in the building chat (any member may ask).
    reply = await dana.send("/report")
    assert f"{HEADING}: 4th quarter 2026" in reply.text and "3 appeals received" in reply.text
    [page] = [m for m in reply.messages if "document" in m]
    assert "Кража" in pdf_text(tg, page)
    reply = await dana.send("/report", chat=Group(-101))
    assert f"{HEADING}: 4th quarter 2026" in reply.text
    assert [m for m in reply.messages if "document" in m]

    # Published: the quarterly reminder that it is not is skipped, for the inspector and the administrators.
    tg.clock.at = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
    await tg.tick()
    assert not [m for m in tg.fake.sent_to(INSPECTOR_ID) if LATE in (m.get("text") or "")]
    assert not [m for m in tg.fake.sent_to(ADMIN_ID) if "4-й кв. 2026" in (m.get("text") or "")]
    async with tg.app.sessionmaker() as session:
        late = await session.execute(
            select(Reminder.kind, Reminder.status).where(Reminder.kind.in_(["quarter_late", "quarter_late_admin"]))
        )
        assert sorted(tuple(row) for row in late) == [("quarter_late", "skipped"), ("quarter_late_admin", "skipped")]


# --- publishing once --------------------------------------------------------------------------------


async def test_a_double_press_on_publish_makes_one_report_and_one_message_set_per_chat(tg: Telegram) -> None:
    d = await district(tg)
    await renamed(tg, d)
    await bound_chats(tg, d, [-101, -102])
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    summary = (await to_preview(inspector)).last
    publish = button(summary, "Publish")

    first = tg.fake.callback_update(INSPECTOR_ID, summary, publish)
    second = tg.fake.callback_update(INSPECTOR_ID, summary, publish)
    await tg.deliver(first)
    again = await tg.deliver(second)
    await tg.drain()
    redelivered = await tg.redeliver(first)
    await tg.drain()

    assert "no longer available" in again.text and redelivered.calls == []
    [report] = await reports(tg)
    assert report.published_at is not None
    for chat_id in (-101, -102):
        assert len(summaries(tg, chat_id)) == len(photos(tg, chat_id)) == len(documents(tg, chat_id)) == 1
    assert (
        len([m for m in tg.fake.sent_to(INSPECTOR_ID) if "delivered to every chat (2)" in (m.get("text") or "")]) == 1
    )
    # The chart and the page were uploaded once and sent to the second chat by Telegram's file_id.
    uploads = [c for c in tg.fake.calls("sendPhoto") + tg.fake.calls("sendDocument") if c.params["chat_id"] < 0]
    assert len(uploads) == 4 and len({m["photo"][-1]["file_id"] for c in (-101, -102) for m in photos(tg, c)}) == 1


async def test_one_draft_published_twice_at_the_same_moment_is_published_once(tg: Telegram) -> None:
    """Two instances take the same press at once (on PostgreSQL a real race): one publication, one set of rows."""
    d = await district(tg)
    await bound_chats(tg, d, [-101, -102])
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    draft = Draft(key="draft-1", quarter="2026Q4", building_ids=[d.building.id], offences=[], measures=None, plans=None)
    async with tg.app.sessionmaker.begin() as session:
        actor = await people.load_actor(session, INSPECTOR_ID, is_admin=False)
        await report_store.save_draft(session, tg.clock, actor, draft)

    async def press_publish() -> report_store.Published:
        async with tg.app.sessionmaker() as session:
            actor = await people.load_actor(session, INSPECTOR_ID, is_admin=False)
            prepared = await report_store.prepare(session, tg.clock, actor, "draft-1")
            await session.commit()  # as the handler does before drawing
            if isinstance(prepared, report_store.Published):
                return prepared  # SQLite runs one writer at a time: the other press had finished

            def drawn(view: ReportView, reader: Reader) -> list[Part]:
                return parts.message(f"{view.quarter} for {reader.chat_id}")

            published = await report_store.publish(session, tg.clock, actor, prepared, drawn, "Q4")
            await session.commit()
            return published

    results = await asyncio.gather(press_publish(), press_publish())
    assert sorted(result.created for result in results) == [False, True]
    assert {result.chats for result in results} == {2}
    assert await count(tg, Report) == 1
    async with tg.app.sessionmaker() as session:
        rows = await session.scalar(select(func.count(Delivery.id)).where(Delivery.chat_id < 0))
    assert rows == 2


async def test_a_correction_published_later_is_the_latest_residents_read(tg: Telegram) -> None:
    d = await district(tg)
    await renamed(tg, d)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)

    reply = await dana.send("/report")
    assert "No report to the residents of this building has been published yet." in reply.text

    reply = await to_preview(inspector, offences="Theft 4")
    assert "None of the chosen buildings has a chat with me" in reply.text
    reply = await inspector.press(reply.last, "Publish")
    assert "The report is published. None of its buildings has a chat with me" in reply.text
    tg.clock.advance(hours=2)
    reply = await to_preview(inspector, offences="Theft 5")
    await inspector.press(reply.last, "Publish")

    assert [r.published_at is not None for r in await reports(tg)] == [True, True]
    reply = await dana.send("/report")
    assert "• Theft: 5" in reply.text and "• Theft: 4" not in reply.text


async def test_report_asked_again_is_sent_by_file_id_without_drawing_it_again(
    tg: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ui.reports import pdf as report_pdf

    drawn: list[str] = []
    real = report_pdf.pdf_bytes

    def counted(*args: Any, **kwargs: Any) -> bytes:
        drawn.append("pdf")
        return real(*args, **kwargs)

    monkeypatch.setattr(report_pdf, "pdf_bytes", counted)
    d = await district(tg)
    await renamed(tg, d)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    reply = await to_preview(inspector, offences="Theft 4")
    await inspector.press(reply.last, "Publish")
    drawn.clear()

    first = await dana.send("/report")
    second = await dana.send("/report")
    assert drawn == ["pdf"], "drawn once for the language, then kept"
    [upload] = [c for c in first.calls if c.method == "sendDocument"]
    [again] = [c for c in second.calls if c.method == "sendDocument"]
    assert str(upload.params["document"]).startswith("attach://"), "uploaded the first time"
    assert again.params["document"] == upload.response["result"]["document"]["file_id"]
    assert "• Theft: 4" in second.text


# --- edit, cancel, continue -------------------------------------------------------------------------


async def test_edit_changes_one_part_and_cancel_keeps_the_draft_to_continue_from_the_archive(tg: Telegram) -> None:
    d = await district(tg)
    await renamed(tg, d)
    await bound_chats(tg, d, [-101])
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    reply = await to_preview(inspector, offences=None, measures=None, plans="More patrols in spring.")
    assert "Offences on the territory" not in reply.text and "More patrols in spring." in reply.text

    reply = await inspector.press(reply.last, "Edit")
    assert labels(reply.last) == ["🗓 Quarter and buildings", "🚨 Offence figures", "🛠 Measures taken", "📌 Plans"]
    reply = await inspector.press(reply.last, "Measures taken")
    reply = await inspector.send("x" * 2001)
    assert "That is 2001 characters; at most 2000 fit." in reply.text
    reply = await inspector.send("Lights fixed at entrance 2.")
    assert "Lights fixed at entrance 2." in reply.text and "More patrols in spring." in reply.text
    assert "Which buildings?" not in reply.text, "straight back to the preview"

    reply = await inspector.press(reply.last, "Cancel")
    assert "The report is not published. Its draft is kept in /reports" in reply.text
    [draft] = await reports(tg)
    assert draft.published_at is None and draft.measures == "Lights fixed at entrance 2."

    reply = await inspector.send("/reports")
    assert "4th quarter 2026 · A-12 · draft" in reply.text
    reply = await inspector.press(reply.last, "Q4 2026")
    assert labels(reply.last) == ["📄 PDF", "✏️ Continue", "🗑 Delete the draft"]
    reply = await inspector.press(reply.last, "Continue")
    assert "Lights fixed at entrance 2." in reply.text and labels(reply.last) == ["✅ Publish", "✏️ Edit", "Cancel"]
    await inspector.press(reply.last, "Publish")
    await tg.drain()
    assert len(summaries(tg, -101)) == 1
    [published] = await reports(tg)
    assert published.id == draft.id and published.published_at is not None

    # A published report cannot be continued or deleted (an old archive card, pressed again).
    opened = (await inspector.press_data(reply.last, ArchiveCb(action="delete", report_id=draft.id).pack())).text
    assert "This report is published already" in opened


async def test_the_quarter_and_buildings_can_be_chosen_again_and_a_draft_deleted(tg: Telegram) -> None:
    d = await district(tg)
    await another_building(tg, d, "B-3")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    reply = await to_preview(inspector, offences=None, measures=None)
    reply = await inspector.press(reply.last, "Edit")
    reply = await inspector.press(reply.last, "Quarter and buildings")
    reply = await inspector.press(reply.last, "3rd quarter 2026")
    picker = reply.last
    await inspector.press(picker, "B-3")
    reply = await inspector.press(picker, "Done")
    assert "Buildings: B-3." in reply.text and "3rd quarter 2026" in reply.text
    [draft] = await reports(tg)
    assert draft.quarter == "2026Q3"

    reply = await inspector.send("/reports")
    reply = await inspector.press(reply.last, "Q3 2026")
    reply = await inspector.press(reply.last, "Delete the draft")
    assert "The draft is deleted." in reply.text
    assert await count(tg, Report) == 0


# --- rights -------------------------------------------------------------------------------------------


async def test_forged_report_and_building_ids_and_quarters_are_refused(tg: Telegram) -> None:
    d = await district(tg)
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    await bound_chats(tg, d, [-101])
    await bound_chats(tg, other, [-201])
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    colleague = tg.person(OTHER_INSPECTOR, "Timur", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    await colleague.press((await to_preview(colleague, codes=("C-7",))).last, "Publish")
    await tg.drain()
    [theirs] = await reports(tg)

    # A report of another inspector, or one that does not exist, pressed with made-up archive buttons.
    anchor = (await inspector.send("/reports")).last
    for action in ("open", "pdf", "continue", "delete"):
        reply = await inspector.press_data(anchor, ArchiveCb(action=action, report_id=theirs.id).pack())
        assert "This report is not yours." in reply.text and "document" not in str(reply.messages)
    reply = await inspector.press_data(anchor, ArchiveCb(action="open", report_id=999_999).pack())
    assert "This button is no longer available." in reply.text

    # A quarter that is not offered.
    reply = await inspector.send("/report")
    reply = await inspector.press_data(reply.last, ReportCb(action="quarter", quarter="2020Q1").pack())
    assert "This button is no longer available." in reply.text

    # Another inspector's building in the picker.
    reply = await inspector.send("/report")
    reply = await inspector.press(reply.last, Q4)
    picker = reply.last
    assert "C-7" not in str(labels(picker)), "another inspector's building is not offered"
    await inspector.press_data(picker, PickCb(dialog="report", action="toggle", building_id=other.building.id).pack())
    await inspector.press(picker, "A-12")
    reply = await inspector.press(picker, "Done")
    assert "You can report only on your own buildings. Nothing was saved or published." in reply.text
    reply = await inspector.send("Theft 4")
    assert "measures" not in reply.text, "the dialog is over"

    await tg.drain()
    assert summaries(tg, -101) == [] and len(await reports(tg)) == 1
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent.action).where(AuditEvent.action == "report_refused")))
    assert len(refused) == 5


async def test_an_administrator_sees_every_report_and_residents_and_strangers_are_refused_the_archive(
    tg: Telegram, admin: Person
) -> None:
    d = await district(tg)
    await renamed(tg, d)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    stranger = tg.person(STRANGER, "Timur", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    await inspector.press((await to_preview(inspector)).last, "Publish")

    for person in (dana, stranger):
        reply = await person.send("/reports")
        assert "This command is for district inspectors." in reply.text
    reply = await stranger.send("/report")
    assert "You are not registered yet." in reply.text
    reply = await admin.send("/reports")
    assert "2026" in reply.text and "A-12" in reply.text, "the administrator (in Russian) sees the inspector's report"


async def test_an_administrators_report_is_one_inspectors_and_lands_in_their_archive(tg: Telegram) -> None:
    await district(tg)
    other = await district(tg, inspector_id=OTHER_INSPECTOR, code="C-7")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    nurlan = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    colleague = tg.person(OTHER_INSPECTOR, "Timur", language_code="en")
    tg.clock.at = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)

    reply = await admin.send("/report")
    reply = await admin.press(reply.last, Q4)
    picker = reply.last
    await admin.press(picker, "All buildings")
    reply = await admin.press(picker, "Done")
    assert "A report is one inspector's: choose buildings that the same inspector serves" in reply.text
    await admin.press(picker, "All buildings")  # none chosen again
    await admin.press(picker, "C-7")
    reply = await admin.press(picker, "Done")
    assert "Buildings: C-7." in reply.text
    for _step in range(3):
        reply = await admin.press(reply.last, "Skip")
    await admin.press(reply.last, "Publish")

    [report] = await reports(tg)
    assert (report.inspector_id, report.author_id) == (other.inspector.id, ADMIN_ID)
    assert "C-7 · published 4 January 2027" in (await colleague.send("/reports")).text
    assert "None yet. Prepare one with /report." in (await nurlan.send("/reports")).text
    assert "All reports" in (await admin.send("/reports")).text


async def test_in_a_group_report_answers_for_the_bound_building_only(tg: Telegram) -> None:
    d = await district(tg)
    await renamed(tg, d)
    await bound_chats(tg, d, [-101])
    inspector = tg.person(INSPECTOR_ID, "Әлия", language_code="en")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    tg.fake.add_group(-300, "Neighbours", creator_id=RESIDENT_ID)

    reply = await dana.send("/report", chat=Group(-300))
    assert "This chat is not connected to a building yet." in reply.text
    reply = await dana.send("/report", chat=Group(-101))
    assert "No report to the residents of this building has been published yet." in reply.text
    reply = await inspector.send("/reports", chat=Group(-101))
    assert "Please use this command in a private chat with me." in reply.text
    reply = await inspector.send("/report", chat=Group(-101))
    assert "No report to the residents of this building has been published yet." in reply.text, (
        "in a group the inspector reads what the residents read"
    )


# --- reading offence figures ----------------------------------------------------------------------------


def test_offence_lines_are_read_as_a_kind_and_a_whole_number() -> None:
    parsed = report_store.parse_offences("Theft 4\nHooliganism — 2\nКража: 3\n\nFraud - 1\nҰрлық 7.\nFour thefts\n12\n")
    assert parsed.lines == [("Theft", 4), ("Hooliganism", 2), ("Кража", 3), ("Fraud", 1), ("Ұрлық", 7)]
    assert parsed.bad == ["Four thefts", "12"]
    again = report_store.parse_offences("theft 5\nTheft 6")
    assert again.lines == [("Theft", 6)], "a kind named twice keeps its last number"
    assert report_store.merge_offences([["Theft", 4], ["Fraud", 1]], [("THEFT", 9)]) == [("THEFT", 9), ("Fraud", 1)]
