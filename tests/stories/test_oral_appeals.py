"""Oral appeals: the inspector records an appeal received in person or by phone; it gets a number, the deadline by law
and a receipt (text and a one-page PDF); a registered resident gets it in their chat, and reports count them apart."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from sqlalchemy import update

from bot.services import reports
from bot.services.quarters import Quarter
from models import Building
from tests.support.appeal_steps import PHOTO, appeal_by_number, send_appeal, texts_in
from tests.support.harness import Person, Reply, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, district, resident_of


def pdf_text(tg: Telegram, message: dict[str, Any]) -> str:
    content = tg.fake.world.files.by_id[message["document"]["file_id"]].content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1, "one page"
    return " ".join(reader.pages[0].extract_text().split())


def documents(tg: Telegram, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in tg.fake.sent_to(chat_id) if "document" in m]


async def record(
    inspector: Person,
    *,
    name: str,
    contact: str | None,
    flat: str | None,
    text: str,
    who: str | None = None,
    channel: str = "in person",
    kind: str | None = None,
) -> Reply:
    reply = await inspector.send("/record_appeal")
    reply = await inspector.press(reply.last, channel)
    reply = await inspector.send(name)
    reply = await (inspector.send(contact) if contact else inspector.press(reply.last, "Skip"))
    reply = await (inspector.send(flat) if flat else inspector.press(reply.last, "Skip"))
    if who is not None:
        reply = await inspector.press(reply.last, who)
    reply = await inspector.press(reply.last, "Public order")
    if kind is not None:
        assert "What kind of appeal" in reply.text
        reply = await inspector.press(reply.last, kind)
    reply = await inspector.send(text)
    await inspector.send(photo=PHOTO, caption="the broken door")
    prompt = [m for m in inspector.tg.fake.sent_to(inspector.id) if "Next" in str(m.get("reply_markup"))][-1]
    summary = await inspector.press(prompt, "Next")
    assert "Check the oral appeal" in summary.text
    return await inspector.press(summary.last, "Record")


async def test_an_oral_appeal_gets_a_number_a_deadline_and_a_receipt_the_resident_also_receives(tg: Telegram) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana", language="kk")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    reply = await record(
        inspector,
        name="Дана Ахметова",
        contact="+7 701 111 22 33",
        flat="7",
        who="Dana",
        text="Көршілер түнде қатты шулайды, есік сынған.",
    )

    assert "Receipt of an oral appeal №1" in reply.text
    assert "14 December 2026 (15 working days by" in reply.text, "the statutory deadline, in working days (KZ)"
    assert "Nurlan Abenov" in reply.text and "Police captain" in reply.text, "who accepted it, and their position"
    [pdf] = documents(tg, INSPECTOR_ID)
    page = pdf_text(tg, pdf)
    for expected in ("№1", "Дана Ахметова", "+7 701 111 22 33", "Көршілер түнде қатты шулайды", "Nurlan Abenov"):
        assert expected in page, expected
    assert "gets the receipt in their chat" in reply.text

    await tg.drain()
    [to_dana] = documents(tg, RESIDENT_ID)
    kazakh = pdf_text(tg, to_dana)
    assert "Ауызша өтінішті қабылдау туралы талон №1" in kazakh, "in Dana's language, Kazakh letters intact"
    assert "Қабылдаған" in kazakh and "Дана Ахметова" in kazakh
    assert "ауызша өтінішіңізді" in texts_in(tg, RESIDENT_ID)

    card = next(m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №1" in (m.get("text") or ""))
    assert "Oral appeal, received in person" in card["text"] and "Дана Ахметова" in card["text"]
    appeal = await appeal_by_number(tg, 1)
    assert appeal.source == "oral" and appeal.resident_id == RESIDENT_ID and appeal.flat == "7"
    assert appeal.oral is not None and appeal.oral.recorded_by == INSPECTOR_ID

    # Answers reach the resident like any appeal's.
    reply = await inspector.reply_to(card, "We will replace the door lock tomorrow.")
    assert "is on its way to the resident" in reply.text


async def test_an_applicant_not_in_the_bot_gets_the_next_number_and_reports_count_oral_appeals_apart(
    tg: Telegram,
) -> None:
    d = await district(tg)
    await resident_of(tg, d.building, RESIDENT_ID, "Dana")
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en")
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    await send_appeal(dana)

    reply = await record(
        inspector, name="Ivan Petrov", contact=None, flat=None, text="Cars park on the lawn.", channel="by phone"
    )
    assert "Receipt of an oral appeal №2" in reply.text, "the same gapless counter as appeals"
    assert "gets the receipt in their chat" not in reply.text
    card = next(m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №2" in (m.get("text") or ""))
    assert "not registered with the bot (an oral appeal)" in card["text"] and "Ivan Petrov" in card["text"]
    assert "received by phone" in card["text"]
    assert "Ivan Petrov" not in texts_in(tg, RESIDENT_ID)

    # A flat whose residents are not in the bot offers nobody.
    reply = await inspector.send("/record_appeal")
    reply = await inspector.press(reply.last, "at a meeting")
    await inspector.send("Olga")
    await inspector.send("+7 700")
    reply = await inspector.send("12")
    assert "What is the appeal about?" in reply.text
    await inspector.send("/cancel")

    async with tg.app.sessionmaker() as session:
        figures = await reports.figures(session, await reports.beat(session, d.inspector.id), Quarter(2026, 4))
    assert figures.received == 2 and figures.oral == 1


async def test_in_uzbekistan_the_oral_appeals_kind_sets_its_term(tg: Telegram) -> None:
    await district(tg)
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Building).values(country="UZ", timezone="Asia/Tashkent"))
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")

    reply = await record(
        inspector, name="Aziz Karimov", contact=None, flat=None, text="Put a bench by the entrance.", kind="Proposal"
    )
    assert "Kind: Proposal" in reply.text
    assert "23 December 2026 (1 month by" in reply.text, "a proposal: one month (ZRU-445, art. 28)"
    appeal = await appeal_by_number(tg, 1)
    assert appeal.kind == "proposal" and appeal.source == "oral"
