"""Renderers of quarterly reports: the summary a building chat receives (and the inspector previews), the lines of
the archive, and the names and captions the chart and the printable page share.

Everything is drawn from a `ReportView` (bot.services.report_figures) in the current gettext locale: quarters,
months, numbers and durations through Babel, plurals through gettext. Every text a person typed (addresses, names,
offence kinds, measures, plans, proposals) is escaped; the summary always fits one Telegram message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton, get_month_names
from babel.numbers import format_decimal
from babel.units import format_unit

from bot.services.quarters import Quarter
from bot.services.report_figures import Figures, ProposalLine, ReportView
from bot.ui import formatting, texts
from bot.ui.formatting import local_date
from bot.ui.proposals.register import status_label

MESSAGE_LIMIT = 4096  # one Telegram message
NAME_LIMIT = 120  # an inspector's name or rank, an address, an offence kind: shortened beyond this
ARCHIVE_CODES = 5  # building codes on an archive line; more are counted


@dataclass(frozen=True)
class _Limits:
    """How much of the long parts the summary shows; tighter sets are tried until it fits one message."""

    text: int  # characters of the measures and of the plans (escaped)
    proposals: int  # proposal texts listed
    proposal_text: int  # characters of each
    offences: int  # offence kinds listed
    buildings: int  # buildings listed


_LIMITS = (
    _Limits(text=900, proposals=3, proposal_text=100, offences=10, buildings=8),
    _Limits(text=500, proposals=3, proposal_text=80, offences=8, buildings=5),
    _Limits(text=250, proposals=2, proposal_text=60, offences=5, buildings=3),
    _Limits(text=0, proposals=0, proposal_text=0, offences=0, buildings=1),
)


# --- names of quarters, months, numbers -------------------------------------------------------------


def _quarter_date(key: str) -> date:
    return Quarter.parse(key).first_day


def quarter_name(key: str) -> str:
    """ "2026Q4" in words: "4th quarter 2026", "4-й квартал 2026 г.", "2026 ж. IV тоқсан"."""
    return format_skeleton("yQQQQ", _quarter_date(key), locale=formatting.locale())


def quarter_short(key: str) -> str:
    """ "2026Q4" briefly, for chart legends and lists: "Q4 2026", "4-й кв. 2026 г."."""
    return format_skeleton("yQQQ", _quarter_date(key), locale=formatting.locale())


def previous_quarter(key: str) -> str:
    return Quarter.parse(key).previous().key


def quarter_months(key: str) -> list[str]:
    """The quarter's three months by name, as they stand alone ("октябрь", not "октября")."""
    names = get_month_names("wide", "stand-alone", locale=formatting.locale())
    return [names[month] for month in Quarter.parse(key).months]


def number(value: int) -> str:
    return format_decimal(value, locale=formatting.locale())


def one_decimal(value: float) -> str:
    """4.6 / 4,6 — one digit after the point in the locale's format."""
    return format_decimal(round(value, 1), format="#,##0.0", locale=formatting.locale())


def hours(value: float) -> str:
    """A median time to first response: "45 minutes", "5.5 hours" (Babel's units, plurals included)."""
    if value < 1:
        return format_unit(round(value * 60), "duration-minute", length="long", locale=formatting.locale())
    return format_unit(round(value, 1), "duration-hour", length="long", format="#,##0.#", locale=formatting.locale())


def days(value: float) -> str:
    """A median time to resolution: "2.5 days"; under a day in hours."""
    if value < 1:
        return hours(value * 24)
    return format_unit(round(value, 1), "duration-day", length="long", format="#,##0.#", locale=formatting.locale())


def proposal_status(code: str) -> str:
    """The register's name of a proposal's status (one name everywhere); the code itself if unknown."""
    try:
        return status_label(code)
    except ValueError:
        return code


def shorten(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters at a word boundary where there is one, with "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.\n") + "…"


def _escaped(text: str, limit: int) -> str:
    """The text escaped for HTML, shortened so that the escaped form fits `limit` characters."""
    text = re.sub(r"\n{3,}", "\n\n", text.strip())
    budget = limit
    while True:
        result = escape(shorten(text, budget))
        if len(result) <= limit or budget <= 1:
            return result
        budget -= len(result) - limit


def inspector_line(view: ReportView) -> str:
    name = escape(shorten(view.inspector_name, NAME_LIMIT))
    if not view.inspector_rank.strip():
        return name
    return _("{rank} {name}").format(rank=escape(shorten(view.inspector_rank, NAME_LIMIT)), name=name)


def building_line(code: str, address: str) -> str:
    return _("{code} — {address}").format(code=escape(code), address=escape(shorten(address, NAME_LIMIT)))


# --- the summary ----------------------------------------------------------------------------------


def summary(view: ReportView) -> str:
    """The report in one message for a building chat and the inspector's preview (Telegram HTML)."""
    for limits in _LIMITS:
        text = _summary(view, limits)
        if _utf16_length(text) <= MESSAGE_LIMIT:
            return text
    return text  # the tightest set leaves only short lines: cannot exceed the limit in practice


def _utf16_length(text: str) -> int:
    """Telegram counts UTF-16 code units; counted here over the HTML source, which is longer than what is shown."""
    return len(text.encode("utf-16-le")) // 2


def _summary(view: ReportView, limits: _Limits) -> str:
    blocks = [
        "\n".join(_heading(view, limits)),
        "\n".join(_appeals(view.comparison.current, view.comparison.previous)),
        "\n".join(_meetings(view.comparison.current)),
        "\n".join(_proposals(view.comparison.current, view.proposals, limits)),
    ]
    if view.offences:
        blocks.append("\n".join(_offences(view.offences, limits)))
    for title, body in (
        (_("🛠 <b>Measures taken</b>"), view.measures),
        (_("📌 <b>Plans for the next quarter</b>"), view.plans),
    ):
        if body and body.strip() and limits.text:
            blocks.append(title + "\n" + _escaped(body, limits.text))
    blocks.append(texts.emergency())
    return "\n\n".join(blocks)


def _heading(view: ReportView, limits: _Limits) -> list[str]:
    lines = [
        _("📊 <b>Report of the district inspector to the residents: {quarter}</b>").format(
            quarter=quarter_name(view.quarter)
        ),
        _("👮 {inspector}").format(inspector=inspector_line(view)),
    ]
    lines += ["🏢 " + building_line(code, address) for code, address in view.buildings[: limits.buildings]]
    rest = len(view.buildings) - limits.buildings
    if rest > 0:
        lines.append(_("… and {count} more building", "… and {count} more buildings", rest).format(count=number(rest)))
    return lines


def change(current: int, before: int) -> str:
    """How a figure moved since the previous quarter: "▲ 3 from 9 in the previous quarter"."""
    difference = current - before
    if difference > 0:
        return _("▲ {difference} from {previous} in the previous quarter").format(
            difference=number(difference), previous=number(before)
        )
    if difference < 0:
        return _("▼ {difference} from {previous} in the previous quarter").format(
            difference=number(-difference), previous=number(before)
        )
    return _("as many as in the previous quarter")


def _with_change(line: str, current: int, before: int) -> str:
    return _("{figure} ({change})").format(figure=line, change=change(current, before))


def _appeals(now: Figures, before: Figures) -> list[str]:
    lines = [
        _("📨 <b>Appeals</b>"),
        _with_change(
            _("{count} appeal received", "{count} appeals received", now.received).format(count=number(now.received)),
            now.received,
            before.received,
        ),
        _with_change(
            _("{count} appeal resolved", "{count} appeals resolved", now.resolved).format(count=number(now.resolved)),
            now.resolved,
            before.resolved,
        ),
        *(
            [
                _with_change(
                    _(
                        "{count} appeal sent to another body (not for the police)",
                        "{count} appeals sent to other bodies (not for the police)",
                        now.redirected_out,
                    ).format(count=number(now.redirected_out)),
                    now.redirected_out,
                    before.redirected_out,
                )
            ]
            if now.redirected_out or before.redirected_out
            else []
        ),
        _with_change(
            _("{count} appeal past its deadline", "{count} appeals past their deadline", now.overdue).format(
                count=number(now.overdue)
            ),
            now.overdue,
            before.overdue,
        ),
    ]
    if now.oral or before.oral:
        # Right under the received ones: appeals taken in person, by phone or at meetings, counted apart.
        lines.insert(2, _with_change(oral_received(now.oral), now.oral, before.oral))
    if now.first_response_hours_median is not None:
        lines.append(_("⏱ Median time to the first answer: {time}").format(time=hours(now.first_response_hours_median)))
    if now.resolution_days_median is not None:
        lines.append(_("✅ Median time to resolution: {time}").format(time=days(now.resolution_days_median)))
    lines.append(satisfaction(now))
    return lines


def oral_received(count: int) -> str:
    return _(
        "of them {count} oral (in person, by phone, at meetings)",
        "of them {count} oral (in person, by phone, at meetings)",
        count,
    ).format(count=number(count))


def satisfaction(figures: Figures) -> str:
    if figures.rating_average is None or not figures.rated:
        return _("⭐ No answers were rated this quarter.")
    return _(
        "⭐ Residents rated the answers {rating} out of 5 on average ({count} rating)",
        "⭐ Residents rated the answers {rating} out of 5 on average ({count} ratings)",
        figures.rated,
    ).format(rating=one_decimal(figures.rating_average), count=number(figures.rated))


def _meetings(now: Figures) -> list[str]:
    lines = [_("👥 <b>Meetings with residents</b>")]
    if not now.meetings_held:
        lines.append(_("No meetings were held this quarter."))
        return lines
    lines.append(
        _("{count} meeting held", "{count} meetings held", now.meetings_held).format(count=number(now.meetings_held))
    )
    lines.append(
        _("{count} resident came", "{count} residents came", now.attendance).format(count=number(now.attendance))
    )
    return lines


def proposals_total(figures: Figures) -> int:
    return figures.proposals_recorded + figures.proposals_in_plan + figures.proposals_done + figures.proposals_declined


def _proposals(now: Figures, items: Sequence[ProposalLine], limits: _Limits) -> list[str]:
    lines = [_("💡 <b>Residents' proposals</b>")]
    total = proposals_total(now)
    if not total:
        lines.append(_("No proposals were recorded this quarter."))
        return lines
    lines.append(_("{count} proposal received", "{count} proposals received", total).format(count=number(total)))
    lines.append(
        _("{count} is in the work plan", "{count} are in the work plan", now.proposals_in_plan).format(
            count=number(now.proposals_in_plan)
        )
    )
    lines.append(_("{count} is done", "{count} are done", now.proposals_done).format(count=number(now.proposals_done)))
    for item in items[: limits.proposals]:
        lines.append(
            _("• {text} — {status}").format(
                text=escape(shorten(item.text, limits.proposal_text)), status=proposal_status(item.status)
            )
        )
    rest = len(items) - limits.proposals
    if rest > 0 and limits.proposals:
        lines.append(_("… and {count} more", "… and {count} more", rest).format(count=number(rest)))
    return lines


def _offences(offences: Sequence[tuple[str, int]], limits: _Limits) -> list[str]:
    lines = [_("🚨 <b>Offences on the territory</b> (official statistics)")]
    shown = offences[: limits.offences] if limits.offences else []
    lines += [
        _("• {kind}: {count}").format(kind=escape(shorten(kind, NAME_LIMIT)), count=number(count))
        for kind, count in shown
    ]
    if len(shown) < len(offences):
        total = sum(count for _kind, count in offences)
        lines.append(_("Offences in all: {count}").format(count=number(total)))
    return lines


# --- what the preview and the archive show beside the summary ----------------------------------------


def chart_caption(view: ReportView) -> str:
    return _("📊 Appeals by category and by month: {quarter} against {previous}").format(
        quarter=quarter_name(view.quarter), previous=quarter_name(previous_quarter(view.quarter))
    )


def pdf_caption(view: ReportView) -> str:
    return _("🖨 The report for the meeting with residents, ready to print: {quarter}").format(
        quarter=quarter_name(view.quarter)
    )


def pdf_filename(view: ReportView) -> str:
    """report-2026Q4-A-12-B-3.pdf: ASCII only, whatever the building codes are."""
    codes = "-".join(re.sub(r"[^A-Za-z0-9]+", "", code) for code, _address in view.buildings[:3])
    codes = re.sub(r"-+", "-", codes).strip("-")
    return f"report-{view.quarter}" + (f"-{codes}" if codes else "") + ".pdf"


def archive_line(quarter: str, building_codes: Sequence[str], published_at: datetime | None, timezone: str) -> str:
    """One report in /reports: "📊 4th quarter 2026 · A-12, B-3 · published 5 January 2027" or "· draft"."""
    codes = ", ".join(escape(code) for code in building_codes[:ARCHIVE_CODES])
    rest = len(building_codes) - ARCHIVE_CODES
    if rest > 0:
        codes = _("{codes} and {count} more", "{codes} and {count} more", rest).format(codes=codes, count=number(rest))
    if published_at is None:
        return _("📝 {quarter} · {buildings} · draft").format(quarter=quarter_name(quarter), buildings=codes)
    return _("📊 {quarter} · {buildings} · published {date}").format(
        quarter=quarter_name(quarter), buildings=codes, date=local_date(published_at, timezone)
    )
