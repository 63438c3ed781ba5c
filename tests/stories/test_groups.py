"""Building group chats: /bind and /unbind, the bot added, kicked and re-added, and a group upgraded."""

from __future__ import annotations

from sqlalchemy import select

from models import BuildingChat
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, district

CHAT = -100


async def _chat(tg: Telegram, chat_id: int = CHAT) -> BuildingChat | None:
    async with tg.app.sessionmaker() as session:
        return await session.scalar(select(BuildingChat).where(BuildingChat.chat_id == chat_id))


async def test_the_inspector_binds_the_building_chat_and_residents_get_a_registration_button(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")  # re-added with the same id
    group = tg.group(CHAT, "Abay 10 neighbours", creator=inspector)

    reply = await inspector.send("/bind A-12", chat=group)
    assert "This chat is now connected to A-12 — Abay ave 10" in reply.text
    assert "102" in reply.text
    [button] = reply.buttons()
    assert button["url"] == "https://t.me/inspector_test_bot?start=b_A-12"

    chat = await _chat(tg)
    assert chat is not None and chat.active and chat.title == "Abay 10 neighbours"


async def test_bind_with_the_bot_name_and_no_code_asks_for_the_code_as_a_reply(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=inspector)

    reply = await inspector.send("/bind@inspector_test_bot", chat=group)
    assert "Reply to this message with the building's code" in reply.text
    [ask] = [call for call in reply.calls if call.method == "sendMessage"]
    assert ask.params["reply_markup"] == {"force_reply": True, "selective": True}

    reply = await inspector.reply_to(reply.last, "a-12")
    assert "now connected" in reply.text
    assert await _chat(tg) is not None


async def test_a_stranger_cannot_bind_or_unbind_a_chat(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    stranger = tg.person(3001, "Dana", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=stranger)

    reply = await stranger.send("/bind A-12", chat=group)
    assert "Only the building's inspector or an administrator can connect this chat" in reply.text
    assert await _chat(tg) is None

    await inspector.send("/bind A-12", chat=group)
    reply = await stranger.send("/unbind", chat=group)
    assert "Only the building's inspector or an administrator can disconnect" in reply.text
    assert await _chat(tg) is not None


async def test_another_inspector_cannot_bind_a_building_that_is_not_theirs(tg: Telegram) -> None:
    await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    other = tg.person(2001, "Aibek", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=other)
    reply = await other.send("/bind A-12", chat=group)
    assert "Only the building's inspector or an administrator" in reply.text
    assert await _chat(tg) is None


async def test_an_admin_binds_any_building_and_an_unknown_code_is_answered(tg: Telegram) -> None:
    await district(tg)
    admin = tg.person(1, "Aigerim", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=admin)
    reply = await admin.send("/bind Z-9", chat=group)
    assert "There is no building with that code" in reply.text
    reply = await admin.send("/bind A-12", chat=group)
    assert "now connected" in reply.text


async def test_a_chat_bound_to_one_building_is_not_silently_moved_to_another(tg: Telegram) -> None:
    await district(tg)
    await district(tg, inspector_id=2001, code="B-1")
    admin = tg.person(1, "Aigerim", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=admin)
    await admin.send("/bind A-12", chat=group)
    reply = await admin.send("/bind B-1", chat=group)
    assert "already connected to building A-12" in reply.text
    reply = await admin.send("/unbind", chat=group)
    assert "no longer connected to A-12" in reply.text
    assert await _chat(tg) is None
    reply = await admin.send("/bind B-1", chat=group)
    assert "now connected to B-1" in reply.text


async def test_bind_in_private_and_admin_commands_in_a_group_are_pointed_to_the_right_place(tg: Telegram) -> None:
    admin = tg.person(1, "Aigerim", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=admin)
    reply = await admin.send("/bind A-12")
    assert "works in a building's group chat" in reply.text
    reply = await admin.send("/add_building A-12 Abay ave 10", chat=group)
    assert "private chat" in reply.text


async def test_a_kicked_bot_marks_the_chat_inactive_and_coming_back_reactivates_it(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=inspector)
    await inspector.send("/bind A-12", chat=group)

    await tg.deliver(tg.fake.kick_bot(CHAT))
    chat = await _chat(tg)
    assert chat is not None and not chat.active

    status, joined = tg.fake.add_bot_to_group(CHAT, by_user_id=INSPECTOR_ID)
    reply = await tg.deliver(status)
    await tg.deliver(joined)
    chat = await _chat(tg)
    assert chat is not None and chat.active
    assert reply.messages == [], "a chat that is still bound needs no introduction"


async def test_the_bot_added_to_an_unbound_group_explains_how_to_bind_it(tg: Telegram) -> None:
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    tg.fake.add_group(CHAT, "New group", creator_id=INSPECTOR_ID, bot_status="left")
    status, _joined = tg.fake.add_bot_to_group(CHAT, by_user_id=inspector.id)
    reply = await tg.deliver(status)
    assert "/bind" in reply.text


async def test_a_group_upgraded_to_a_supergroup_keeps_its_building(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=inspector)
    await inspector.send("/bind A-12", chat=group)

    new_id = -1001234567890  # supergroup ids exceed 32 bits
    to_message, from_message = tg.fake.migrate_group(CHAT, new_id)
    await tg.deliver(to_message)
    await tg.deliver(from_message)  # both service messages arrive; handling both is harmless

    assert await _chat(tg) is None
    chat = await _chat(tg, new_id)
    assert chat is not None and chat.active
    reply = await inspector.send("/inspector", chat=type(group)(new_id))
    assert "Nurlan Abenov" in reply.text


async def test_inspector_in_a_group_shows_the_building_inspectors_card_and_an_unbound_group_is_told(
    tg: Telegram,
) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    resident = tg.person(3001, "Dana", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=inspector)

    reply = await resident.send("/inspector", chat=group)
    assert "not connected to a building yet" in reply.text

    await inspector.send("/bind A-12", chat=group)
    reply = await resident.send("/inspector", chat=group)
    for detail in (
        "Nurlan Abenov",
        "Police captain",
        "+7 701 000 00 00",
        "Abay ave 12, office 3",
        "18:00-20:00",
        "102",
    ):
        assert detail in reply.text


async def test_the_inspector_sets_the_chats_language_and_residents_cannot(tg: Telegram) -> None:
    await district(tg)
    inspector = tg.person(INSPECTOR_ID, "Nurlan", language_code="en")
    resident = tg.person(3001, "Dana", language_code="en")
    group = tg.group(CHAT, "Abay 10", creator=inspector)
    await inspector.send("/bind A-12", chat=group)

    reply = await resident.send("/lang", chat=group)
    assert "Only the building's inspector or an administrator can change the chat's language" in reply.text

    picker = (await inspector.send("/lang", chat=group)).last
    reply = await resident.press(picker, "Қазақша")
    assert "Only the building's inspector or an administrator" in reply.text, "a forged press by a resident"
    chat = await _chat(tg)
    assert chat is not None and chat.language == "en"

    await inspector.press(picker, "Қазақша")
    chat = await _chat(tg)
    assert chat is not None and chat.language == "kk"
