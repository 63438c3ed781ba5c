"""Babel catalogs through aiogram's i18n: which language each reader gets, and compiled catalogs at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import LANGUAGES
from bot.services.people import Actor
from models import BuildingChat

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "uz": "Oʻzbekcha", "en": "English"}
# The key under which a not-yet-registered person's chosen language lives in the FSM data.
FSM_LANGUAGE_KEY = "language"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, in the reader's language."""
    return message


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    """Build each .mo from its .po when missing or older (a fresh clone has only .po files)."""
    for po_path in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def create_i18n(default_language: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


def telegram_language(user: User | None) -> str | None:
    code = (user.language_code or "").split("-")[0].lower() if user is not None else ""
    return code if code in LANGUAGES else None


class LocaleMiddleware(I18nMiddleware):
    """Groups read in the building chat's language; people in their own, kept in the database."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chat: BuildingChat | None = data.get("building_chat")
        if chat is not None:
            return chat.language
        actor: Actor | None = data.get("actor")
        if actor is not None and actor.language:
            return actor.language
        state: FSMContext | None = data.get("state")
        if state is not None:
            chosen = (await state.get_data()).get(FSM_LANGUAGE_KEY)
            if chosen in LANGUAGES:
                return str(chosen)
        return telegram_language(data.get("event_from_user")) or self.i18n.default_locale
