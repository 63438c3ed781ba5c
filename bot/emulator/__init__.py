"""A Bot API emulator for the tests and the sandbox (see server.FakeTelegram)."""

from .server import Call, FakeTelegram

__all__ = ["Call", "FakeTelegram"]
