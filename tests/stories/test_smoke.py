from tests.support.harness import Person, Telegram


async def test_a_stranger_opens_the_bot_and_is_asked_for_the_building_code(tg: Telegram) -> None:
    stranger = tg.person(500, "Dana", language_code="en")
    reply = await stranger.send("/start")
    assert "building code" in reply.text
    assert "102" in reply.text


async def test_help_for_admin(tg: Telegram, admin: Person) -> None:
    reply = await admin.send("/help")
    assert "/add_inspector" in reply.text
