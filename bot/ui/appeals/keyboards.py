"""Buttons of appeals. Callback data carries the appeal's id and an action; rights are checked on the server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services import appeal_terms
from bot.ui import keyboards, labels
from bot.ui.callbacks import (
    AppealAction,
    CategoryCb,
    IntakeCb,
    IntakeStep,
    ListCb,
    MyAppealAction,
    RateCb,
    RedirectCb,
    ResidentCb,
    StaffCb,
)
from bot.ui.keyboards import Keyboard, pager
from models import OPEN_STATUSES, Appeal, Inspector

FILTER_BUILDINGS = 11  # with "All buildings", three rows of four


def categories() -> InlineKeyboardMarkup:
    return keyboards.categories(lambda code: CategoryCb(code=code.value))


def intake_next() -> InlineKeyboardMarkup:
    return keyboards.next_step(IntakeCb(step=IntakeStep.NEXT))


def anonymity() -> InlineKeyboardMarkup:
    return keyboards.buttons(
        (_("Send with my name"), IntakeCb(step=IntakeStep.NAMED)),
        (_("🕶 Send anonymously"), IntakeCb(step=IntakeStep.ANON)),
    )


def confirm_intake() -> InlineKeyboardMarkup:
    return keyboards.buttons(
        (_("✅ Send"), IntakeCb(step=IntakeStep.SEND)),
        (_("✏️ Edit the text"), IntakeCb(step=IntakeStep.EDIT)),
        (_("Cancel"), IntakeCb(step=IntakeStep.CANCEL)),
        rows=(1, 2),
    )


def staff_actions(appeal: Appeal, now: datetime) -> InlineKeyboardMarkup | None:
    """The open appeal's buttons; "Needs further study" only while its author may be told so (a UZ proposal)."""
    if appeal.status not in OPEN_STATUSES:
        return None
    builder = Keyboard()
    actions = [
        (AppealAction.TAKE, _("▶️ Take")),
        (AppealAction.REPLY, _("↩️ Reply")),
        (AppealAction.ASK, _("❓ Ask for details")),
        (AppealAction.RESOLVE, _("✅ Resolve")),
        (AppealAction.REJECT, _("⛔ Reject")),
        (AppealAction.REDIRECT, _("➡️ Redirect")),
        (AppealAction.EXTEND, _("⏳ Extend")),
        (AppealAction.OUTSIDE, _("🏛 Not for the police")),
        (AppealAction.STUDY, _("🔬 Needs further study")),
    ]
    for action, text in actions:
        if action == AppealAction.TAKE and appeal.status not in ("new", "redirected"):
            continue
        if action == AppealAction.STUDY and not appeal_terms.may_notice_study(appeal, now):
            continue
        builder.button(text=text, callback_data=StaffCb(action=action, appeal_id=appeal.id))
    builder.adjust(2)
    return builder.as_markup()


def redirect_targets(appeal: Appeal, inspectors: list[Inspector]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for inspector in inspectors:
        if inspector.id != appeal.inspector_id:
            builder.button(
                text=inspector.full_name[:60], callback_data=RedirectCb(appeal_id=appeal.id, inspector_id=inspector.id)
            )
    builder.adjust(1)
    return builder.as_markup()


def rating(appeal: Appeal) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for stars in range(1, 6):
        builder.button(text="⭐" * stars, callback_data=RateCb(appeal_id=appeal.id, stars=stars))
    if not appeal.reopened:
        builder.button(
            text=_("❌ Not resolved"), callback_data=ResidentCb(action=MyAppealAction.REOPEN, appeal_id=appeal.id)
        )
    builder.adjust(5, 1)
    return builder.as_markup()


def feedback(appeal: Appeal) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("💬 Add a comment"), callback_data=ResidentCb(action=MyAppealAction.FEEDBACK, appeal_id=appeal.id)
    )
    return builder.as_markup()


def resident_list(appeals: list[Appeal], page: int, pages: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for appeal in appeals:
        builder.button(
            text=f"№{appeal.number} · {labels.status(appeal.status)}",
            callback_data=ResidentCb(action=MyAppealAction.OPEN, appeal_id=appeal.id),
        )
    builder.adjust(1)
    _attach_pager(builder, page, pages, lambda number: ListCb(listing="my", page=number))
    return builder.as_markup()


def queue(
    appeals: list[Appeal], page: int, pages: int, buildings: list[tuple[int, str]], building_id: int, status: str
) -> InlineKeyboardMarkup:
    """The page's appeals (each opens its card), the pager, then the building and status filters."""
    builder = Keyboard()
    for appeal in appeals:
        builder.button(
            text=("🚨 " if appeal.urgent else "")
            + f"№{appeal.number} · {appeal.building.code} · {labels.status(appeal.status)}",
            callback_data=StaffCb(action=AppealAction.OPEN, appeal_id=appeal.id),
        )
    builder.adjust(1)
    _attach_pager(
        builder, page, pages, lambda number: ListCb(listing="q", page=number, building_id=building_id, status=status)
    )
    filters = Keyboard()
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
    statuses = Keyboard()
    for code in ("", "new", "in_progress", "answered"):
        name = labels.status(code) if code else _("all open")
        statuses.button(
            text=("• " if code == status else "") + name,
            callback_data=ListCb(listing="q", page=0, building_id=building_id, status=code),
        )
    statuses.adjust(4)
    builder.attach(statuses)
    return builder.as_markup()


def _attach_pager(builder: Keyboard, page: int, pages: int, target: Callable[[int], ListCb]) -> None:
    row = pager(page, pages, target)
    if row is not None:
        builder.attach(row)
