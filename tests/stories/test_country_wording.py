"""Wording by country: residents, building chats and notices read the terms of their building's country, in their
own language; Uzbek can be read in Cyrillic too."""

from __future__ import annotations

from bot.services import buildings
from models import BuildingChat
from tests.support.harness import Group, Person, Telegram
from tests.support.stories import INSPECTOR_ID, District, district

OLGA, IRINA, DILNOZA = 3101, 3102, 3103


async def tashkent_building(tg: Telegram, d: District) -> District:
    """A building in Tashkent on the same inspector's beat."""
    async with tg.app.sessionmaker.begin() as session:
        building = await buildings.add_building(
            session, tg.clock, code="T-1", address="Navoi st 5", district=None, timezone="Asia/Tashkent", actor_id=1
        )
        building.country = "UZ"
        await buildings.assign(session, tg.clock, building_id=building.id, inspector_id=d.inspector.id, actor_id=1)
    return District(d.inspector, building)


async def registered(person: Person, code: str, language_button: str) -> str:
    """The building's link → the language → consent → no flat; returns the consent text."""
    reply = await person.send(f"/start b_{code}")
    reply = await person.press(reply.last, language_button)
    consent = reply.text
    reply = await person.press(reply.last, "✅")
    await person.press(reply.last, reply.buttons()[0]["text"])  # skip the flat
    return consent


async def test_a_tashkent_and_an_almaty_resident_in_russian_read_their_own_countrys_terms(tg: Telegram) -> None:
    almaty = await district(tg)
    tashkent = await tashkent_building(tg, almaty)
    olga = tg.person(OLGA, "Olga", language_code="ru")
    irina = tg.person(IRINA, "Irina", language_code="ru")

    consent = await registered(olga, "T-1", "Русский")
    assert consent.startswith("Согласие на сбор и обработку персональных данных\n")
    assert "Оператор: районный отдел внутренних дел." in consent
    assert "передавать ваши сообщения инспектору профилактики" in consent and "участков" not in consent
    assert "серверы Telegram" in consent and "добровольное" in consent and "/forget_me" in consent
    consent = await registered(irina, "A-12", "Русский")
    assert "Оператор: районное управление полиции." in consent
    assert "передавать ваши сообщения участковому инспектору" in consent

    assert "/appeal — написать инспектору профилактики" in (await olga.send("/help")).text
    assert "/appeal — написать участковому инспектору" in (await irina.send("/help")).text
    privacy = (await olga.send("/privacy")).text
    assert "Оператор персональных данных — районный отдел внутренних дел" in privacy

    # Each building's chat, in Russian, reads the inspector's notice in its own country's words.
    async with tg.app.sessionmaker.begin() as session:
        for chat_id, building in ((-201, tashkent.building), (-202, almaty.building)):
            tg.fake.add_group(chat_id, building.code, type="group", creator_id=INSPECTOR_ID)
            session.add(
                BuildingChat(
                    building_id=building.id,
                    chat_id=chat_id,
                    title=building.code,
                    language="ru",
                    active=True,
                    bound_at=tg.clock.now(),
                )
            )
    # The chat's own replies too: /inspector in each chat ends with its country's emergency line.
    assert "(органы внутренних дел)" in (await olga.send("/inspector", chat=Group(-201))).text
    assert "(полиция)" in (await irina.send("/inspector", chat=Group(-202))).text

    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    picker = (await inspector.send("/notice Water is off on Friday")).last
    await inspector.press(picker, "A-12")
    await inspector.press(picker, "T-1")
    summary = (await inspector.press(picker, "Done")).last
    await inspector.press(summary, "Send")
    await tg.drain()
    in_tashkent = tg.fake.sent_to(-201)[-1]["text"]
    in_almaty = tg.fake.sent_to(-202)[-1]["text"]
    assert in_tashkent.startswith("📢 Объявление инспектора профилактики\n")
    assert in_almaty.startswith("📢 Объявление участкового инспектора\n")


async def test_an_uzbek_resident_switches_to_cyrillic_and_is_told_the_menus_stay_latin(tg: Telegram) -> None:
    tashkent = await tashkent_building(tg, await district(tg))
    dilnoza = tg.person(DILNOZA, "Dilnoza", language_code="uz")
    consent = await registered(dilnoza, tashkent.building.code, "Oʻzbekcha")
    assert consent.startswith("Shaxsga doir maʼlumotlarga ishlov berishga rozilik\n")
    assert "profilaktika inspektoringizga" in consent and "tuman ichki ishlar boʻlimi" in consent

    reply = await dilnoza.send("/lang")
    reply = await dilnoza.press(reply.last, "Ўзбекча")
    assert "Тил: Ўзбекча." in reply.text
    assert "Буйруқлар менюси лотин ёзувида қолади" in reply.text
    help_text = (await dilnoza.send("/help")).text
    assert "/appeal — профилактика инспекторингизга ёзиш" in help_text
    # Telegram keeps menus under two-letter codes only: Uzbek has its Latin one, and no uz_Cyrl is ever sent.
    assert {language for _scope, _chat, language in tg.fake.commands} == {"", "ru", "kk", "uz", "en"}
    menu = {c["command"]: c["description"] for c in tg.fake.commands[("all_private_chats", None, "uz")]}
    assert menu["appeal"] == "Profilaktika inspektoriga yozish"
