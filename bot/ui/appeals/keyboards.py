"""Buttons of appeals. Callback data carries the appeal's id and an action; rights are checked on the server."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.ui import labels
from bot.ui.keyboards import pager
from models import OPEN_STATUSES, Appeal, Category, Inspector

FILTER_BUILDINGS = 11  # with "All buildings", three rows of four


class CategoryCb(CallbackData, prefix="cat"):
    code: str


class IntakeCb(CallbackData, prefix="intake"):
    # next, named, anon, send, edit, cancel
    step: str


class StaffCb(CallbackData, prefix="ap"):
    # take, reply, ask, resolve, reject, redirect; extend, outside (handlers.inspector.appeal_terms)
    action: str
    appeal_id: int


class RedirectCb(CallbackData, prefix="redir"):
    appeal_id: int
    inspector_id: int


class ResidentCb(CallbackData, prefix="my"):
    # open, reopen, feedback
    action: str
    appeal_id: int


class RateCb(CallbackData, prefix="rate"):
    appeal_id: int
    stars: int


class ListCb(CallbackData, prefix="lst"):
    """A page of /my (listing "my") or /queue (listing "q", with its filters)."""

    listing: str
    page: int
    building_id: int = 0
    status: str = ""


def categories() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in Category:
        builder.button(text=labels.category(code), callback_data=CategoryCb(code=code.value))
    builder.adjust(2)
    return builder.as_markup()


def intake_next() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Next ➡️"), callback_data=IntakeCb(step="next"))
    return builder.as_markup()


def anonymity() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Send with my name"), callback_data=IntakeCb(step="named"))
    builder.button(text=_("🕶 Send anonymously"), callback_data=IntakeCb(step="anon"))
    builder.adjust(1)
    return builder.as_markup()


def confirm_intake() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Send"), callback_data=IntakeCb(step="send"))
    builder.button(text=_("✏️ Edit the text"), callback_data=IntakeCb(step="edit"))
    builder.button(text=_("Cancel"), callback_data=IntakeCb(step="cancel"))
    builder.adjust(1, 2)
    return builder.as_markup()


def staff_actions(appeal: Appeal) -> InlineKeyboardMarkup | None:
    if appeal.status not in OPEN_STATUSES:
        return None
    builder = InlineKeyboardBuilder()
    actions = [
        ("take", _("▶️ Take")),
        ("reply", _("↩️ Reply")),
        ("ask", _("❓ Ask for details")),
        ("resolve", _("✅ Resolve")),
        ("reject", _("⛔ Reject")),
        ("redirect", _("➡️ Redirect")),
        ("extend", _("⏳ Extend")),
        ("outside", _("🏛 Not for the police")),
    ]
    for action, text in actions:
        if action == "take" and appeal.status not in ("new", "redirected"):
            continue
        builder.button(text=text, callback_data=StaffCb(action=action, appeal_id=appeal.id))
    builder.adjust(2)
    return builder.as_markup()


def redirect_targets(appeal: Appeal, inspectors: list[Inspector]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for inspector in inspectors:
        if inspector.id != appeal.inspector_id:
            builder.button(
                text=inspector.full_name[:60], callback_data=RedirectCb(appeal_id=appeal.id, inspector_id=inspector.id)
            )
    builder.adjust(1)
    return builder.as_markup()


def rating(appeal: Appeal) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for stars in range(1, 6):
        builder.button(text="⭐" * stars, callback_data=RateCb(appeal_id=appeal.id, stars=stars))
    if not appeal.reopened:
        builder.button(text=_("❌ Not resolved"), callback_data=ResidentCb(action="reopen", appeal_id=appeal.id))
    builder.adjust(5, 1)
    return builder.as_markup()


def feedback(appeal: Appeal) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("💬 Add a comment"), callback_data=ResidentCb(action="feedback", appeal_id=appeal.id))
    return builder.as_markup()


def resident_list(appeals: list[Appeal], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for appeal in appeals:
        builder.button(
            text=f"№{appeal.number} · {labels.status(appeal.status)}",
            callback_data=ResidentCb(action="open", appeal_id=appeal.id),
        )
    builder.adjust(1)
    _attach_pager(builder, page, pages, lambda number: ListCb(listing="my", page=number))
    return builder.as_markup()


def queue(
    appeals: list[Appeal], page: int, pages: int, buildings: list[tuple[int, str]], building_id: int, status: str
) -> InlineKeyboardMarkup:
    """The page's appeals (each opens its card), the pager, then the building and status filters."""
    builder = InlineKeyboardBuilder()
    for appeal in appeals:
        builder.button(
            text=("🚨 " if appeal.urgent else "")
            + f"№{appeal.number} · {appeal.building.code} · {labels.status(appeal.status)}",
            callback_data=StaffCb(action="open", appeal_id=appeal.id),
        )
    builder.adjust(1)
    _attach_pager(
        builder, page, pages, lambda number: ListCb(listing="q", page=number, building_id=building_id, status=status)
    )
    filters = InlineKeyboardBuilder()
    filters.button(
        text=("• " if building_id == 0 else "") + _("All buildings"),
        callback_data=ListCb(listing="q", page=0, status=status),
    )
    for identifier, code in buildings[:FILTER_BUILDINGS]:
        filters.button(
            text=("• " if identifier == building_id else "") + code,
            callback_data=ListCb(listing="q", page=0, building_id=identifier, status=status),
        )
    filters.adjust(4)
    builder.attach(filters)
    statuses = InlineKeyboardBuilder()
    for code in ("", "new", "in_progress", "answered"):
        name = labels.status(code) if code else _("all open")
        statuses.button(
            text=("• " if code == status else "") + name,
            callback_data=ListCb(listing="q", page=0, building_id=building_id, status=code),
        )
    statuses.adjust(4)
    builder.attach(statuses)
    return builder.as_markup()


def _attach_pager(builder: InlineKeyboardBuilder, page: int, pages: int, target: Callable[[int], ListCb]) -> None:
    row = pager(page, pages, target)
    if row is not None:
        builder.attach(row)
