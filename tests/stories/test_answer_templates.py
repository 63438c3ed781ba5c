"""Answer templates: the inspector keeps short answers per language, administrators share some, a reply picks one."""

from __future__ import annotations

from sqlalchemy import select

from models import AnswerTemplate, AppealMessage
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat

ADMIN_ID = 1


async def test_the_inspector_picks_a_template_and_the_resident_receives_it(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")

    reply = await inspector.send("/templates")
    assert "No templates yet" in reply.text
    reply = await inspector.press(reply.last, "Add a template")
    reply = await inspector.press(reply.last, "English")
    reply = await inspector.send("We have spoken to your neighbours; it should be quiet now.")
    assert "The template is saved" in reply.text
    await inspector.send("/templates add ru Спасибо, мы проверим.")
    reply = await admin.send("/templates add en Thank you, we will check it within three days.")
    assert "shared with every inspector" in reply.text

    listing = await inspector.send("/templates")
    assert "spoken to your neighbours" in listing.text and "Спасибо" in listing.text
    assert "Thank you, we will check" in listing.text and "shared" in listing.text
    deletable = [b["text"] for b in listing.buttons() if b["text"].startswith("🗑")]
    assert deletable == ["🗑 1", "🗑 2"], "the inspector deletes only their own"

    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[-1]
    reply = await inspector.press(card, "Reply")
    picker = reply.last
    offered = [b["text"] for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert any("spoken to your neighbours" in label for label in offered)
    assert any("Thank you, we will check" in label for label in offered), "the shared one too"
    assert not any("Спасибо" in label for label in offered), "Dana reads English"

    reply = await inspector.press(picker, "spoken to your")
    assert "is on its way to the resident" in reply.text
    assert "The inspector's answer on your appeal №1" in texts_in(tg, RESIDENT_ID)
    assert "spoken to your neighbours" in tg.fake.chat_history(RESIDENT_ID)[-1]["text"], "the answer, copied"
    appeal = await appeal_by_number(tg, 1)
    assert appeal.status == "answered"
    async with tg.app.sessionmaker() as session:
        staff = await session.scalar(
            select(AppealMessage.text).where(AppealMessage.appeal_id == appeal.id, AppealMessage.author == "staff")
        )
    assert staff == "We have spoken to your neighbours; it should be quiet now."

    # The Reply dialog is over: the inspector's next message is not taken as another answer.
    reply = await inspector.send("hello")
    assert "Sent to the resident" not in reply.text


async def test_templates_are_deleted_by_their_owner_and_shared_ones_only_by_an_administrator(tg: Telegram) -> None:
    _, _dana, inspector = await beat(tg)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/templates add en Thank you for the message.")
    await inspector.send("/templates add en We will come by tomorrow.")
    async with tg.app.sessionmaker() as session:
        shared, own = list(await session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.id)))

    listing = await inspector.send("/templates")
    forged = await inspector.press_data(listing.last, f"tpl:del:{shared.id}:0:")
    assert "no longer available" in forged.text
    reply = await inspector.press(listing.last, "🗑 1")
    assert "Deleted" in reply.text and "We will come by tomorrow" not in reply.last["text"]
    reply = await admin.send("/templates")
    reply = await admin.press(reply.last, "🗑 1")
    assert "No templates yet" in reply.last["text"]
    async with tg.app.sessionmaker() as session:
        assert not list(await session.scalars(select(AnswerTemplate)))
    assert own.text == "We will come by tomorrow."
