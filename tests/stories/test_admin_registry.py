"""The registry an administrator keeps: inspectors, buildings, assignments — and refusals for everyone else."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.services import buildings, inspectors, residents
from bot.services.people import Person as Someone
from models import AuditEvent, Building, Inspector, User
from tests.support.harness import Person, Reply, Telegram

ADMIN_ID = 1
LINK = "https://t.me/inspector_test_bot?start=b_"


def admin_en(tg: Telegram) -> Person:
    """The administrator (ADMIN_IDS=[1]) reading English, so assertions hold once translations land."""
    return tg.person(ADMIN_ID, "Aigerim", language_code="en")


async def add_inspector(tg: Telegram, telegram_id: int, full_name: str, *, phone: str = "+7 701 123 45 67") -> int:
    """An inspector put straight into the registry (the dialog itself is tested below)."""
    async with tg.app.sessionmaker() as session:
        new = inspectors.draft(
            Someone(id=telegram_id, first_name=full_name.split()[0]),
            full_name=full_name,
            rank="police captain",
            phone=phone,
            reception_point="Abay ave 10, office 3",
            reception_hours="Tue, Thu 18:00–20:00",
        )
        inspector = await inspectors.add_inspector(session, tg.clock, new, language="en", actor_id=ADMIN_ID)
        await session.commit()
        return inspector.id


async def add_building(
    tg: Telegram, code: str, address: str = "Abay ave 10", *, inspector_id: int | None = None
) -> int:
    async with tg.app.sessionmaker() as session:
        building = await buildings.add_building(
            session, tg.clock, code=code, address=address, district=None, timezone="Asia/Almaty", actor_id=ADMIN_ID
        )
        if inspector_id is not None:
            await buildings.assign(
                session, tg.clock, building_id=building.id, inspector_id=inspector_id, actor_id=ADMIN_ID
            )
        await session.commit()
        return building.id


async def inspector_of(tg: Telegram, telegram_id: int) -> Inspector | None:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(Inspector).where(Inspector.user_id == telegram_id))


async def building(tg: Telegram, code: str) -> Building | None:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(Building).where(Building.code == code))


async def count(tg: Telegram, model: type) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def audit_actions(tg: Telegram) -> list[tuple[int | None, str, str | None]]:
    async with tg.app.sessionmaker() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor_id, e.action, e.object_id) for e in rows]


async def fill_card(admin: Person, *, full_name: str = "Serik Akhmetov") -> Reply:
    """Answer the card questions after the person was chosen; returns the preview."""
    await admin.send(full_name)
    await admin.send("police major")
    await admin.send("+7 701 123 45 67")
    await admin.send("Abay ave 10, office 3")
    return await admin.send("Tue, Thu 18:00–20:00")


# --- /add_inspector -------------------------------------------------------------------------------


async def test_an_admin_adds_an_inspector_with_the_user_picker_and_the_inspector_is_told(tg: Telegram) -> None:
    admin = admin_en(tg)
    picked = tg.fake.add_user(300, "Serik", last_name="Akhmetov", username="serik_a", language_code="en")

    reply = await admin.send("/add_inspector")
    assert "Who is the new inspector?" in reply.text
    keyboard = reply.calls[-1].params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_users"]["request_id"] == 1

    reply = await admin.share_user(1, picked)
    assert "full name" in reply.text
    assert reply.calls[-1].params["reply_markup"] == {"remove_keyboard": True}

    preview = await fill_card(admin)
    assert "Check the card residents will see" in preview.text
    for part in ("Serik Akhmetov", "police major", "+7 701 123 45 67", "Abay ave 10, office 3", "Tue, Thu 18:00–20:00"):
        assert part in preview.text
    assert await inspector_of(tg, 300) is None, "nothing is saved before Save"

    saved = await admin.press(preview.last, "Save")
    assert "Inspector added" in saved.text

    inspector = await inspector_of(tg, 300)
    assert inspector is not None
    assert (inspector.full_name, inspector.rank, inspector.phone) == (
        "Serik Akhmetov",
        "police major",
        "+7 701 123 45 67",
    )
    assert (ADMIN_ID, "inspector_added", str(inspector.id)) in await audit_actions(tg)
    async with tg.app.sessionmaker() as session:
        user = await session.get(User, 300)
        assert user is not None and user.username == "serik_a"

    menus = {key: commands for key, commands in tg.fake.commands.items() if key[:2] == ("chat", 300)}
    assert menus, "the inspector's personal command menu was set"
    assert all("buildings" in [c["command"] for c in commands] for commands in menus.values())
    welcome = tg.fake.sent_to(300)
    assert len(welcome) == 1 and "/help" in welcome[0]["text"]
    assert "press Start" not in saved.text


async def test_an_inspector_who_never_opened_the_bot_is_added_and_the_admin_is_asked_to_tell_them(
    tg: Telegram,
) -> None:
    admin = admin_en(tg)
    picked = tg.fake.add_user(301, "Marat", language_code="en", started=False)

    await admin.send("/add_inspector")
    await admin.share_user(1, picked)
    preview = await fill_card(admin, full_name="Marat Bekov")
    saved = await admin.press(preview.last, "Save")

    assert await inspector_of(tg, 301) is not None
    assert "ask them to open @inspector_test_bot and press Start" in saved.text
    assert tg.fake.sent_to(301) == []


async def test_an_admin_adds_an_inspector_by_an_inline_telegram_id(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_inspector 555")
    assert "full name" in reply.text
    preview = await fill_card(admin, full_name="Dana Omarova")
    saved = await admin.press(preview.last, "Save")
    assert "Inspector added" in saved.text

    inspector = await inspector_of(tg, 555)
    assert inspector is not None and inspector.full_name == "Dana Omarova"
    async with tg.app.sessionmaker() as session:
        user = await session.get(User, 555)
        assert user is not None and user.first_name == "Dana Omarova"
    # Telegram does not know a chat with 555: the admin is asked to have them press Start.
    assert "press Start" in saved.text


async def test_a_non_numeric_id_is_asked_again_and_an_invalid_phone_is_asked_again_at_its_step(
    tg: Telegram,
) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector")
    reply = await admin.send("Serik")
    assert "A Telegram id is a number" in reply.text
    reply = await admin.send("-5")
    assert "A Telegram id is a number" in reply.text

    reply = await admin.send("556")
    assert "full name" in reply.text
    await admin.send("Serik Akhmetov")
    reply = await admin.send("police major")
    assert "phone" in reply.text
    reply = await admin.send("call me maybe")
    assert "That does not look right" in reply.text
    assert "phone" in reply.text

    reply = await admin.send("+7 701 123 45 67")
    assert "Reception point" in reply.text
    await admin.send("Abay ave 10, office 3")
    preview = await admin.send("Tue, Thu 18:00–20:00")
    assert "+7 701 123 45 67" in preview.text
    await admin.press(preview.last, "Save")
    inspector = await inspector_of(tg, 556)
    assert inspector is not None and inspector.phone == "+7 701 123 45 67"


async def test_adding_someone_who_is_already_an_inspector_is_refused(tg: Telegram) -> None:
    admin = admin_en(tg)
    picked = tg.fake.add_user(302, "Serik", language_code="en")
    await add_inspector(tg, 302, "Serik Akhmetov")

    reply = await admin.send("/add_inspector 302")
    assert "already an inspector" in reply.text
    reply = await admin.send("/add_inspector")
    reply = await admin.share_user(1, picked)
    assert "already an inspector" in reply.text
    assert await count(tg, Inspector) == 1
    # The dialog is over: the next text is not taken for a name.
    reply = await admin.send("Serik Akhmetov")
    assert "did not understand" in reply.text


async def test_pressing_save_twice_creates_one_inspector(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector 557")
    preview = await fill_card(admin)
    save = next(b for b in preview.buttons() if b["text"] == "Save")["callback_data"]

    await admin.press(preview.last, "Save")
    again = await admin.press_data(preview.last, save)
    assert "This button is no longer available." in again.text
    assert await count(tg, Inspector) == 1
    assert [a for a in await audit_actions(tg) if a[1] == "inspector_added"] == [(ADMIN_ID, "inspector_added", "1")]


async def test_two_quick_presses_on_save_create_one_inspector(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector 558")
    preview = await fill_card(admin)
    save = next(b for b in preview.buttons() if b["text"] == "Save")["callback_data"]

    # A double tap: both presses reach the bot before it answered the first.
    first = tg.fake.callback_update(admin.id, preview.last, save)
    second = tg.fake.callback_update(admin.id, preview.last, save)
    replies = await asyncio.gather(tg.deliver(first), tg.deliver(second))
    assert await count(tg, Inspector) == 1
    assert any("Inspector added" in r.text for r in replies)


async def test_the_inspectors_list_is_paginated(tg: Telegram) -> None:
    admin = admin_en(tg)
    for n in range(20):
        await add_inspector(tg, 1000 + n, f"Inspector {n:02d}")

    reply = await admin.send("/inspectors")
    assert "(20)" in reply.text
    assert "Inspector 00" in reply.text and "Inspector 14" in reply.text
    assert "Inspector 15" not in reply.text
    assert [b["text"] for b in reply.buttons()] == ["1/2", "▶️"]

    page2 = await admin.press(reply.last, "▶️")
    assert "Inspector 15" in page2.text and "Inspector 19" in page2.text
    assert "Inspector 00" not in page2.text
    assert [b["text"] for b in page2.buttons()] == ["◀️", "2/2"]


async def test_a_typed_inspector_name_with_html_is_shown_escaped(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector 559")
    preview = await fill_card(admin, full_name="<b>Bold</b> & Co")
    assert "<b>Bold</b> & Co" in preview.text  # shown as typed, not as markup
    saved = await admin.press(preview.last, "Save")
    assert "<b>Bold</b> & Co" in saved.text
    listing = await admin.send("/inspectors")
    assert "<b>Bold</b> & Co" in listing.text
    bold = [e for e in listing.last.get("entities", []) if e["type"] == "bold"]
    assert bold, "the list's own markup still works"


# --- /add_building ------------------------------------------------------------------------------


async def test_an_admin_adds_a_building_inline_and_gets_its_registration_link(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building A-12 Abay ave 10")
    assert "Building added" in reply.text
    assert f"{LINK}A-12" in reply.text
    assert "/assign A-12" in reply.text

    added = await building(tg, "A-12")
    assert added is not None
    assert (added.address, added.district, added.timezone) == ("Abay ave 10", None, "Asia/Almaty")
    assert (ADMIN_ID, "building_added", "A-12") in await audit_actions(tg)


async def test_an_admin_adds_a_building_step_by_step(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building")
    assert "code" in reply.text
    reply = await admin.send("b-7")  # any case: codes are kept upper-case
    assert "country" in reply.text
    assert "• 🇰🇿 Kazakhstan" in str(reply.last["reply_markup"]), "the deployment's country is preselected"
    reply = await admin.press(reply.last, "Uzbekistan")
    assert "address" in reply.text
    reply = await admin.send("Tole bi 5")
    assert "district" in reply.text
    reply = await admin.send("Almaly")
    assert "time zone" in reply.text
    reply = await admin.send("Asia/Tashkent")
    assert f"{LINK}B-7" in reply.text

    added = await building(tg, "B-7")
    assert added is not None
    assert (added.address, added.district, added.timezone, added.country) == (
        "Tole bi 5",
        "Almaly",
        "Asia/Tashkent",
        "UZ",
    )


async def test_an_admin_skips_the_district_and_the_time_zone(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building C-1")
    await admin.press(reply.last, "Kazakhstan")
    reply = await admin.send("Tole bi 7")
    reply = await admin.press(reply.last, "Skip")
    assert "time zone" in reply.text
    reply = await admin.press(reply.last, "Skip")
    assert f"{LINK}C-1" in reply.text

    added = await building(tg, "C-1")
    assert added is not None
    assert (added.district, added.timezone, added.country) == (None, "Asia/Almaty", "KZ")


async def test_a_taken_or_cyrillic_building_code_is_refused_with_the_reason(tg: Telegram) -> None:
    admin = admin_en(tg)
    await add_building(tg, "A-12")

    reply = await admin.send("/add_building A-12 Other street 1")
    assert "already taken" in reply.text
    reply = await admin.send("/add_building А-12 Abay ave 10")  # the first letter is Cyrillic
    assert "Latin letters" in reply.text
    assert await count(tg, Building) == 1

    # The dialog keeps asking for the code.
    reply = await admin.send("A-13")
    assert "country" in reply.text


async def test_an_unknown_time_zone_is_asked_again(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building D-4")
    await admin.press(reply.last, "Kazakhstan")
    await admin.send("Satpaev 30")
    await admin.send("Bostandyk")
    reply = await admin.send("Mars/Olympus")
    assert "Unknown time zone" in reply.text
    assert await building(tg, "D-4") is None

    reply = await admin.send("Asia/Almaty")
    assert "Building added" in reply.text
    added = await building(tg, "D-4")
    assert added is not None and added.district == "Bostandyk"


async def test_an_admin_adds_an_uzbek_building_inline_and_its_zone_is_uzbekistans(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building U-1 uz Navoi st 5")
    assert "Building added" in reply.text and "Uzbekistan" in reply.text
    added = await building(tg, "U-1")
    assert added is not None
    assert (added.address, added.timezone, added.country) == ("Navoi st 5", "Asia/Tashkent", "UZ")
    # Without a country the deployment's (COUNTRY) is taken.
    await admin.send("/add_building K-1 Abay ave 1")
    kazakh = await building(tg, "K-1")
    assert kazakh is not None and (kazakh.country, kazakh.timezone) == ("KZ", "Asia/Almaty")


async def test_an_admin_changes_a_buildings_country_by_command_or_button(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_building K-2 Abay ave 2")
    reply = await admin.send("/country K-2")
    assert "Kazakhstan" in reply.text
    reply = await admin.press(reply.last, "Uzbekistan")
    assert "Uzbekistan" in reply.text and "open ones keep their deadlines" in reply.text
    changed = await building(tg, "K-2")
    assert changed is not None and changed.country == "UZ"
    reply = await admin.send("/country K-2 kz")
    changed = await building(tg, "K-2")
    assert changed is not None and changed.country == "KZ"
    reply = await admin.send("/country K-2 RU")
    assert "KZ (Kazakhstan) or UZ (Uzbekistan)" in reply.text
    async with tg.app.sessionmaker() as session:
        events = (await session.execute(select(AuditEvent.action).where(AuditEvent.action == "building_country"))).all()
    assert len(events) == 2


# --- /assign ------------------------------------------------------------------------------------


async def test_an_admin_assigns_a_building_by_pressing_an_inspector(tg: Telegram) -> None:
    admin = admin_en(tg)
    await add_inspector(tg, 310, "Serik Akhmetov")
    second = await add_inspector(tg, 311, "Dana Omarova")
    await add_building(tg, "A-12")

    reply = await admin.send("/assign a-12")
    assert "Who serves A-12" in reply.text
    assert sorted(b["text"] for b in reply.buttons()) == ["Dana Omarova", "Serik Akhmetov"]

    reply = await admin.press(reply.last, "Dana")
    assert "now served by Dana Omarova" in reply.text
    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id == second
    assert (ADMIN_ID, "building_assigned", "A-12") in await audit_actions(tg)


async def test_an_admin_assigns_a_building_step_by_step(tg: Telegram) -> None:
    admin = admin_en(tg)
    first = await add_inspector(tg, 310, "Serik Akhmetov")
    await add_building(tg, "A-12")

    reply = await admin.send("/assign")
    assert "Which building?" in reply.text
    reply = await admin.send("A-12")
    reply = await admin.press(reply.last, "Serik")
    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id == first


async def test_an_admin_assigns_a_building_by_the_inspectors_telegram_id(tg: Telegram) -> None:
    admin = admin_en(tg)
    first = await add_inspector(tg, 310, "Serik Akhmetov")
    await add_building(tg, "A-12")

    reply = await admin.send("/assign A-12 310")
    assert "now served by Serik Akhmetov" in reply.text
    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id == first

    reply = await admin.send("/assign A-12 999")
    assert "no inspector with that Telegram id" in reply.text
    reply = await admin.send("/assign A-12 abc")
    assert "no inspector with that Telegram id" in reply.text


async def test_assigning_an_unknown_building_code_is_refused(tg: Telegram) -> None:
    admin = admin_en(tg)
    await add_inspector(tg, 310, "Serik Akhmetov")
    reply = await admin.send("/assign Z-99")
    assert "no building with that code" in reply.text
    reply = await admin.send("/assign Z-99 310")
    assert "no building with that code" in reply.text
    reply = await admin.send("/assign Ж-1")
    assert "no building with that code" in reply.text


async def test_assign_without_inspectors_says_to_add_one(tg: Telegram) -> None:
    admin = admin_en(tg)
    await add_building(tg, "A-12")
    reply = await admin.send("/assign A-12")
    assert "no inspectors yet" in reply.text


# --- /buildings ---------------------------------------------------------------------------------


async def test_an_admin_sees_all_buildings_and_an_inspector_only_theirs(tg: Telegram) -> None:
    admin = admin_en(tg)
    serik = await add_inspector(tg, 310, "Serik Akhmetov")
    dana = await add_inspector(tg, 311, "Dana Omarova")
    await add_building(tg, "A-1", "Abay ave 1", inspector_id=serik)
    await add_building(tg, "B-2", "Tole bi 2", inspector_id=dana)
    await add_building(tg, "C-3", "Satpaev 3")

    reply = await admin.send("/buildings")
    assert "(3)" in reply.text
    for code in ("A-1", "B-2", "C-3"):
        assert f"{LINK}{code}" in reply.text
    assert "no inspector" in reply.text

    inspector = tg.person(310, "Serik", language_code="en")
    reply = await inspector.send("/buildings")
    assert "(1)" in reply.text
    assert f"{LINK}A-1" in reply.text
    assert "B-2" not in reply.text and "C-3" not in reply.text


async def test_an_inspector_cannot_page_through_other_inspectors_buildings(tg: Telegram) -> None:
    serik = await add_inspector(tg, 310, "Serik Akhmetov")
    dana = await add_inspector(tg, 311, "Dana Omarova")
    for n in range(8):
        await add_building(tg, f"S-{n}", inspector_id=serik)
    for n in range(8):
        await add_building(tg, f"D-{n}", inspector_id=dana)

    inspector = tg.person(310, "Serik", language_code="en")
    reply = await inspector.send("/buildings")
    assert "(8)" in reply.text
    assert [b["text"] for b in reply.buttons()] == ["1/2", "▶️"]
    page2 = await inspector.press(reply.last, "▶️")
    assert "S-7" in page2.text

    for forged in ("page:buildings:2", "page:buildings:5", "page:buildings:-1"):
        seen = await inspector.press_data(reply.last, forged)
        assert "D-" not in seen.text, forged


async def test_a_resident_asking_for_buildings_is_told_it_is_for_inspectors(tg: Telegram) -> None:
    resident = tg.person(400, "Aliya", language_code="en")
    reply = await resident.send("/buildings")
    assert "This command is for district inspectors." in reply.text


# --- refusals -----------------------------------------------------------------------------------


async def test_a_resident_cannot_use_the_admin_commands(tg: Telegram) -> None:
    await add_inspector(tg, 310, "Serik Akhmetov")
    await add_building(tg, "A-12")
    before = await audit_actions(tg)
    resident = tg.person(400, "Aliya", language_code="en")

    for command in ("/add_building B-1 Abay ave 1", "/add_inspector 401", "/assign A-12 310", "/inspectors"):
        reply = await resident.send(command)
        assert reply.text == "Only an administrator can do this.", command
    # Nor is a dialog left open.
    reply = await resident.send("/add_inspector")
    reply = await resident.send("401")
    assert "did not understand" in reply.text

    assert await count(tg, Building) == 1
    assert await count(tg, Inspector) == 1
    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id is None
    assert await audit_actions(tg) == before


async def test_a_forged_assign_button_from_a_non_admin_is_refused_and_recorded(tg: Telegram) -> None:
    inspector_id = await add_inspector(tg, 310, "Serik Akhmetov")
    building_id = await add_building(tg, "A-12")
    resident = tg.person(400, "Aliya", language_code="en")
    message = (await resident.send("hello")).last

    reply = await resident.press_data(message, f"assign:{building_id}:{inspector_id}")
    answers = [c for c in reply.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0].params.get("show_alert") is True
    assert "no longer available" in reply.text

    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id is None
    assert (400, "callback_refused", "assign") in await audit_actions(tg)

    # An inspector is not an administrator either.
    inspector = tg.person(310, "Serik", language_code="en")
    message = (await inspector.send("hello")).last
    await inspector.press_data(message, f"assign:{building_id}:{inspector_id}")
    assigned = await building(tg, "A-12")
    assert assigned is not None and assigned.inspector_id is None
    assert (310, "callback_refused", "assign") in await audit_actions(tg)


async def test_a_forged_callback_with_garbage_data_is_refused(tg: Telegram) -> None:
    admin = admin_en(tg)
    message = (await admin.send("/buildings")).last
    for data in ("garbage", "assign:x:y", "page:inspectors:many", "ok:inspector:maybe"):
        reply = await admin.press_data(message, data)
        assert "This button is no longer available." in reply.text, data
    assert await count(tg, Inspector) == 0


# --- what the dialogs must survive --------------------------------------------------------------


async def test_odd_telegram_ids_are_asked_again_not_crashed_on(tg: Telegram) -> None:
    admin = admin_en(tg)
    await add_inspector(tg, 310, "Serik Akhmetov")
    await add_building(tg, "A-12")
    for raw in ("²", "99999999999999999999999", "0"):
        reply = await admin.send(f"/add_inspector {raw}")
        assert "A Telegram id is a number" in reply.text, raw
        reply = await admin.send(f"/assign A-12 {raw}")
        assert "no inspector with that Telegram id" in reply.text, raw
    assert await count(tg, Inspector) == 1


async def test_another_command_typed_in_the_middle_of_a_dialog_is_not_taken_for_an_answer(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector 560")
    reply = await admin.send("/add_building A-12 Abay ave 10")
    assert "Building added" in reply.text
    assert await building(tg, "A-12") is not None

    await admin.send("/add_inspector")
    reply = await admin.send("/inspectors")
    assert "No inspectors yet" in reply.text
    assert await count(tg, Inspector) == 0


async def test_a_too_long_inline_address_is_asked_again(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building A-12 " + "Abay ave " * 40)
    assert "The address must be 1–256 characters" in reply.text
    assert await building(tg, "A-12") is None
    reply = await admin.send("Abay ave 10")
    assert "district" in reply.text


async def test_a_building_address_with_html_is_shown_escaped(tg: Telegram) -> None:
    admin = admin_en(tg)
    reply = await admin.send("/add_building A-12 <i>Abay</i> & 10")
    assert "A-12 — <i>Abay</i> & 10" in reply.text
    reply = await admin.send("/buildings")
    assert "<i>Abay</i> & 10" in reply.text


async def test_a_page_past_the_end_shows_the_last_page(tg: Telegram) -> None:
    admin = admin_en(tg)
    for n in range(20):
        await add_inspector(tg, 1000 + n, f"Inspector {n:02d}")
    message = (await admin.send("/inspectors")).last
    reply = await admin.press_data(message, "page:inspectors:9")
    assert "Inspector 19" in reply.text
    assert [b["text"] for b in reply.buttons()] == ["◀️", "2/2"]


async def test_an_admin_cancels_the_preview_and_nothing_is_saved(tg: Telegram) -> None:
    admin = admin_en(tg)
    await admin.send("/add_inspector 561")
    preview = await fill_card(admin)
    reply = await admin.press(preview.last, "Cancel")
    assert "Cancelled." in reply.text
    assert await count(tg, Inspector) == 0


async def test_a_resident_added_as_an_inspector_by_id_keeps_their_telegram_name(tg: Telegram) -> None:
    admin = admin_en(tg)
    building_id = await add_building(tg, "A-12")
    async with tg.app.sessionmaker() as session:
        home = await session.get(Building, building_id)
        assert home is not None
        someone = Someone(id=562, first_name="Aliya", username="aliya")
        await residents.register(session, tg.clock, someone, building=home, flat=None, language="en")
        await session.commit()

    await admin.send("/add_inspector 562")
    preview = await fill_card(admin, full_name="Aliya Nurlanova")
    await admin.press(preview.last, "Save")
    async with tg.app.sessionmaker() as session:
        user = await session.get(User, 562)
        assert user is not None and (user.first_name, user.username) == ("Aliya", "aliya")
    assert await inspector_of(tg, 562) is not None
