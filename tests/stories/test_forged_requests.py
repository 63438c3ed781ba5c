"""Nothing acts through a forged request: exports open as text, inputs are bounded, buttons act where they belong."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.emulator.validate import Upload
from models import Appeal, AuditEvent
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import ErrorLog, Group, Telegram
from tests.support.stories import INSPECTOR_ID, beat, bound_chats


async def test_an_export_cell_starting_with_a_formula_sign_opens_as_text(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    # A flat typed before flats were checked, and an inspector's name that looks like a formula.
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Appeal).values(flat="=cmd|'/c calc'!A"))
    reply = await inspector.send("/export 2026-11-01 2026-11-30")
    [document] = [c for c in reply.calls if c.method == "sendDocument"]
    [upload] = [v for v in document.params.values() if isinstance(v, Upload)]
    row = upload.content.decode("utf-8-sig").splitlines()[1]
    assert ",'=cmd|'/c calc'!A," in row
    assert ",=" not in row


async def test_export_dates_far_in_the_future_are_refused_with_the_usage(tg: Telegram) -> None:
    _, _dana, inspector = await beat(tg)
    reply = await inspector.send("/export 2026-01-01 9999-12-31")
    assert "Give the dates as" in reply.text
    reply = await inspector.send("/export ２０２６-01-01 2026-02-01")
    assert "Give the dates as" in reply.text


async def test_a_forged_staff_button_in_a_building_chat_posts_nothing_there(tg: Telegram) -> None:
    d, dana, inspector = await beat(tg)
    await bound_chats(tg, d, [-101])
    await send_appeal(dana)
    appeal = await appeal_by_number(tg, 1)
    in_chat = (await dana.send("/inspector", chat=Group(-101))).last
    before = len(tg.fake.chat_history(-101))

    for data in (f"ap:open:{appeal.id}", f"my:open:{appeal.id}", f"ap:resolve:{appeal.id}"):
        for presser in (inspector, dana):
            reply = await presser.press_data(in_chat, data)
            assert "This button is no longer available." in reply.text
    await tg.quiet()
    assert len(tg.fake.chat_history(-101)) == before, "nothing posted in the group"
    assert "Loud music" not in texts_in(tg, -101)
    assert (await appeal_by_number(tg, 1)).status == "new"
    async with tg.app.sessionmaker() as session:
        refused = list(await session.scalars(select(AuditEvent.action).where(AuditEvent.action == "button_refused")))
    assert len(refused) == 6


async def test_overlong_ids_and_unicode_digits_in_button_data_are_refused_cleanly(
    tg: Telegram, error_log: ErrorLog
) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    for data in ("ap:open:" + "9" * 40, "ap:open:²", "my:open:" + "1" * 20, "page:inspectors:" + "9" * 30):
        reply = await inspector.press_data(card, data)
        assert "This button is no longer available." in reply.text
    assert error_log.records == []
    reply = await inspector.press(card, "Take")
    assert (await appeal_by_number(tg, 1)).status == "in_progress"


async def test_a_long_conversation_opens_from_my_in_several_messages(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana, "Noise. " * 420)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    await inspector.reply_to(card, "We will look into it. " * 150)
    await inspector.press(card, "Reject")
    await inspector.send("Not a police matter; " * 45)
    reply = await dana.send("/my")
    reply = await dana.press(reply.last, "№1")
    assert len(reply.messages) >= 2
    assert all(len(m["text"]) <= 4096 for m in reply.messages)
    assert "Not a police matter" in reply.text
