"""A resident registers to a building: deep link → language → consent → flat → registered."""

from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEvent, Residency, User
from tests.support.harness import Telegram
from tests.support.stories import district


async def _count(tg: Telegram, model: type) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_resident_opens_the_building_link_and_registers_in_their_language(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")

    reply = await dana.send("/start b_A-12")
    assert "Abay ave 10" in reply.text
    assert "✓ English" in [b["text"] for b in reply.buttons()], "the language is preselected from Telegram's"

    reply = await dana.press(reply.last, "English")
    assert "personal data" in reply.text and "/forget_me" in reply.text
    assert await _count(tg, User) == 1, "nothing about the resident is stored before consent (only the inspector)"

    reply = await dana.press(reply.last, "I agree")
    assert "flat number" in reply.text

    reply = await dana.send("42")
    assert "You are registered at A-12 — Abay ave 10" in reply.text
    assert "Flat: 42" in reply.text
    assert "Nurlan Abenov" in reply.text
    assert "102" in reply.text and "112" in reply.text

    async with tg.app.sessionmaker() as session:
        residency = await session.scalar(select(Residency).where(Residency.user_id == 3001))
        assert residency is not None and residency.flat == "42"
        assert residency.consent_at == tg.clock.now()
        user = await session.get(User, 3001)
        assert user is not None and user.language == "en"
        assert await session.scalar(select(AuditEvent).where(AuditEvent.action == "resident_registered"))


async def test_a_resident_who_chooses_another_language_reads_the_next_steps_in_it(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "Русский")
    consent_ru = reply.text
    assert "/forget_me" in consent_ru
    assert "personal data" not in consent_ru, "the consent text is shown in the chosen language"
    reply = await dana.press(reply.last, "✅")
    reply = await dana.press(reply.last, reply.buttons()[0]["text"])  # Skip, in Russian
    async with tg.app.sessionmaker() as session:
        user = await session.get(User, 3001)
        assert user is not None and user.language == "ru"
        residency = await session.scalar(select(Residency).where(Residency.user_id == 3001))
        assert residency is not None and residency.flat is None


async def test_a_resident_who_refuses_consent_leaves_nothing_stored(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "English")
    reply = await dana.press(reply.last, "I do not agree")
    assert "Nothing has been saved" in reply.text
    assert "102" in reply.text
    assert await _count(tg, Residency) == 0
    assert await _count(tg, User) == 1  # the inspector only


async def test_start_without_a_code_asks_for_it_and_an_unknown_code_gets_a_clear_answer(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start")
    assert "building code" in reply.text and "102" in reply.text

    reply = await dana.send("Z-99")
    assert "I don't know the building code Z-99" in reply.text

    reply = await dana.send("a-12")
    assert "Abay ave 10" in reply.text, "codes are matched whatever their case"


async def test_a_link_with_an_unknown_code_is_answered_and_markup_in_it_is_escaped(tg: Telegram) -> None:
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_<b>x</b>")
    assert "I don't know the building code" in reply.text
    assert "<b>x</b>" in reply.text, "shown literally, as escaped text"


async def test_a_flat_number_that_is_too_long_is_asked_again(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "English")
    reply = await dana.press(reply.last, "I agree")
    reply = await dana.send("x" * 40)
    assert "up to 16 letters, digits" in reply.text
    reply = await dana.send("=cmd|'/c calc'!A")
    assert "up to 16 letters, digits" in reply.text, "nothing a spreadsheet takes for a formula"
    reply = await dana.send("12/3")
    assert "Flat: 12/3" in reply.text


async def test_a_double_press_on_consent_registers_once(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "English")
    consent = reply.last
    await dana.press(consent, "I agree")
    second = await dana.press_data(consent, "consent:1")
    assert "no longer available" in second.text


async def test_a_registered_resident_opening_the_link_again_is_told_so(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "English")
    reply = await dana.press(reply.last, "I agree")
    await dana.press(reply.last, "Skip")

    reply = await dana.send("/start b_A-12")
    assert "already registered" in reply.text
    reply = await dana.send("/start")
    assert "/inspector" in reply.text, "a registered resident gets the menu"


async def test_a_resident_moving_to_another_building_is_registered_there_only(tg: Telegram) -> None:
    await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    dana = tg.person(3001, "Dana", language_code="en")
    for code in ("A-12", "B-1"):
        reply = await dana.send(f"/start b_{code}")
        reply = await dana.press(reply.last, "English")
        reply = await dana.press(reply.last, "I agree")
        reply = await dana.press(reply.last, "Skip")
    assert "Your registration at A-12 — Abay ave 10 has been replaced" in reply.text
    assert await _count(tg, Residency) == 1


async def test_cancel_in_the_middle_of_registration_keeps_the_chosen_language(tg: Telegram) -> None:
    await district(tg)
    dana = tg.person(3001, "Dana", language_code="en")
    reply = await dana.send("/start b_A-12")
    reply = await dana.press(reply.last, "English")
    reply = await dana.send("/cancel")
    assert "Cancelled" in reply.text
    assert await _count(tg, User) == 1
