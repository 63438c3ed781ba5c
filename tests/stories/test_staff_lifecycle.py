"""Access ends when a role ends: an inspector removed or a building reassigned takes nothing of the beat along."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import buildings
from models import Appeal, Building, Inspector
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, bound_chats, district, notice_in

ADMIN_ID = 1
SERIK = 2100
CHAT = -101


async def test_a_removed_inspector_hands_the_beat_over_and_can_do_nothing_with_old_cards(tg: Telegram) -> None:
    d, dana, nurlan = await beat(tg)
    await district(tg, inspector_id=SERIK, code="B-1", full_name="Serik Akhmetov")
    serik = tg.person(SERIK, "Serik", language_code="en")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await send_appeal(dana)
    old_card = tg.fake.sent_to(INSPECTOR_ID)[0]
    assert "Appeal №1" in old_card["text"]

    reply = await admin.send("/remove_inspector")
    assert "Which inspector leaves?" in reply.text
    reply = await admin.share_user(1, {"id": INSPECTOR_ID, "first_name": "Nurlan"})
    assert "Who takes over" in reply.text
    reply = await admin.press(reply.last, "Serik")
    assert "Remove Nurlan Abenov?" in reply.text and "A-12" in reply.text
    async with tg.app.sessionmaker() as session:
        assert (await session.scalar(select(Inspector.active).where(Inspector.user_id == INSPECTOR_ID))) is True
    reply = await admin.press(reply.last, "Remove")
    assert "Nurlan Abenov is removed" in reply.text and "1 open appeal" in reply.text
    await tg.quiet()

    assert "removed you from the inspectors" in texts_in(tg, INSPECTOR_ID)
    assert any(
        c.params["scope"] == {"type": "chat", "chat_id": INSPECTOR_ID} for c in tg.fake.calls("deleteMyCommands")
    ), "the staff menu goes"
    assert "You now serve A-12; 1 open appeal came with it" in texts_in(tg, SERIK)
    async with tg.app.sessionmaker() as session:
        building = await session.scalar(select(Building).where(Building.code == "A-12"))
        serik_row = await session.scalar(select(Inspector).where(Inspector.user_id == SERIK))
        assert building is not None and serik_row is not None and building.inspector_id == serik_row.id
    assert (await appeal_by_number(tg, 1)).inspector_id == serik_row.id

    # The old card's buttons and a reply to it do nothing; the resident hears nothing of it.
    before = len(tg.fake.sent_to(RESIDENT_ID))
    await nurlan.press(old_card, "Resolve")
    await nurlan.reply_to(old_card, "Closing this one myself.")
    reply = await nurlan.send("/queue")
    assert "for district inspectors" in reply.text
    await tg.quiet()
    assert len(tg.fake.sent_to(RESIDENT_ID)) == before
    assert (await appeal_by_number(tg, 1)).status == "new"

    # A new appeal from the building reaches the successor, never the removed inspector.
    nurlan_seen = len(tg.fake.sent_to(INSPECTOR_ID))
    tg.clock.advance(minutes=5)
    await send_appeal(dana, "The entrance door lock is broken again.")
    assert len(tg.fake.sent_to(INSPECTOR_ID)) == nurlan_seen
    assert "Appeal №2" in texts_in(tg, SERIK)

    # The successor opens the bot: the moved card arrives, and its buttons work for him.
    await serik.send("/start")
    moved = next(m for m in tg.fake.sent_to(SERIK) if "Appeal №1" in (m.get("text") or "") and m.get("reply_markup"))
    await serik.press(moved, "Take")
    assert (await appeal_by_number(tg, 1)).status == "in_progress"
    assert "taken your appeal №1" in texts_in(tg, RESIDENT_ID)

    # An administrator may add the same person again.
    reply = await admin.send(f"/add_inspector {INSPECTOR_ID}")
    assert "full name" in reply.text
    for answer in ("Nurlan Abenov", "police major", "+7 701 123 45 67", "Abay ave 10, office 3"):
        await admin.send(answer)
    preview = await admin.send("Tue 18:00–20:00")
    reply = await admin.press(preview.last, "Save")
    assert "Inspector added" in reply.text
    reply = await nurlan.send("/buildings")
    assert "No buildings are assigned to you yet" in reply.text
    assert d.building.code == "A-12"


async def test_removed_with_nobody_to_take_over_the_administrators_work_the_building(tg: Telegram) -> None:
    _, dana, _nurlan = await beat(tg)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")

    reply = await admin.send(f"/remove_inspector {INSPECTOR_ID}")
    reply = await admin.press(reply.last, "the administrators")
    reply = await admin.press(reply.last, "Remove")
    assert "went to the administrators" in reply.text
    async with tg.app.sessionmaker() as session:
        building = await session.scalar(select(Building).where(Building.code == "A-12"))
        assert building is not None and building.inspector_id is None

    await tg.quiet()
    seen = len(tg.fake.sent_to(INSPECTOR_ID))
    await send_appeal(dana)
    assert "Loud music every night" in texts_in(tg, ADMIN_ID), "the card reaches the administrators"
    assert len(tg.fake.sent_to(INSPECTOR_ID)) == seen
    reply = await admin.send("/remove_inspector 999")
    assert "not an inspector" in reply.text


async def test_assigning_a_building_moves_its_open_appeals_and_tells_both_inspectors(tg: Telegram) -> None:
    _, dana, nurlan = await beat(tg)
    await district(tg, inspector_id=SERIK, code="B-1", full_name="Serik Akhmetov")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await send_appeal(dana)
    old_card = tg.fake.sent_to(INSPECTOR_ID)[0]

    reply = await admin.send("/assign A-12")
    reply = await admin.press(reply.last, "Serik")
    assert "now served by" in reply.text
    await tg.quiet()
    assert "A-12 is now served by" in texts_in(tg, INSPECTOR_ID)
    assert "You now serve A-12; 1 open appeal came with it" in texts_in(tg, SERIK)
    async with tg.app.sessionmaker() as session:
        appeal = await session.scalar(select(Appeal).where(Appeal.number == 1))
        serik_id = await session.scalar(select(Inspector.id).where(Inspector.user_id == SERIK))
        assert appeal is not None and appeal.inspector_id == serik_id and appeal.delivered_at is not None
    assert "Appeal №1" in texts_in(tg, SERIK), "the moved card reaches the new inspector by itself"

    # The previous inspector keeps the role (B-1 is not his), but this appeal is no longer his to resolve.
    await nurlan.press(old_card, "Resolve")
    assert (await appeal_by_number(tg, 1)).status == "new"
    async with tg.app.sessionmaker() as session:
        assert [
            row.building.code for row in (await buildings.list_buildings(session, inspector_id=serik_id)).items
        ] == ["A-12", "B-1"]


# --- questions from building chats --------------------------------------------------------------------------------


async def test_a_question_goes_to_whoever_serves_the_building_now_and_only_they_may_answer(tg: Telegram) -> None:
    d, dana, nurlan = await beat(tg)
    await district(tg, inspector_id=SERIK, code="B-1", full_name="Serik Akhmetov")
    serik = tg.person(SERIK, "Serik", language_code="en")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in(tg, CHAT)
    await dana.reply_to(notice, "Is the hot water off too?")
    await tg.drain()
    to_nurlan = tg.fake.sent_to(INSPECTOR_ID)[-1]
    assert "Is the hot water off too?" in to_nurlan["text"]

    reply = await admin.send("/assign A-12")
    await admin.press(reply.last, "Serik")
    await tg.quiet()
    # Nurlan's notice is still in the chat, but the question under it now goes to Serik.
    seen = len(tg.fake.sent_to(INSPECTOR_ID))
    await dana.reply_to(notice, "And on Saturday?")
    await tg.drain()
    assert len(tg.fake.sent_to(INSPECTOR_ID)) == seen
    to_serik = tg.fake.sent_to(SERIK)[-1]
    assert "And on Saturday?" in to_serik["text"]

    # Nurlan answering the old question posts nothing: the building is not his any more.
    in_chat = len(tg.fake.sent_to(CHAT))
    reply = await nurlan.reply_to(to_nurlan, "Yes, until 14:00.")
    assert "not yours to answer" in reply.text
    reply = await serik.reply_to(to_serik, "Saturday too.")
    assert "Posted in the chat" in reply.text
    await tg.drain()
    posted = tg.fake.sent_to(CHAT)[in_chat:]
    assert [m["text"] for m in posted] == ["👮 Serik Akhmetov, district inspector:\nSaturday too."]

    # Once the chat is unbound, nothing more is posted there.
    group = tg.group(CHAT, "Abay 10", creator=serik)
    await serik.send("/unbind", chat=group)
    reply = await serik.reply_to(to_serik, "One more thing.")
    assert "no longer connected" in reply.text
    await tg.drain()
    assert len(tg.fake.sent_to(CHAT)) == in_chat + 2  # the answer and /unbind's own reply


async def test_with_nobody_serving_the_building_questions_reach_the_administrators_signed_as_such(
    tg: Telegram,
) -> None:
    d, dana, _nurlan = await beat(tg)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/start")
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in(tg, CHAT)
    reply = await admin.send(f"/remove_inspector {INSPECTOR_ID}")
    reply = await admin.press(reply.last, "the administrators")
    await admin.press(reply.last, "Remove")
    await tg.quiet()

    seen = len(tg.fake.sent_to(INSPECTOR_ID))
    await dana.reply_to(notice, "Who do I call now?")
    await tg.drain()
    assert len(tg.fake.sent_to(INSPECTOR_ID)) == seen, "the removed inspector hears nothing"
    to_admin = tg.fake.sent_to(ADMIN_ID)[-1]
    assert "Who do I call now?" in to_admin["text"]
    await admin.reply_to(to_admin, "Call 102 for now.")
    await tg.drain()
    assert tg.fake.sent_to(CHAT)[-1]["text"].startswith("👮 Aigerim, administrator:")


async def test_questions_in_a_chat_and_replies_in_a_thread_are_rate_limited(tg: Telegram) -> None:
    d, dana, _nurlan = await beat(tg)
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in(tg, CHAT)
    limit = tg.app.settings.question_rate_limit
    for n in range(limit):
        await dana.reply_to(notice, f"Question {n}")
    reply = await dana.reply_to(notice, "One too many")
    assert f"You have asked {limit} questions here within the hour" in reply.text
    tg.clock.advance(hours=1, minutes=1)
    reply = await dana.reply_to(notice, "An hour later")
    assert reply.methods() == ["setMessageReaction"]

    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[-1]
    await _nurlan.reply_to(card, "Noted.")
    answer = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT_ID][-1]
    copied = {"message_id": answer.response["result"]["message_id"], "chat": {"id": RESIDENT_ID, "type": "private"}}
    for n in range(tg.app.settings.reply_rate_limit):
        await dana.reply_to(copied, f"Reply {n}")
    reply = await dana.reply_to(copied, "Too many")
    assert "messages to the inspector within the hour" in reply.text


def own_menu(tg: Telegram, chat_id: int, language: str = "") -> dict[str, str]:
    """A person's own command menu, as Telegram shows it to an app in `language` ("": any other)."""
    return {c["command"]: c["description"] for c in tg.fake.commands.get(("chat", chat_id, language), [])}


async def test_a_staff_menu_is_in_their_language_and_country_and_goes_when_the_role_ends(tg: Telegram) -> None:
    await district(tg)  # Nurlan serves A-12 in Kazakhstan and reads English
    nurlan = tg.person(INSPECTOR_ID, "Nurlan", language_code="ru")
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await nurlan.send("/start")
    assert own_menu(tg, INSPECTOR_ID)["inspector"] == "Your district inspector"
    assert own_menu(tg, INSPECTOR_ID, "ru") == own_menu(tg, INSPECTOR_ID), "his language, whatever his app's"
    assert "queue" in own_menu(tg, INSPECTOR_ID) and "remove_inspector" not in own_menu(tg, INSPECTOR_ID)

    # Two buildings in Uzbekistan, most of his now: the menu takes Uzbekistan's wording.
    async with tg.app.sessionmaker.begin() as session:
        for code in ("U-1", "U-2"):
            await buildings.add_building(
                session, tg.clock, code=code, address="Navoi st 5", district=None, timezone="Asia/Tashkent",
                actor_id=ADMIN_ID, country="UZ",
            )  # fmt: skip
    await admin.send(f"/assign U-1 {INSPECTOR_ID}")
    assert own_menu(tg, INSPECTOR_ID)["inspector"] == "Your district inspector", "one of each: COUNTRY's"
    await admin.send(f"/assign U-2 {INSPECTOR_ID}")
    assert own_menu(tg, INSPECTOR_ID)["inspector"] == "Your prevention inspector"

    # He switches to Russian: Uzbekistan's Russian wording; residents keep the menus of their app's language.
    reply = await nurlan.send("/lang")
    await nurlan.press(reply.last, "Русский")
    assert own_menu(tg, INSPECTOR_ID, "en")["inspector"] == "Ваш инспектор профилактики"
    everyone = {c["command"]: c["description"] for c in tg.fake.commands[("all_private_chats", None, "ru")]}
    assert everyone["inspector"] == "Ваш участковый инспектор"

    # Removed, with nobody to take over: his own menu goes, and he sees everyone's.
    reply = await admin.send(f"/remove_inspector {INSPECTOR_ID}")
    reply = await admin.press(reply.last, "the administrators")
    await admin.press(reply.last, "Remove")
    assert not [key for key in tg.fake.commands if key[:2] == ("chat", INSPECTOR_ID)]
