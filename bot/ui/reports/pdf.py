"""The report as a printable page for the meeting with residents: one or two A4 pages, PDF.

Drawn with fpdf2 in the current gettext locale from a `ReportView`: the title (the quarter, the buildings with their
addresses, the inspector), the figures beside the previous quarter's, the chart (bot.ui.reports.chart), the offence
figures, the measures taken, the proposals with their status, the plans and the 102 / 112 line.

The font is DejaVu Sans, the copy matplotlib ships (its mpl-data/fonts/ttf folder): it has Cyrillic and the Kazakh
letters ә ғ қ ң ө ұ ү һ і, embedded as a subset with a ToUnicode map, so the text can be searched and extracted.
Characters the font lacks (emoji in a typed text) are left out rather than printed as empty boxes.

Two pages at most: when the content runs longer, the long parts are shortened step by step (fewer proposals and
offence lines, shorter measures and plans) with a note that the full list is with the inspector. The same view gives
the same bytes: the creation date is the publication time, or the end of the quarter for a draft.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import unescape
from typing import TypeVar

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bot.i18n import language_of
from bot.services.quarters import Quarter
from bot.services.report_figures import Figures, ReportView
from bot.ui import texts
from bot.ui.formatting import local_date
from bot.ui.reports.cards import (
    days,
    hours,
    number,
    one_decimal,
    proposal_status,
    proposals_total,
    quarter_name,
    quarter_short,
    shorten,
)
from bot.ui.reports.chart import chart_png
from bot.ui.reports.plotting import FONT_BOLD, FONT_REGULAR

PAGES = 2
FONT = "dejavu"
MARGIN = 14  # millimetres
CHART_WIDTH = 182  # millimetres: the chart's 1200 × 700 pixels at about 167 dpi
BUILDINGS_SHOWN = 20
ADDRESS_LIMIT = 80  # characters of each address on the page
OFFENCE_KIND_WIDTH = 150
NAME_LIMIT = 160

_TAGS = re.compile(r"<[^>]+>")
T = TypeVar("T")

# fontTools reports every step of subsetting the font at INFO: a score of lines per page drawn.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


@dataclass(frozen=True)
class _Limits:
    """How much of the long parts the page shows (None: all of it); tighter sets are tried until it fits."""

    proposals: int | None
    proposal_text: int | None
    offences: int | None
    text: int | None  # characters of the measures and of the plans


_LIMITS = (
    _Limits(proposals=None, proposal_text=None, offences=None, text=None),
    *(
        _Limits(proposals=proposals, proposal_text=proposal_text, offences=offences, text=text)
        for proposals, proposal_text, offences, text in (
            (30, 400, 25, 3000),
            (25, 300, 20, 2400),
            (20, 250, 16, 2000),
            (16, 200, 14, 1600),
            (12, 180, 12, 1300),
            (10, 160, 10, 1000),
            (8, 150, 8, 800),
            (6, 130, 6, 600),
            (4, 120, 5, 400),
            (2, 100, 4, 250),
            (0, 0, 3, 150),
        )
    ),
)


def pdf_bytes(view: ReportView, *, published_at: datetime | None = None, chart: bytes | None = None) -> bytes:
    """The printable report. `published_at` is printed and dates the file (a draft is dated by its quarter's end);
    `chart` is the PNG from `chart_png(view.comparison)` when the caller already has it."""
    png = chart if chart is not None else chart_png(view.comparison)
    document = _Document(view, png, published_at)
    document.fixed()
    # The long parts are measured (not drawn) against the room left, so one drawing usually suffices; should the
    # estimate be short, the next tighter set is drawn.
    for limits in _LIMITS[document.fitting(_LIMITS) :]:
        if document.rest_drawn:
            document = _Document(view, png, published_at)
            document.fixed()
        document.rest(limits)
        if document.page_no() <= PAGES:
            break
    document.set_creation_date((published_at or _quarter_end(view)).astimezone(UTC))
    return bytes(document.output())


def _quarter_end(view: ReportView) -> datetime:
    return Quarter.parse(view.quarter).span(view.timezone)[1]


@cache
def _metrics() -> tuple[dict[int, int], int]:
    """DejaVu Sans: the advance width of each code point both its regular and bold faces can draw, and its units
    per em. What is not here is not drawn (see `printable`)."""
    faces: list[dict[int, int]] = []
    units = 2048
    for path in (FONT_REGULAR, FONT_BOLD):
        font = TTFont(path, lazy=True)
        try:
            metrics = font["hmtx"]
            faces.append({code: metrics[name][0] for code, name in font.getBestCmap().items()})
            units = font["head"].unitsPerEm
        finally:
            font.close()
    regular, bold = faces
    return {code: width for code, width in regular.items() if code in bold}, units


def printable(text: str) -> str:
    """The text without what the font cannot draw (emoji, their variation selectors), spaces tidied."""
    glyphs = _metrics()[0]
    kept = "".join(char for char in text if char in "\n" or ord(char) in glyphs)
    kept = re.sub(r"[ \t]+", " ", kept)
    return re.sub(r"\n{3,}", "\n\n", kept).strip()


def plain(html: str) -> str:
    """A gettext string written for Telegram HTML, as plain text for the page."""
    return printable(unescape(_TAGS.sub("", html)))


def _lines(text: str, size: float, width: float) -> int:
    """How many lines the text takes at this size (pt) in this width (mm), wrapped at spaces: an estimate a little
    on the generous side (the width is taken 6% narrower)."""
    widths, units = _metrics()
    scale = size / units * 25.4 / 72
    room = width * 0.94
    space = widths.get(32, units // 3) * scale
    total = 0
    for paragraph in text.split("\n"):
        count, line = 1, 0.0
        for word in paragraph.split(" "):
            size_of_word = sum(widths.get(ord(char), units) for char in word) * scale
            if line and line + space + size_of_word > room:
                count += 1
                line = 0.0
            line += (space if line else 0.0) + size_of_word
            while line > room:  # a word longer than a line is broken across lines
                count += 1
                line -= room
        total += count
    return total


# Sizes of the page's parts (points for type, millimetres for the rest), used both to draw and to estimate.
TEXT_SIZE, TEXT_LINE = 10.0, 5.0
NOTE_SIZE, NOTE_LINE = 9.0, 4.5
ITEM_SIZE, ITEM_LINE = 9.5, 4.8
HEADING_HEIGHT = 9.5  # the space before, the line, the space after
ROW_LINE, ROW_PADDING = 5.2, 0.6
SLACK = 6.0  # millimetres kept in reserve against the estimate's errors (an overflow is drawn again, tighter)


class _Document(FPDF):
    def __init__(self, view: ReportView, chart: bytes, published_at: datetime | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.view = view
        self.chart = chart
        self.published_at = published_at
        self.rest_drawn = False
        self.footer_text = printable(
            _("Report of the district inspector to the residents: {quarter}").format(quarter=quarter_name(view.quarter))
        )
        self.add_font(FONT, "", FONT_REGULAR)
        self.add_font(FONT, "B", FONT_BOLD)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.set_title(self.footer_text)
        self.set_author(printable(view.inspector_name))
        self.set_creator("inspector-bot")
        self.set_lang(language_of(get_i18n().current_locale).replace("_", "-"))  # BCP 47: uz-Cyrl

    # --- page furniture

    def footer(self) -> None:
        self.set_y(-MARGIN + 4)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(110)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0)

    # --- building blocks

    def _text(self, text: str, size: float = TEXT_SIZE, style: str = "", height: float = TEXT_LINE) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _heading(self, text: str) -> None:
        self.ln(2.5)
        self._text(text, size=12, style="B", height=6.5)
        self.ln(0.5)

    def _note(self, text: str) -> None:
        self.set_text_color(90)
        self._text(text, size=NOTE_SIZE, height=NOTE_LINE)
        self.set_text_color(0)

    # --- the report: what is always whole (title, figures, chart), then what may be shortened

    def fixed(self) -> None:
        self.add_page()
        self._title()
        self._figures_table()
        self._chart()

    def rest(self, limits: _Limits) -> None:
        self.rest_drawn = True
        self._offences(limits)
        self._long_text(_("Measures taken"), self.view.measures, limits)
        self._proposals(limits)
        self._long_text(_("Plans for the next quarter"), self.view.plans, limits)
        self.ln(3)
        self._text(plain(texts.emergency()), style="B")

    def fitting(self, levels: Sequence[_Limits]) -> int:
        """The first set of limits whose estimated height fits the room left on the allowed pages."""
        room = self.page_break_trigger - self.y + (PAGES - self.page_no()) * (self.h - 2 * MARGIN) - SLACK
        for index, limits in enumerate(levels):
            if self._estimate(limits) <= room:
                return index
        return len(levels) - 1

    def _estimate(self, limits: _Limits) -> float:
        width = self.epw
        view = self.view
        height = 3 + TEXT_LINE * _lines(plain(texts.emergency()), TEXT_SIZE, width)
        height += HEADING_HEIGHT
        offences = _take(view.offences, limits.offences)
        for kind, _count in offences:
            height += ROW_LINE * _lines(shorten(kind, NAME_LIMIT), TEXT_SIZE, OFFENCE_KIND_WIDTH) + 2 * ROW_PADDING
        if len(offences) < len(view.offences) or not offences:
            height += 2 * NOTE_LINE
        for body in (view.measures, view.plans):
            height += HEADING_HEIGHT + NOTE_LINE
            if body and body.strip():
                shown = body if limits.text is None else shorten(body, limits.text)
                height += TEXT_LINE * _lines(shown, TEXT_SIZE, width)
        height += HEADING_HEIGHT + 2 * TEXT_LINE
        proposals = _take(view.proposals, limits.proposals)
        for item in proposals:
            text = item.text if limits.proposal_text is None else shorten(item.text, limits.proposal_text)
            height += ITEM_LINE * _lines(
                f"{text} — {proposal_status(item.status)} ({item.building_code})", ITEM_SIZE, width
            )
        if len(proposals) < len(view.proposals):
            height += 2 * NOTE_LINE
        return height

    def _title(self) -> None:
        view = self.view
        self._text(_("Report of the district inspector to the residents"), size=16, style="B", height=8)
        self._text(quarter_name(view.quarter), size=13, style="B", height=7)
        self.ln(1)
        inspector = shorten(view.inspector_name, NAME_LIMIT)
        if view.inspector_rank.strip():
            inspector = _("{rank} {name}").format(rank=shorten(view.inspector_rank, NAME_LIMIT), name=inspector)
        self._text(_("District inspector: {inspector}").format(inspector=inspector), size=10.5)
        shown = [
            _("{code} — {address}").format(code=code, address=shorten(address, ADDRESS_LIMIT))
            for code, address in view.buildings[:BUILDINGS_SHOWN]
        ]
        rest = len(view.buildings) - BUILDINGS_SHOWN
        if rest > 0:
            shown.append(
                _("… and {count} more building", "… and {count} more buildings", rest).format(count=number(rest))
            )
        self._text(_("Buildings: {buildings}").format(buildings="; ".join(shown)))
        if self.published_at is not None:
            self._note(_("Published {date}").format(date=local_date(self.published_at, view.timezone)))

    def _figures_table(self) -> None:
        now, before = self.view.comparison.current, self.view.comparison.previous
        self._heading(_("Figures from the bot's records"))
        self.set_font(FONT, "", 9.5)
        with self.table(
            col_widths=(92, 33, 33, 24),
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
            line_height=ROW_LINE,
            padding=(ROW_PADDING, 1.5),
            headings_style=FontFace(family=FONT, emphasis="BOLD", size_pt=9.5, fill_color=(236, 239, 241)),
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            heading = table.row()
            for title in ("", quarter_short(now.quarter), quarter_short(before.quarter), _("Change")):
                heading.cell(printable(title))
            for cells in _figure_rows(now, before):
                row = table.row()
                for value in cells:
                    row.cell(printable(value))

    def _chart(self) -> None:
        height = CHART_WIDTH * 700 / 1200
        if self.will_page_break(height + 2):
            self.add_page()
        self.ln(2)
        self.image(io.BytesIO(self.chart), x=(self.w - CHART_WIDTH) / 2, w=CHART_WIDTH, h=height)
        self.ln(1)

    def _offences(self, limits: _Limits) -> None:
        offences = self.view.offences
        self._heading(_("Offences on the territory (official statistics)"))
        if not offences:
            self._note(_("The inspector entered no offence figures for this quarter."))
            return
        shown = _take(offences, limits.offences)
        if shown:
            self.set_font(FONT, "", TEXT_SIZE)
            with self.table(
                col_widths=(OFFENCE_KIND_WIDTH, self.epw - OFFENCE_KIND_WIDTH),
                text_align=("LEFT", "RIGHT"),
                line_height=ROW_LINE,
                padding=(ROW_PADDING, 1.5),
                first_row_as_headings=False,
                borders_layout="HORIZONTAL_LINES",
            ) as table:
                for kind, count in shown:
                    row = table.row()
                    row.cell(printable(shorten(kind, NAME_LIMIT)))
                    row.cell(number(count))
        if len(shown) < len(offences):
            total = sum(count for _kind, count in offences)
            self._note(
                _("Offences in all: {count}.").format(count=number(total))
                + " "
                + _("The full list is with the inspector.")
            )

    def _long_text(self, title: str, body: str | None, limits: _Limits) -> None:
        self._heading(title)
        if not body or not body.strip():
            self._note(_("Not filled in."))
            return
        shown = body.strip() if limits.text is None else shorten(body, limits.text)
        self._text(shown)
        if shown != body.strip():
            self._note(_("The full text is with the inspector."))

    def _proposals(self, limits: _Limits) -> None:
        view = self.view
        now = view.comparison.current
        self._heading(_("Residents' proposals"))
        total = proposals_total(now)
        self._text(
            _(
                "{count} proposal recorded this quarter: {in_plan} in the work plan, {done} done, {declined} declined.",
                "{count} proposals recorded this quarter: {in_plan} in the work plan, {done} done, {declined} declined.",
                total,
            ).format(
                count=number(total),
                in_plan=number(now.proposals_in_plan),
                done=number(now.proposals_done),
                declined=number(now.proposals_declined),
            )
        )
        shown = _take(view.proposals, limits.proposals)
        for index, item in enumerate(shown, 1):
            text = item.text if limits.proposal_text is None else shorten(item.text, limits.proposal_text)
            line = _("{number}. {text} — {status}").format(number=index, text=text, status=proposal_status(item.status))
            if item.building_code:
                line += " " + _("({code})").format(code=item.building_code)
            self._text(line, size=ITEM_SIZE, height=ITEM_LINE)
        rest = len(view.proposals) - len(shown)
        if rest > 0:
            self._note(
                _("… and {count} more", "… and {count} more", rest).format(count=number(rest))
                + " "
                + _("The full list is with the inspector.")
            )


def _take(items: Sequence[T], limit: int | None) -> Sequence[T]:
    return items if limit is None else items[:limit]


def _moved(current: int, before: int) -> str:
    difference = current - before
    if difference > 0:
        return "▲ " + number(difference)
    if difference < 0:
        return "▼ " + number(-difference)
    return "="


def _figure_rows(now: Figures, before: Figures) -> list[tuple[str, str, str, str]]:
    def count(label: str, pick: Callable[[Figures], int]) -> tuple[str, str, str, str]:
        return label, number(pick(now)), number(pick(before)), _moved(pick(now), pick(before))

    def measure(
        label: str, pick: Callable[[Figures], float | None], show: Callable[[float], str]
    ) -> tuple[str, str, str, str]:
        values = [pick(now), pick(before)]
        return label, *(show(value) if value is not None else "—" for value in values), ""  # type: ignore[return-value]

    return [
        count(_("Appeals received"), lambda f: f.received),
        count(_("of them oral (in person, by phone, at meetings)"), lambda f: f.oral),
        count(_("Appeals resolved"), lambda f: f.resolved),
        *(
            [count(_("Appeals sent to other bodies"), lambda f: f.redirected_out)]
            if now.redirected_out or before.redirected_out
            else []
        ),
        count(_("Appeals past their deadline"), lambda f: f.overdue),
        count(_("Appeals open at the end of the quarter"), lambda f: f.open_at_end),
        measure(_("Median time to the first answer"), lambda f: f.first_response_hours_median, hours),
        measure(_("Median time to resolution"), lambda f: f.resolution_days_median, days),
        measure(_("Average rating of the answers (out of 5)"), lambda f: f.rating_average, one_decimal),
        count(_("Answers rated"), lambda f: f.rated),
        count(_("Meetings with residents held"), lambda f: f.meetings_held),
        count(_("Residents at the meetings"), lambda f: f.attendance),
        count(_("Proposals received"), proposals_total),
        count(_("Proposals in the work plan"), lambda f: f.proposals_in_plan),
        count(_("Proposals done"), lambda f: f.proposals_done),
    ]


__all__ = ["pdf_bytes", "plain", "printable"]
