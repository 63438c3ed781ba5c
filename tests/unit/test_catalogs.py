"""The four catalogs are complete, current with the code, and keep every placeholder, tag and command."""

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

from bot.config import LANGUAGES
from bot.i18n import LOCALES_DIR, compile_catalogs

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
