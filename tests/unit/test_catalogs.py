"""The five catalogs are complete, current with the code, and keep every placeholder, tag and command; the
country catalogs (locales/<language>@<country>) reword only messages the main ones have, and reword every one of
them that uses the other country's terms."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.config import COUNTRIES, HOME_COUNTRIES, LANGUAGES, reading_locale
from bot.i18n import LOCALES_DIR, compile_catalogs, create_i18n
from locales.uz_cyrl import transliterate

ROOT = Path(__file__).resolve().parents[2]
# The same keywords as locales/extract.sh.
KEYWORDS = parse_keywords(["N_", "_:1,1t", "_:1,2,3t", "_:1,2,4t"])
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z-]+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")


def _code_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "scheduler"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _called_messages() -> set[str]:
    """Every string literal passed first to `_` or `N_`, read from the syntax tree rather than by Babel."""
    found: set[str] = set()
    for package in ("bot", "handlers", "scheduler"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value)
    return found


def test_extraction_finds_every_translated_call_in_the_code() -> None:
    # A keyword spec that does not match a call's shape (say, a trailing comma) silently leaves it untranslated.
    assert sorted(_called_messages() - _code_messages()) == []


def _catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


# Country catalogs: (language, the country it rewords for). Every language has one for the country that is not
# its home; an empty one would also do, but each has something to reword.
VARIANTS = [
    (language, country) for language in LANGUAGES for country in COUNTRIES if country != HOME_COUNTRIES[language]
]
# The home country's terms: a main-catalog message using them must be reworded for the other country.
HOME_TERMS = {
    "ru": re.compile(r"участков|полици", re.IGNORECASE),
    "kk": re.compile(r"учаскелік|полиция", re.IGNORECASE),  # not учаске alone: the beat, a territory
    "en": re.compile(r"district inspector|police", re.IGNORECASE),
    "uz": re.compile(r"profilaktika|ichki ishlar", re.IGNORECASE),
    "uz_Cyrl": re.compile(r"профилактика|ички ишлар", re.IGNORECASE),
}


def _ids(catalog: Catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def _texts(message_string: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_string if isinstance(message_string, tuple) else (message_string,)


@pytest.mark.parametrize(("language", "country"), VARIANTS)
def test_a_country_catalog_rewords_only_messages_its_language_has(language: str, country: str) -> None:
    variant, main = _catalog(reading_locale(language, country)), _catalog(language)
    assert _ids(variant) - _ids(main) == set(), "run locales/extract.sh, then drop the entries the code lost"
    assert variant.num_plurals == main.num_plurals
    for message in variant:
        if not message.id:
            continue
        assert all(_texts(message.string)), f"{language}@{country}: untranslated {message.id!r}"
        assert _texts(message.string) != _texts(main[message.id].string), f"rewords nothing: {message.id!r}"
        for text in _texts(message.string):
            assert not HOME_TERMS[language].search(text), f"{language}@{country} keeps the home terms: {text!r}"


@pytest.mark.parametrize(("language", "country"), VARIANTS)
def test_every_message_with_the_home_countrys_terms_is_reworded_for_the_other(language: str, country: str) -> None:
    reworded = _ids(_catalog(reading_locale(language, country)))
    missing = sorted(
        source
        for message in _catalog(language)
        if message.id
        and (source := message.id[0] if isinstance(message.id, tuple) else message.id) not in reworded
        and any(HOME_TERMS[language].search(text) for text in _texts(message.string))
    )
    assert not missing, f"add these to locales/{language}@{country} in that country's terms: {missing}"


@pytest.mark.parametrize(("language", "country"), VARIANTS)
def test_country_catalogs_keep_placeholders_tags_and_commands(language: str, country: str) -> None:
    for source, text in _translations(_catalog(reading_locale(language, country))):
        for pattern in (PLACEHOLDER, TAG, COMMAND):
            assert Counter(pattern.findall(text)) == Counter(pattern.findall(source)), f"{text!r} (source {source!r})"


def test_uzbek_cyrillic_rewords_for_kazakhstan_what_the_latin_does() -> None:
    # locales/uz_cyrl.py keeps them in step; run it after changing locales/uz@KZ.
    assert _ids(_catalog("uz_Cyrl@KZ")) == _ids(_catalog("uz@KZ"))


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Oʻzbekcha", "Ўзбекча"),
        ("yoʻq, qoʻngʻiroq qiling", "йўқ, қўнғироқ қилинг"),
        ("Shaxsga doir maʼlumotlarga ishlov berishga rozilik", "Шахсга доир маълумотларга ишлов беришга розилик"),
        ("eʼlon, eslatma, yetkazish, yangi, yoki, yuborish", "эълон, эслатма, етказиш, янги, ёки, юбориш"),
        ("politsiya, aytsangiz, chat, 2-podyezd", "полиция, айтсангиз, чат, 2-подъезд"),
        (
            "<b>{name}</b>, /forget_me buyrugʻi: Telegram ID, <code>Asia/Tashkent</code>",
            "<b>{name}</b>, /forget_me буйруғи: Telegram ID, <code>Asia/Tashkent</code>",
        ),
    ],
)
def test_uzbek_latin_is_transliterated_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert transliterate(latin) == cyrillic


def _translations(catalog: Catalog) -> list[tuple[str, str]]:
    """(source, translation) pairs, every plural form paired with its source form."""
    pairs: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            pairs += [(message.id[min(i, 1)], text) for i, text in enumerate(strings)]
        else:
            pairs.append((message.id, message.string))
    return pairs


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated_in_every_language(language: str) -> None:
    catalog = _catalog(language)
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    missing = sorted(_code_messages() - known)
    assert not missing, f"{language}: run locales/extract.sh and translate: {missing}"
    untranslated = [source for source, text in _translations(catalog) if not text]
    assert not untranslated, f"{language}: untranslated: {untranslated}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy (unchecked) translations: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_no_messages_the_code_no_longer_has(language: str) -> None:
    stale = sorted(
        {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(language) if m.id} - _code_messages()
    )
    assert not stale, f"{language}: obsolete entries, run locales/extract.sh: {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_tags_and_commands(language: str) -> None:
    for source, text in _translations(_catalog(language)):
        for pattern in (PLACEHOLDER, TAG, COMMAND):
            assert Counter(pattern.findall(text)) == Counter(pattern.findall(source)), (
                f"{language}: {pattern.pattern} differ in {text!r} (source {source!r})"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_match_the_language(language: str) -> None:
    catalog = _catalog(language)
    assert catalog.num_plurals == get_plural(language).num_plurals, "the Plural-Forms header is the language's own"
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, f"{language}: {message.id[0]!r}"


def test_english_reads_as_the_source() -> None:
    for source, text in _translations(_catalog("en")):
        assert text == source


def test_catalogs_compile_from_a_fresh_clone(tmp_path: Path) -> None:
    for language in LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "messages.po").write_bytes((LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").read_bytes())
    compile_catalogs(tmp_path)
    assert sorted(p.parent.parent.name for p in tmp_path.glob("*/LC_MESSAGES/messages.mo")) == sorted(LANGUAGES)


def test_the_bot_reads_every_language_in_every_country() -> None:
    i18n = create_i18n("ru")
    assert set(i18n.available_locales) == {reading_locale(lang, country) for lang in LANGUAGES for country in COUNTRIES}
