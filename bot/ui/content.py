"""What a person sent, read off a Telegram message: kind, text, file id — or None when the bot does not take it."""

from __future__ import annotations

from aiogram.types import Message

from bot.services.appeals import Content

MEDIA = ("photo", "document", "voice", "audio", "video", "video_note", "location")


def content_of(message: Message) -> Content | None:
    if message.text is not None:
        return Content(kind="text", chat_id=message.chat.id, message_id=message.message_id, text=message.text)
    if message.photo:
        return _media(message, "photo", message.photo[-1].file_id)
    for kind in ("document", "voice", "audio", "video", "video_note"):
        media = getattr(message, kind)
        if media is not None:
            return _media(message, kind, media.file_id)
    if message.location is not None:
        extra = {"latitude": message.location.latitude, "longitude": message.location.longitude}
        return Content(kind="location", chat_id=message.chat.id, message_id=message.message_id, extra=extra)
    return None


def _media(message: Message, kind: str, file_id: str) -> Content:
    return Content(
        kind=kind, chat_id=message.chat.id, message_id=message.message_id, text=message.caption, file_id=file_id
    )
