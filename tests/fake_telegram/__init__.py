"""A fake Telegram Bot API server for the bot's tests (see server.FakeTelegram)."""

from .server import Call, FakeTelegram

__all__ = ["Call", "FakeTelegram"]
