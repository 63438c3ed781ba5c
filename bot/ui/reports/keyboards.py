"""Buttons of the /report dialog and the /reports archive; callback data carries ids (and a quarter's key) only."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services.report_store import Quarters
from bot.ui import keyboards
from bot.ui.callbacks import ArchiveAction, ArchiveCb, ReportAction, ReportCb
from bot.ui.keyboards import Keyboard
from bot.ui.reports import cards as report_cards
from models import Report

ARCHIVE_CODES = 2  # building codes on an archive button


# The dialog's steps that a Skip button ends (bot.ui.SkipCb's step).
SKIP_OFFENCES = "rep_offences"
SKIP_MEASURES = "rep_measures"
SKIP_PLANS = "rep_plans"


def quarters(offered: Quarters) -> InlineKeyboardMarkup:
    """The last finished quarter first (the default), the three before it, then the current one so far."""
    builder = Keyboard()
    for quarter in offered.finished:
        label = report_cards.quarter_name(quarter.key)
        if quarter == offered.default:
            label = _("{quarter} ✓").format(quarter=label)
        builder.button(text=label, callback_data=ReportCb(action=ReportAction.QUARTER, quarter=quarter.key))
    current = offered.current.key
    builder.button(
        text=_("{quarter} (so far)").format(quarter=report_cards.quarter_name(current)),
        callback_data=ReportCb(action=ReportAction.QUARTER, quarter=current),
    )
    builder.adjust(1)
    return builder.as_markup()


def offences_done() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Continue ➡️"), callback_data=ReportCb(action=ReportAction.OFFENCES_DONE))
    return builder.as_markup()


def preview(*, can_publish: bool = True) -> InlineKeyboardMarkup:
    builder = Keyboard()
    if can_publish:
        builder.button(text=_("✅ Publish"), callback_data=ReportCb(action=ReportAction.PUBLISH))
    builder.button(text=_("✏️ Edit"), callback_data=ReportCb(action=ReportAction.EDIT))
    builder.button(text=_("Cancel"), callback_data=ReportCb(action=ReportAction.CANCEL))
    builder.adjust(1, 2)
    return builder.as_markup()


def changes() -> InlineKeyboardMarkup:
    """What Edit changes."""
    builder = Keyboard()
    builder.button(text=_("🗓 Quarter and buildings"), callback_data=ReportCb(action=ReportAction.CHANGE, part="period"))
    builder.button(text=_("🚨 Offence figures"), callback_data=ReportCb(action=ReportAction.CHANGE, part="offences"))
    builder.button(text=_("🛠 Measures taken"), callback_data=ReportCb(action=ReportAction.CHANGE, part="measures"))
    builder.button(text=_("📌 Plans"), callback_data=ReportCb(action=ReportAction.CHANGE, part="plans"))
    builder.adjust(1, 3)
    return builder.as_markup()


def archive(items: Sequence[Report], page: int, pages: int) -> InlineKeyboardMarkup | None:
    """One button per report on the page, then ◀️ n/m ▶️."""
    builder = Keyboard()
    for report in items:
        codes = [building.code for building in report.buildings]
        shown = ", ".join(codes[:ARCHIVE_CODES]) + ("…" if len(codes) > ARCHIVE_CODES else "")
        mark = "📊" if report.published_at is not None else "📝"
        builder.button(
            text=f"{mark} {report_cards.quarter_short(report.quarter)} · {shown}",
            callback_data=ArchiveCb(action=ArchiveAction.OPEN, report_id=report.id, page=page),
        )
    builder.adjust(1)
    paging = keyboards.pager(page, pages, lambda number: ArchiveCb(action=ArchiveAction.PAGE, page=number))
    if paging is not None:
        builder.attach(paging)
    return builder.as_markup() if items else None


def opened(report: Report) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("📄 PDF"), callback_data=ArchiveCb(action=ArchiveAction.PDF, report_id=report.id))
    if report.published_at is None:
        builder.button(
            text=_("✏️ Continue"), callback_data=ArchiveCb(action=ArchiveAction.CONTINUE, report_id=report.id)
        )
        builder.button(
            text=_("🗑 Delete the draft"), callback_data=ArchiveCb(action=ArchiveAction.DELETE, report_id=report.id)
        )
    builder.adjust(1)
    return builder.as_markup()
