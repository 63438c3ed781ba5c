"""What every person can do in private: language, privacy, forgetting, the inspector's card, /cancel, /help."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import buildings, inspectors, residents
from bot.services.people import Person as Someone
from models import AuditEvent, Building, Residency, User
from tests.support.harness import Person, Telegram

ADMIN_ID = 1
NOT_UNDERSTOOD = "I did not understand that. /help lists what I can do."
STICKER = {
    "file_id": "CAACAgIAAxkBAAIBsticker",
    "file_unique_id": "AgADsticker",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "emoji": "👍",
}


async def add_building(tg: Telegram, code: str = "A-12", *, inspector_id: int | None = None) -> int:
    async with tg.app.sessionmaker() as session:
        building = await buildings.add_building(
            session,
            tg.clock,
            code=code,
            address="Abay ave 10",
            district=None,
            timezone="Asia/Almaty",
            actor_id=ADMIN_ID,
        )
        if inspector_id is not None:
            await buildings.assign(
                session, tg.clock, building_id=building.id, inspector_id=inspector_id, actor_id=ADMIN_ID
            )
        await session.commit()
        return building.id


async def add_inspector(tg: Telegram, telegram_id: int, full_name: str = "Serik Akhmetov") -> int:
    async with tg.app.sessionmaker() as session:
        new = inspectors.draft(
            Someone(id=telegram_id, first_name=full_name.split()[0]),
            full_name=full_name,
            rank="police major",
            phone="+7 701 123 45 67",
            reception_point="Abay ave 10, office 3",
            reception_hours="Tue, Thu 18:00–20:00",
        )
        inspector = await inspectors.add_inspector(session, tg.clock, new, language="en", actor_id=ADMIN_ID)
        await session.commit()
        return inspector.id


async def register(
    tg: Telegram, telegram_id: int, building_id: int, *, flat: str | None = "42", language: str = "en"
) -> None:
    """A resident who went through registration (the dialog itself is tested elsewhere)."""
    async with tg.app.sessionmaker() as session:
        building = await session.get(Building, building_id)
        assert building is not None
        await residents.register(
            session,
            tg.clock,
            Someone(id=telegram_id, first_name="Aliya", last_name="Nurlanova"),
            building=building,
            flat=flat,
            language=language,
        )
        await session.commit()


async def resident(tg: Telegram, telegram_id: int = 400, **kwargs: object) -> Person:
    building_id = await add_building(tg)
    await register(tg, telegram_id, building_id, **kwargs)  # type: ignore[arg-type]
    return tg.person(telegram_id, "Aliya", last_name="Nurlanova", language_code="en")


async def user(tg: Telegram, telegram_id: int) -> User | None:
    async with tg.app.sessionmaker() as session:
        return await session.get(User, telegram_id)


async def count(tg: Telegram, model: type) -> int:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def in_language(tg: Telegram, text: str, language: str) -> str:
    """The text as a reader of that language sees it (the msgid until the catalog translates it)."""
    return tg.app.i18n.gettext(text, locale=language)


# --- /lang --------------------------------------------------------------------------------------


async def test_a_resident_changes_the_language_and_the_bot_answers_in_it(tg: Telegram) -> None:
    aliya = await resident(tg)
    reply = await aliya.send("/lang")
    assert "Choose the language" in reply.text
    labels = [b["text"] for b in reply.buttons()]
    assert "✓ English" in labels and "Қазақша" in labels

    reply = await aliya.press(reply.last, "Қазақша")
    assert "Қазақша" in reply.text
    stored = await user(tg, 400)
    assert stored is not None and stored.language == "kk"

    reply = await aliya.send("what?")
    assert reply.text == in_language(tg, NOT_UNDERSTOOD, "kk")
    reply = await aliya.send("/lang")
    assert "✓ Қазақша" in [b["text"] for b in reply.buttons()]


async def test_a_stranger_chooses_a_language_that_is_kept_in_the_dialog_not_in_the_database(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/lang")
    reply = await stranger.press(reply.last, "Oʻzbekcha")
    assert "Oʻzbekcha" in reply.text

    reply = await stranger.send("what?")
    assert reply.text == in_language(tg, NOT_UNDERSTOOD, "uz")
    reply = await stranger.send("/lang")
    assert "✓ Oʻzbekcha" in [b["text"] for b in reply.buttons()]
    assert await user(tg, 500) is None
    assert await count(tg, User) == 0


async def test_a_forged_language_button_is_refused(tg: Telegram) -> None:
    aliya = await resident(tg)
    message = (await aliya.send("/lang")).last
    reply = await aliya.press_data(message, "lang:xx")
    assert "This button is no longer available." in reply.text
    stored = await user(tg, 400)
    assert stored is not None and stored.language == "en"


# --- /privacy and /forget_me --------------------------------------------------------------------


async def test_privacy_tells_a_stranger_that_nothing_is_kept(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/privacy")
    assert "Right now the bot keeps nothing about you." in reply.text


async def test_privacy_lists_what_is_kept_about_a_resident(tg: Telegram) -> None:
    aliya = await resident(tg)
    reply = await aliya.send("/privacy")
    assert "What is kept about you" in reply.text
    assert "Name: Aliya Nurlanova" in reply.text
    assert "Language: English" in reply.text
    assert "Building: A-12 — Abay ave 10" in reply.text
    assert "Flat: 42" in reply.text
    assert "/forget_me" in reply.text


async def test_a_resident_forgets_themselves_and_the_audit_trail_no_longer_names_them(tg: Telegram) -> None:
    aliya = await resident(tg)
    async with tg.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).where(AuditEvent.actor_id == 400)) == 1

    reply = await aliya.send("/forget_me")
    assert "cannot be undone" in reply.text
    reply = await aliya.press(reply.last, "Delete my data")
    assert "Your data has been deleted" in reply.text

    assert await user(tg, 400) is None
    assert await count(tg, Residency) == 0
    async with tg.app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).where(AuditEvent.actor_id == 400)) == 0
        actions = (await session.scalars(select(AuditEvent.action))).all()
        assert "resident_registered" in actions and "forget_me" in actions

    reply = await aliya.send("/privacy")
    assert "Right now the bot keeps nothing about you." in reply.text


async def test_a_resident_who_cancels_forget_me_keeps_their_data(tg: Telegram) -> None:
    aliya = await resident(tg)
    reply = await aliya.send("/forget_me")
    reply = await aliya.press(reply.last, "Cancel")
    assert "Nothing was deleted." in reply.text
    assert await user(tg, 400) is not None
    assert await count(tg, Residency) == 1


async def test_an_inspector_cannot_forget_themselves(tg: Telegram) -> None:
    await add_inspector(tg, 310)
    inspector = tg.person(310, "Serik", language_code="en")
    reply = await inspector.send("/forget_me")
    assert "Ask an administrator to remove you." in reply.text
    assert not reply.buttons()
    # Nor with a forged confirmation.
    message = (await inspector.send("/help")).last
    reply = await inspector.press_data(message, "ok:forget:1")
    assert "Ask an administrator to remove you." in reply.text
    assert await user(tg, 310) is not None


async def test_forget_me_tells_a_stranger_that_nothing_is_kept(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/forget_me")
    assert "The bot keeps nothing about you." in reply.text
    assert not reply.buttons()


# --- /inspector ---------------------------------------------------------------------------------


async def test_a_resident_sees_their_buildings_inspector_with_the_emergency_line(tg: Telegram) -> None:
    inspector_id = await add_inspector(tg, 310)
    building_id = await add_building(tg, inspector_id=inspector_id)
    await register(tg, 400, building_id)
    aliya = tg.person(400, "Aliya", language_code="en")

    reply = await aliya.send("/inspector")
    for part in ("Serik Akhmetov", "police major", "+7 701 123 45 67", "Abay ave 10, office 3", "Tue, Thu 18:00–20:00"):
        assert part in reply.text
    assert "102" in reply.text and "112" in reply.text


async def test_a_resident_whose_building_has_no_inspector_is_told_so(tg: Telegram) -> None:
    aliya = await resident(tg)
    reply = await aliya.send("/inspector")
    assert "No inspector is assigned to this building yet." in reply.text
    assert "102" in reply.text


async def test_a_stranger_asking_for_the_inspector_is_told_to_register(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/inspector")
    assert "You are not registered yet" in reply.text


async def test_an_inspector_sees_their_own_card(tg: Telegram) -> None:
    await add_inspector(tg, 310)
    inspector = tg.person(310, "Serik", language_code="en")
    reply = await inspector.send("/inspector")
    assert "Serik Akhmetov" in reply.text and "+7 701 123 45 67" in reply.text


# --- /cancel and what the bot cannot take -------------------------------------------------------


async def test_cancel_ends_the_add_building_dialog(tg: Telegram) -> None:
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/add_building")
    reply = await admin.send("/cancel")
    assert "Cancelled." in reply.text
    reply = await admin.send("A-12")
    assert reply.text == NOT_UNDERSTOOD
    assert await count(tg, Building) == 0


async def test_cancel_with_nothing_open_says_so(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/cancel")
    assert "There is nothing to cancel." in reply.text


async def test_cancel_keeps_a_strangers_chosen_language(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/lang")
    await stranger.press(reply.last, "Қазақша")
    await stranger.send("/start")
    await stranger.send("/cancel")
    reply = await stranger.send("what?")
    assert reply.text == in_language(tg, NOT_UNDERSTOOD, "kk")


async def test_a_sticker_gets_a_clear_answer_and_unknown_text_a_hint(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send(sticker=STICKER)
    assert "I can't handle this kind of message here." in reply.text
    reply = await stranger.send("good morning")
    assert reply.text == NOT_UNDERSTOOD


async def test_a_sticker_in_the_middle_of_a_dialog_asks_for_text(tg: Telegram) -> None:
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/add_building")
    reply = await admin.send(sticker=STICKER)
    assert "Please answer the question above with a text message" in reply.text
    # The dialog is still there.
    reply = await admin.send("A-12")
    assert "country" in reply.text


# --- blocking -----------------------------------------------------------------------------------


async def test_a_resident_who_blocks_the_bot_is_marked_unreachable_until_they_come_back(tg: Telegram) -> None:
    aliya = await resident(tg)
    await tg.deliver(tg.fake.block(400))
    stored = await user(tg, 400)
    assert stored is not None and stored.reachable is False

    # Pressing "Restart" unblocks the bot and sends /start.
    await tg.deliver(tg.fake.unblock(400))
    stored = await user(tg, 400)
    assert stored is not None and stored.reachable is True
    reply = await aliya.send("/start")
    assert reply.messages


async def test_a_stranger_blocking_the_bot_stores_nothing(tg: Telegram) -> None:
    tg.person(500, "Dana", language_code="en")
    await tg.deliver(tg.fake.block(500))
    assert await count(tg, User) == 0


# --- /help --------------------------------------------------------------------------------------


async def test_help_differs_by_role_and_always_gives_the_emergency_numbers(tg: Telegram) -> None:
    inspector_id = await add_inspector(tg, 310)
    building_id = await add_building(tg, inspector_id=inspector_id)
    await register(tg, 400, building_id)
    people = {
        "stranger": tg.person(500, "Dana", language_code="en"),
        "resident": tg.person(400, "Aliya", language_code="en"),
        "inspector": tg.person(310, "Serik", language_code="en"),
        "admin": tg.person(ADMIN_ID, "Aigerim", language_code="en"),
    }
    texts = {role: (await person.send("/help")).text for role, person in people.items()}

    for role, text in texts.items():
        assert "102" in text and "112" in text, role
        assert "/inspector" in text and "/lang" in text and "/privacy" in text, role
    assert "To register" in texts["stranger"]
    assert "To register" not in texts["resident"]
    assert "/buildings" not in texts["resident"] and "/add_inspector" not in texts["resident"]
    assert "/buildings" in texts["inspector"] and "/bind" in texts["inspector"]
    assert "/add_inspector" not in texts["inspector"]
    assert "/add_inspector" in texts["admin"] and "/add_building" in texts["admin"] and "/assign" in texts["admin"]
    assert len({texts["resident"], texts["inspector"], texts["admin"]}) == 3
