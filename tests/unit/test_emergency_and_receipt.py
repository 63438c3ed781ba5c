"""Emergency words per language, and the oral appeal's receipt: one page in every language, whatever was typed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from pypdf import PdfReader

from bot.config import LANGUAGES
from bot.i18n import create_i18n
from bot.services import emergency
from bot.ui.oral import receipt_pdf
from tests.support.receipts import longest_receipt


@pytest.mark.parametrize(
    ("text", "alarming"),
    [
        ("У соседей драка, у одного нож!", True),
        ("В подъезде пожар, дым на лестнице", True),
        ("Көршілер төбелесіп жатыр, пышақ бар", True),
        ("Qoʻshnilarda yongʻin chiqdi", True),
        ("Qo'shnilar mushtlashyapti", True),
        ("someone is hurt and bleeding", True),
        ("SOS", True),
        ("Шумят по ночам, мешают спать", False),
        ("Нужны ножницы для ленточки на празднике", False),
        ("The car was fired up at night, too loud", False),
        ("Машины паркуются на газоне", False),
    ],
)
def test_emergency_words_match_whole_words_and_stems_in_every_language(text: str, alarming: bool) -> None:
    assert emergency.load().matches(text) is alarming


def test_the_numbers_follow_the_country_and_a_file_of_ones_own_replaces_the_words(tmp_path: Path) -> None:
    shipped = emergency.load()
    assert [n for _s, n in shipped.numbers_of("KZ")] == ["112", "102", "101", "103", "104"]
    assert [n for _s, n in shipped.numbers_of("UZ")] == ["112", "102"]
    own = tmp_path / "words.toml"
    own.write_text('[words]\nru = ["караул"]\n[numbers]\nKZ = [["single", "112"]]\n', encoding="utf-8")
    custom = emergency.load(own)
    assert custom.matches("Караул!") and not custom.matches("нож")
    assert custom.numbers_of("UZ") == [("single", "112")], "a country the file leaves out still gets 112"


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n("ru")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_receipt_is_one_page_with_every_letter_even_for_the_longest_text(i18n: I18n, language: str) -> None:
    with i18n.context(), i18n.use_locale(language):
        data = receipt_pdf(longest_receipt())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = " ".join(reader.pages[0].extract_text().split())
    assert "№41" in page and "Әлібек Ғалымұлы Қоңырбаев-Өтеуұлы" in page and "Нұрлан Әбенов" in page
    assert "Қатты шу, әйнек сынды, ғимарат һәм ұрлық" in page
