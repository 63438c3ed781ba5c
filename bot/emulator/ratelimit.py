"""Telegram's flood limits as sliding windows (the FAQ's numbers; Telegram itself flexes them)."""

from __future__ import annotations

import math

# The sliding window the bot's own pace keeps too: the limits and what a breach answers are the emulator's own.
from bot.delivery.pace import Window


class RateLimiter:
    def __init__(self) -> None:
        self.everywhere = Window(30, 1.0)
        self._chats: dict[int, Window] = {}

    def retry_after(self, chat_id: int, is_private: bool, now: float) -> int | None:
        """None and the message counted, or the retry_after Telegram would answer."""
        window = self._chats.get(chat_id)
        if window is None:
            # ~1 message/s in a private chat with a burst of 3; 20 a minute in a group
            window = self._chats[chat_id] = Window(3, 3.0) if is_private else Window(20, 60.0)
        wait = max(self.everywhere.wait(now), window.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self.everywhere.times.append(now)
        window.times.append(now)
        return None
