"""Emergencies: does a message look like one, which numbers the resident's country answers on, and urgent appeals.

The words and numbers are data (emergency_words.toml beside this module, or the file EMERGENCY_WORDS_FILE names), so
they can be corrected without touching code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import Appeal, AppealEvent

DEFAULT_FILE = Path(__file__).with_name("emergency_words.toml")
_APOSTROPHES = str.maketrans({"ʻ": "'", "ʼ": "'", "’": "'", "‘": "'", "`": "'", "ё": "е"})


def normalise(text: str) -> str:
    return " ".join(text.casefold().translate(_APOSTROPHES).split())


@dataclass(frozen=True)
class Emergencies:
    words: dict[str, list[str]]  # language → entries as written in the file
    numbers: dict[str, list[tuple[str, str]]]  # country → (service, number)
    pattern: re.Pattern[str]

    def matches(self, text: str | None) -> bool:
        return bool(text) and self.pattern.search(normalise(text or "")) is not None

    def numbers_of(self, country: str) -> list[tuple[str, str]]:
        """The country's numbers; the single number 112 where the country is not in the file."""
        return self.numbers.get(country, [("single", "112")])


def _entry(word: str) -> str:
    word = normalise(word)
    if word.endswith("*"):
        return re.escape(word[:-1].rstrip())  # a prefix: whatever letters follow
    return re.escape(word) + r"(?!\w)"


def parse(data: dict[str, object]) -> Emergencies:
    raw_words = data.get("words", {})
    raw_numbers = data.get("numbers", {})
    if not isinstance(raw_words, dict) or not isinstance(raw_numbers, dict):
        raise ValueError("the emergency file needs [words] and [numbers] tables")
    words = {str(language): [str(w) for w in entries] for language, entries in raw_words.items()}
    numbers = {str(country): [(str(s), str(n)) for s, n in entries] for country, entries in raw_numbers.items()}
    entries = sorted({_entry(w) for listed in words.values() for w in listed if normalise(w).strip("*")}, key=len)
    if not entries:
        raise ValueError("the emergency file lists no words")
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(reversed(entries)) + ")")
    return Emergencies(words, numbers, pattern)


@cache
def load(path: Path = DEFAULT_FILE) -> Emergencies:
    with path.open("rb") as file:
        return parse(tomllib.load(file))


async def mark_urgent(session: AsyncSession, clock: Clock, appeal: Appeal, *, actor_id: int | None, why: str) -> None:
    """The appeal goes to the top of the inspector's attention: a crime, a threat or an emergency word."""
    if appeal.urgent:
        return
    appeal.urgent = True
    session.add(
        AppealEvent(
            appeal_id=appeal.id, at=clock.now(), actor_id=actor_id, action="urgent", status=appeal.status, note=why
        )
    )
    await session.flush()
