"""Babel catalogs through aiogram's i18n: which language each reader gets, and compiled catalogs at start.

A reader's locale is their language plus their building's country (bot.config.reading_locale): `ru` reads
Kazakhstan's wording (the main catalog's), `ru@UZ` Uzbekistan's, from locales/ru@UZ, which holds only the messages
worded otherwise there and falls back to locales/ru for the rest; Uzbek is the other way round (`uz`, `uz@KZ`).
Babel reads `ru@UZ` as `ru` with a modifier, so dates and plurals stay the language's own.
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import COUNTRIES, HOME_COUNTRIES, LANGUAGES, reading_locale
from bot.services.people import Actor
from models import BuildingChat

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "uz": "Oʻzbekcha", "uz_Cyrl": "Ўзбекча", "en": "English"}
# The keys under which a not-yet-registered person's chosen language, and the country of the building they are
# registering to, live in the FSM data.
FSM_LANGUAGE_KEY = "language"
FSM_COUNTRY_KEY = "country"


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


def language_of(locale: str) -> str:
    """The language of a reading locale (`ru@UZ` → `ru`): what is stored as a person's or a chat's language."""
    return locale.partition("@")[0]


def with_countries(found: dict[str, gettext.GNUTranslations]) -> dict[str, gettext.GNUTranslations]:
    """A locale for every language in every country: a country's catalog falls back to the language's main one,
    and a language with nothing to reword in a country reads its main catalog there."""
    locales: dict[str, gettext.GNUTranslations] = {
        language: found[language] for language in LANGUAGES if language in found
    }
    for language, main in list(locales.items()):
        for country in COUNTRIES:
            if country == HOME_COUNTRIES[language]:
                continue
            variant = found.get(reading_locale(language, country))
            if variant is not None:
                variant.add_fallback(main)
            locales[reading_locale(language, country)] = variant or main
    return locales


def create_i18n(default_language: str) -> I18n:
    compile_catalogs()
    # Not a subclass: aiogram's get_i18n() finds the current instance by the class I18n itself.
    i18n = I18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)
    i18n.locales = with_countries(i18n.locales)
    return i18n


def telegram_language(user: User | None) -> str | None:
    code = (user.language_code or "").split("-")[0].lower() if user is not None else ""
    return code if code in LANGUAGES else None


class LocaleMiddleware(I18nMiddleware):
    """Groups read in the building chat's language; people in their own, kept in the database; both with the
    wording of the building's country (a person's: see `Actor.country`)."""

    def __init__(self, i18n: I18n, *, country: str) -> None:
        super().__init__(i18n)
        self._country = country

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chat: BuildingChat | None = data.get("building_chat")
        if chat is not None:
            return reading_locale(chat.language, chat.building.country)
        actor: Actor | None = data.get("actor")
        if actor is not None and actor.language:
            return reading_locale(actor.language, actor.country)
        state: FSMContext | None = data.get("state")
        chosen: dict[str, Any] = await state.get_data() if state is not None else {}
        # Someone registering reads the wording of the building they are registering to.
        country = str(chosen.get(FSM_COUNTRY_KEY) or (actor.country if actor is not None else self._country))
        language = chosen.get(FSM_LANGUAGE_KEY)
        if language not in LANGUAGES:
            language = telegram_language(data.get("event_from_user")) or self.i18n.default_locale
        return reading_locale(str(language), country)
