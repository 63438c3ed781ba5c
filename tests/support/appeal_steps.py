"""Steps of the appeal stories: a resident walks the intake dialog the way a person does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Appeal
from tests.support.harness import Person, Reply, Telegram

PHOTO = [
    {"file_id": "photo-small", "file_unique_id": "ps", "width": 90, "height": 90},
    {"file_id": "photo-big", "file_unique_id": "pb", "width": 1280, "height": 960},
]


async def appeal_summary(
    resident: Person,
    text: str = "Loud music every night after 23:00 in flat 12.",
    *,
    category: str = "Public order",
    anonymous: bool = False,
    photo: bool = False,
) -> tuple[dict[str, Any], str]:
    """/appeal → category → text → (photo) → Next → named or anonymous: the summary and its Send button's data."""
    reply = await resident.send("/appeal")
    reply = await resident.press(reply.last, category)
    if "What kind of appeal" in reply.text:  # a country whose law distinguishes kinds (Uzbekistan)
        await resident.press(reply.last, "Application")
    await resident.send(text)
    if photo:
        await resident.send(photo=PHOTO, caption="the stairwell")
    prompt = [m for m in resident.tg.fake.sent_to(resident.id) if "Next" in str(m.get("reply_markup"))][-1]
    reply = await resident.press(prompt, "Next")
    reply = await resident.press(reply.last, "anonymously" if anonymous else "with my name")
    if anonymous:  # the rule on anonymous reports is shown first: a tip, not a crime
        reply = await resident.press(reply.last, "anonymous tip")
    summary = reply.last
    keyboard = summary["reply_markup"]["inline_keyboard"]
    return summary, next(b["callback_data"] for row in keyboard for b in row if "Send" in b["text"])


async def send_appeal(
    resident: Person,
    text: str = "Loud music every night after 23:00 in flat 12.",
    *,
    category: str = "Public order",
    anonymous: bool = False,
    photo: bool = False,
) -> Reply:
    """The whole dialog, then Send; returns the reply to Send."""
    summary, send = await appeal_summary(resident, text, category=category, anonymous=anonymous, photo=photo)
    return await resident.press_data(summary, send, require_button=True)


async def appeal_by_number(tg: Telegram, number: int) -> Appeal:
    async with tg.app.sessionmaker() as session:
        appeal = await session.scalar(select(Appeal).where(Appeal.number == number))
        assert appeal is not None
        return appeal


def texts_in(tg: Telegram, chat_id: int) -> str:
    """Everything a person saw in a chat: the visible text of every message and edit, and button pop-ups."""
    parts = []
    for call in tg.fake.requests:
        result = call.response.get("result")
        if call.params.get("chat_id") == chat_id and isinstance(result, dict):
            parts.append(str(result.get("text") or result.get("caption") or ""))
    return "\n".join(parts)
