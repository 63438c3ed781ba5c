"""Anonymous reports are tips under the law, and a message that looks like an emergency gets the numbers first."""

from __future__ import annotations

from sqlalchemy import update

from models import Building
from tests.support.appeal_steps import appeal_by_number, send_appeal
from tests.support.harness import Person, Reply, Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat


def seen_by(reply: Reply, chat_id: int) -> str:
    """What one person saw of the bot's answer (the same update also sends the inspector a card)."""
    return "\n".join(
        str(call.response["result"].get("text") or "")
        for call in reply.calls
        if isinstance(call.response.get("result"), dict) and call.params.get("chat_id") == chat_id
    )


async def in_country(tg: Telegram, country: str) -> None:
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Building).values(country=country))


async def to_the_anonymity_step(dana: Person, text: str) -> None:
    reply = await dana.send("/appeal")
    reply = await dana.press(reply.last, "Drugs and alcohol")
    if "What kind of appeal" in reply.text:  # Uzbekistan's law distinguishes kinds
        reply = await dana.press(reply.last, "Application")
    reply = await dana.send(text)
    await dana.press(reply.last, "Next")


async def test_an_anonymous_tip_is_explained_before_sending_and_has_no_statutory_deadline(tg: Telegram) -> None:
    _, dana, _inspector = await beat(tg)
    await to_the_anonymity_step(dana, "Someone sells alcohol to teenagers at the corner shop.")

    rule = await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "anonymously")
    assert "Administrative Procedure Code" in rule.text, "Kazakhstan's rule, in plain words"
    assert "not an official appeal" in rule.text and "no statutory deadline" in rule.text
    summary = await dana.press(rule.last, "anonymous tip")
    assert "An anonymous tip: no statutory deadline" in summary.text
    sent = await dana.press(summary.last, "Send")

    receipt = seen_by(sent, RESIDENT_ID)
    assert "anonymous tip is passed to the inspector as №1" in receipt
    assert "must answer by" not in receipt and "December" not in receipt
    card = tg.fake.sent_to(INSPECTOR_ID)[0]["text"]
    assert "An anonymous tip, not an official appeal" in card and "URGENT" not in card
    assert "Dana" not in card and "flat 7" not in card
    my = await dana.send("/my")
    opened = await dana.press(my.last, "№1")
    assert "Answer due by" not in opened.text
    assert not (await appeal_by_number(tg, 1)).urgent


async def test_an_anonymous_tip_of_a_crime_in_uzbekistan_is_marked_urgent(tg: Telegram) -> None:
    _, dana, _inspector = await beat(tg)
    await in_country(tg, "UZ")
    await to_the_anonymity_step(dana, "Drugs are being sold from the basement every evening.")

    rule = await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "anonymously")
    assert "Uzbekistan's law" in rule.text and "anonymous appeals are not considered" in rule.text
    summary = await dana.press(rule.last, "a crime or a threat")
    assert "Marked urgent" in summary.text
    sent = await dana.press(summary.last, "Send")

    assert "marked urgent" in sent.text and "№1" in sent.text
    card = tg.fake.sent_to(INSPECTOR_ID)[0]["text"]
    assert card.startswith("🚨 URGENT"), "the card says so at the top"
    assert (await appeal_by_number(tg, 1)).urgent


async def test_an_emergency_word_mid_dialog_gets_the_numbers_first_and_the_appeal_goes_on_urgent(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    reply = await dana.send("/appeal")
    reply = await dana.press(reply.last, "Public order")

    reply = await dana.send("There is a fight now on the stairs, one of them has a knife!")
    first, second = reply.messages
    assert "call at once" in first["text"], "the numbers before anything else"
    for number in ("112", "102", "101", "103", "104"):
        assert number in first["text"]
    assert "You can add photos" in second["text"], "the dialog goes on where it was"

    reply = await dana.press(second, "Next")
    reply = await dana.press(reply.last, "with my name")
    reply = await dana.press(reply.last, "Send")
    assert "Your appeal is registered as №1" in reply.text
    card = tg.fake.sent_to(INSPECTOR_ID)[0]["text"]
    assert card.startswith("🚨 URGENT") and "Dana" in card
    assert (await appeal_by_number(tg, 1)).urgent
    queue = await inspector.send("/queue")
    assert any(button["text"].startswith("🚨 №1") for button in queue.buttons()), "and in the queue"


async def test_the_numbers_follow_the_country_and_staff_are_not_interrupted(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await in_country(tg, "UZ")

    reply = await dana.send("SOS")
    assert "112" in reply.messages[0]["text"] and "102" in reply.messages[0]["text"]
    assert "101" not in reply.messages[0]["text"], "Uzbekistan: the confirmed numbers only"
    assert "I did not understand" in reply.text, "then the usual answer"

    await send_appeal(dana, "The neighbours argue loudly at night.")
    assert not (await appeal_by_number(tg, 1)).urgent, "no emergency word, no urgency"
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    reply = await inspector.reply_to(card, "Was anyone hurt? Was there a knife?")
    assert "call at once" not in reply.text and "is on its way to the resident" in reply.text
