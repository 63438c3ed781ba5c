"""Anonymous means anonymous in captions too: a caption is part of the appeal's text, never on the copied file."""

from __future__ import annotations

from typing import Any

from tests.support.appeal_steps import PHOTO, appeal_by_number, texts_in
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat

DOCUMENT = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "complaint.pdf", "mime_type": "application/pdf"}


def copies_to(tg: Telegram, chat_id: int) -> list[dict[str, Any]]:
    """The files the bot put in the chat, as the chat shows them."""
    return [m for m in tg.fake.sent_to(chat_id) if "photo" in m or "document" in m]


async def test_an_anonymous_photos_caption_never_reaches_staff_and_is_editable_before_sending(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    reply = await dana.send("/appeal")
    reply = await dana.press(reply.last, "Public order")
    await dana.send("Drug dealing in the basement.")
    reply = await dana.send(photo=PHOTO, caption="Dana Karimova, +7 701 555 55 55, saw it")
    assert "Added" in reply.text
    reply = await dana.send(document=DOCUMENT)
    assert "file name and contents" in reply.text, "the resident is warned a document travels as it is"
    prompt = [m for m in tg.fake.sent_to(RESIDENT_ID) if "Next" in str(m.get("reply_markup"))][-1]
    reply = await dana.press(prompt, "Next")
    rule = await dana.press(reply.last, "anonymously")
    reply = await dana.press(rule.last, "anonymous tip")
    assert "Dana Karimova, +7 701 555 55 55, saw it" in reply.text, "the caption is shown in the summary"
    assert "Attachments: 2" in reply.text

    # She takes her name out of the text, then sends.
    reply = await dana.press(reply.last, "Edit")
    reply = await dana.send("Drug dealing in the basement. A neighbour saw it.")
    assert "A neighbour saw it" in reply.text and "Karimova" not in reply.text
    await dana.press(reply.last, "Send")

    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    assert "A neighbour saw it" in card["text"]
    copies = copies_to(tg, INSPECTOR_ID)
    assert [("photo" in c, "document" in c) for c in copies] == [(True, False), (False, True)]
    assert all(not c.get("caption") for c in copies)
    for secret in ("Karimova", "555 55 55", "Dana"):
        assert secret not in texts_in(tg, INSPECTOR_ID)
    # Open sends the card again: still no caption.
    appeal = await appeal_by_number(tg, 1)
    await inspector.press_data(card, f"ap:open:{appeal.id}")
    assert all(not c.get("caption") for c in copies_to(tg, INSPECTOR_ID))
    assert "Karimova" not in texts_in(tg, INSPECTOR_ID)


async def test_a_residents_captioned_reply_reaches_staff_as_text_in_the_header(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    from tests.support.appeal_steps import send_appeal

    await send_appeal(dana, anonymous=True)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    await inspector.reply_to(card, "Can you send a photo?")
    answer = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT_ID][-1]
    copied = {"message_id": answer.response["result"]["message_id"], "chat": {"id": RESIDENT_ID, "type": "private"}}
    await dana.send(photo=PHOTO, caption="Here it is", reply_to_message_id=copied["message_id"])
    header = [m for m in tg.fake.sent_to(INSPECTOR_ID) if "The resident replies" in (m.get("text") or "")][-1]
    assert header["text"].endswith("Here it is")
    [photo] = [c for c in copies_to(tg, INSPECTOR_ID) if "photo" in c]
    assert not photo.get("caption")
