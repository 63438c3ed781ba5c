"""A quarterly report as residents read it: the summary in the building chat, the chart and the printable page.

Drawn from a hand-built ReportView (what the report store hands the renderers), in Russian, Kazakh and English.
The catalogs are translated in a later pass: Russian plural forms are checked through a catalog built here with
the real Russian plural rule, the other checks look at numbers and at what Babel writes (quarters, months, decimals).
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from pypdf import PdfReader

from bot.emulator.html import parse_html, utf16_length
from bot.i18n import LOCALES_DIR, create_i18n
from bot.services.report_figures import Comparison, Figures, ProposalLine, ReportView
from bot.ui.reports import plotting
from bot.ui.reports.cards import MESSAGE_LIMIT, archive_line, pdf_filename, quarter_name, summary
from bot.ui.reports.chart import chart_png
from bot.ui.reports.pdf import pdf_bytes

KAZAKH_LETTERS = "әғқңөұүһі"
INSPECTOR = "Әлібек Ғалымұлы Қоңырбаев-Өтеуұлы"
RANK = "полиция капитаны"
MEASURES_KK = "Аулада жарық орнатылды, үй тұрғындарымен әңгіме өтті, қоғамдық тәртіп һәм жасөспірімдер туралы."
TYPED = "<b>дома</b> & «подростки»"  # what an inspector might type: must come out as text, never as markup
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def figures(quarter: str, **values: object) -> Figures:
    base: dict[str, object] = {
        "quarter": quarter,
        "building_codes": ["A-12", "B-3"],
        "received": 137,
        "resolved": 121,
        "overdue": 7,
        "open_at_end": 9,
        "by_category": {"public_order": 52, "domestic": 13, "youth": 21, "theft_fraud": 9, "traffic": 30, "other": 12},
        "by_month": [41, 50, 46],
        "first_response_hours_median": 5.5,
        "resolution_days_median": 2.5,
        "rating_average": 4.63,
        "rated": 38,
        "meetings_held": 3,
        "attendance": 57,
        "proposals_recorded": 12,
        "proposals_in_plan": 6,
        "proposals_done": 4,
        "proposals_declined": 3,
    }
    base.update(values)
    return Figures(**base)  # type: ignore[arg-type]


PREVIOUS = figures(
    "2026Q3",
    received=128,
    resolved=130,
    overdue=7,
    by_category={"public_order": 60, "domestic": 10, "traffic": 40, "drugs_alcohol": 5},
    by_month=[30, 45, 53],
    first_response_hours_median=7.0,
    rating_average=4.1,
    rated=40,
    meetings_held=2,
    attendance=31,
)


def report(**changes: object) -> ReportView:
    """A full quarter: two buildings, a Kazakh inspector, long measures and many proposals."""
    view = ReportView(
        quarter="2026Q4",
        inspector_name=INSPECTOR,
        inspector_rank=RANK,
        buildings=[("A-12", "Абай даңғылы, 10 <корпус 2>"), ("B-3", "Сәтбаев көшесі, 3")],
        comparison=Comparison(figures("2026Q4"), PREVIOUS),
        offences=[("Кражи " + TYPED, 4), ("Бұзақылық", 2), ("Мелкое хищение", 7), ("ДТП", 3)],
        measures=MEASURES_KK + " " + ("Проведены профилактические беседы с жителями " + TYPED + "; ") * 80,
        plans="Установить камеры во дворе и освещение у подъездов; " * 60,
        proposals=[
            ProposalLine(f"Предложение {n}: скамейки и свет у подъезда {n} {TYPED} " * 3, status, "A-12")
            for n, status in zip(range(40), ["recorded", "in_plan", "done", "declined"] * 10, strict=True)
        ],
        timezone="Asia/Almaty",
    )
    return replace(view, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n("ru")


@contextmanager
def speaking(i18n: I18n, language: str) -> Iterator[None]:
    with i18n.context(), i18n.use_locale(language):
        yield


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- the printable page ------------------------------------------------------------------------------


def test_story_the_inspector_prints_the_report_in_kazakh_for_the_meeting(i18n: I18n) -> None:
    with speaking(i18n, "kk"):
        data = pdf_bytes(report())
        pages, text = pdf_text(data)
        quarter = quarter_name("2026Q4")
    assert data.startswith(b"%PDF-")
    assert 1 <= pages <= 2
    flat = " ".join(text.split())
    assert INSPECTOR in flat and RANK in flat
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter
    assert " ".join(quarter.split()) in flat  # "2026 ж. IV тоқсан", through Babel
    for figure in ("137", "128", "121", "130", "57", "31", "▲ 9", "▼ 9", "4,6", "5,5"):
        assert figure in flat, figure
    assert "Сәтбаев көшесі, 3" in flat and "<корпус 2>" in flat  # typed text as text, not markup
    assert "102" in flat and "112" in flat


def test_story_a_long_report_is_shortened_to_two_pages_and_says_where_the_rest_is(i18n: I18n) -> None:
    long = report(
        proposals=[ProposalLine(f"Proposal {n}: " + "benches and lights " * 40, "in_plan", None) for n in range(120)],
        measures="Talks with residents and teenagers; " * 600,
        offences=[(f"Offence kind {n}", n) for n in range(60)],
    )
    with speaking(i18n, "en"):
        pages, text = pdf_text(pdf_bytes(long))
    assert pages <= 2
    assert "The full list is with the inspector." in text
    assert "The full text is with the inspector." in text
    assert "Offences in all: 1,770." in " ".join(text.split())  # 0 + 1 + … + 59, Babel's grouping


def test_story_a_quiet_quarter_still_prints(i18n: I18n) -> None:
    empty = Figures(quarter="2026Q1", building_codes=["A-12"])
    quiet = report(
        quarter="2026Q1",
        comparison=Comparison(empty, Figures(quarter="2025Q4", building_codes=["A-12"])),
        offences=[],
        measures=None,
        plans="  ",
        proposals=[],
    )
    with speaking(i18n, "ru"):
        pages, text = pdf_text(pdf_bytes(quiet))
        message = summary(quiet)
    assert 1 <= pages <= 2
    assert "1-й квартал 2026" in text
    assert "4-й кв. 2025" in text  # the previous quarter's column
    parse_html(message)


def test_the_same_report_gives_the_same_file_dated_by_its_publication(i18n: I18n) -> None:
    published = datetime(2027, 1, 5, 6, 30, tzinfo=UTC)
    with speaking(i18n, "ru"):
        first = pdf_bytes(report(), published_at=published)
        second = pdf_bytes(report(), published_at=published)
        draft = pdf_bytes(report())
    assert first == second
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None and reader.metadata.creation_date == published
    assert "5 января 2027" in pdf_text(first)[1]
    assert draft != first and draft == pdf_bytes_in(i18n, "ru", report())


def pdf_bytes_in(i18n: I18n, language: str, view: ReportView) -> bytes:
    with speaking(i18n, language):
        return pdf_bytes(view)


# --- the chart ---------------------------------------------------------------------------------------


def test_story_the_chart_is_a_phone_sized_png_and_the_same_every_time(i18n: I18n) -> None:
    comparison = report().comparison
    with speaking(i18n, "kk"):
        kazakh = chart_png(comparison)
        again = chart_png(comparison)
    with speaking(i18n, "ru"):
        russian = chart_png(comparison)
    assert png_size(kazakh) == (1200, 700)
    assert kazakh == again
    assert russian != kazakh  # category, month and quarter names follow the reader's language
    assert b"tIME" not in kazakh and b"Software" not in kazakh  # nothing that changes from run to run


def test_the_chart_of_an_empty_quarter_still_draws(i18n: I18n) -> None:
    empty = Comparison(Figures(quarter="2026Q1", building_codes=[]), Figures(quarter="2025Q4", building_codes=[]))
    with speaking(i18n, "en"):
        assert png_size(chart_png(empty)) == (1200, 700)


async def test_charts_drawn_at_once_from_worker_threads_come_out_whole(i18n: I18n) -> None:
    comparisons = [
        report().comparison,
        Comparison(figures("2026Q4", by_month=[1, 2, 3]), PREVIOUS),
        Comparison(figures("2026Q4", by_category={"other": 1}), PREVIOUS),
    ]
    with speaking(i18n, "ru"):
        expected = [chart_png(comparison) for comparison in comparisons]
        drawn = await asyncio.gather(*(asyncio.to_thread(chart_png, c) for c in comparisons * 3))
    assert drawn == expected * 3


def test_matplotlib_gets_a_private_temporary_folder_when_home_is_read_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MPLCONFIGDIR", "")
    monkeypatch.setattr(plotting, "_writable", lambda folder: False)
    monkeypatch.setattr(plotting.tempfile, "tempdir", str(tmp_path))
    plotting.prepare_config_dir()
    folder = Path(os.environ["MPLCONFIGDIR"])
    assert folder.parent == tmp_path and folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    monkeypatch.setenv("MPLCONFIGDIR", "/srv/chosen")  # an operator's choice is kept
    plotting.prepare_config_dir()
    assert os.environ["MPLCONFIGDIR"] == "/srv/chosen"


# --- the summary in the building chat ----------------------------------------------------------------


def test_story_residents_read_the_summary_in_russian(i18n: I18n) -> None:
    with speaking(i18n, "ru"):
        message = summary(report())
    visible, _entities = parse_html(message)  # valid Telegram HTML: typed text is escaped
    assert utf16_length(visible) <= MESSAGE_LIMIT and len(message) <= MESSAGE_LIMIT
    assert "&lt;b&gt;дома&lt;/b&gt; &amp; «подростки»" in message
    assert "<корпус" not in message and "&lt;корпус 2&gt;" in message
    assert "4-й квартал 2026" in message
    assert "137" in visible and "▲ 9" in visible and "128" in visible  # received, against the previous quarter
    assert "▼ 9" in visible and "130" in visible  # resolved
    assert "4,6" in visible and "38" in visible  # satisfaction, in the locale's number format
    assert "5,5 часа" in visible and "2,5 дня" in visible  # medians, Babel's units with their plural forms
    assert INSPECTOR in visible and RANK in visible
    assert "Кражи <b>дома</b> & «подростки»: 4" in visible
    assert "102" in visible and "112" in visible


def test_a_summary_of_everything_at_once_still_fits_one_message(i18n: I18n) -> None:
    huge = report(
        buildings=[(f"Z-{n}", "улица " + "<&>" * 60) for n in range(60)],
        offences=[("<script>" * 30, n) for n in range(200)],
        measures="&" * 20000,
        plans="<" * 20000,
        proposals=[ProposalLine("\"'<>&" * 300, "recorded", "Z-1") for _n in range(300)],
        inspector_name="&" * 300,
    )
    for language in ("ru", "kk", "uz", "en"):
        with speaking(i18n, language):
            message = summary(huge)
        visible, _entities = parse_html(message)
        assert len(message.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
        assert "102" in visible


def test_story_the_summary_in_kazakh_names_the_quarter_the_kazakh_way(i18n: I18n) -> None:
    with speaking(i18n, "kk"):
        message = summary(report())
        quarter = quarter_name("2026Q4")
    assert quarter in message and "тоқсан" in quarter
    assert "5,5 сағат" in message
    parse_html(message)


def test_russian_counts_take_their_three_plural_forms(tmp_path: Path) -> None:
    """1 and 21 take the first form, 3 the second, 5 and 11 the third: the rule of the project's Russian catalog,
    applied to every plural message of the summary as Babel extracts them (translated here as markers)."""
    tagged = _tagged_catalog(tmp_path)
    counts = report().comparison.current
    now = replace(counts, received=1, resolved=3, overdue=5, meetings_held=21, attendance=11, rated=3)
    with speaking(tagged, "ru"):
        message = summary(report(comparison=Comparison(now, PREVIOUS)))
    assert "[one] 1 appeal received" in message
    assert "[few] 3 appeals resolved" in message
    assert "[many] 5 appeals past their deadline" in message
    assert "[one] 21 meeting held" in message
    assert "[many] 11 residents came" in message
    assert "[few] ⭐ Residents rated the answers 4,6 out of 5 on average (3 ratings)" in message


def _tagged_catalog(folder: Path) -> I18n:
    """A Russian catalog with the real catalog's plural rule in which each plural message says which form it is."""
    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as real:
        assert read_po(real, locale="ru").num_plurals == 3
    catalog = Catalog(locale="ru")  # Babel's Russian rule, and empty: only the tagged forms below are in it
    assert catalog.num_plurals == 3
    keywords = parse_keywords(["N_", "_:1,1t", "_:1,2,3t", "_:1,2,4t"])  # as locales/extract.sh
    source = Path(__file__).resolve().parents[2] / "bot" / "ui" / "reports" / "cards.py"
    plurals = 0
    for _line, message, _comments, _context in extract_from_file("python", source, keywords=keywords):
        if isinstance(message, tuple):
            singular, plural = message
            catalog.add(message, [f"[one] {singular}", f"[few] {plural}", f"[many] {plural}"])
            plurals += 1
    assert plurals >= 8
    target = folder / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as compiled:
        write_mo(compiled, catalog)
    return I18n(path=folder, default_locale="ru", domain="messages")


# --- the archive and the files' names ----------------------------------------------------------------


def test_archive_lines_say_published_or_draft(i18n: I18n) -> None:
    published = datetime(2027, 1, 5, 6, 30, tzinfo=UTC)
    with speaking(i18n, "ru"):
        done = archive_line("2026Q4", ["A-12", "<B>"], published, "Asia/Almaty")
        draft = archive_line("2026Q3", [f"C-{n}" for n in range(8)], None, "Asia/Almaty")
    assert "4-й квартал 2026" in done and "A-12, &lt;B&gt;" in done and "5 января 2027" in done
    assert "3-й квартал 2026" in draft and "C-4" in draft and "C-5" not in draft
    parse_html(done)
    parse_html(draft)
    assert pdf_filename(report(buildings=[("Ә-1", "x"), ("B 3", "y")])) == "report-2026Q4-1-B3.pdf"
