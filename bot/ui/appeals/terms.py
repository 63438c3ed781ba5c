"""What people read about an appeal's statutory terms: the receipt, the countdown, the kind to choose, extensions and
redirects outside the police. Dates in the building's zone, counted by its country's law (bot.services.law)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.services import law
from bot.services.law import Term
from bot.ui import labels
from bot.ui.callbacks import BodyCb, ExtensionCb, KindCb
from bot.ui.formatting import day, local_date, local_datetime
from bot.ui.keyboards import Keyboard
from models import Appeal, AppealExtension

BODY_BUTTON_LIMIT = 60


def term(value: Term) -> str:
    """ "15 working days", "15 days", "1 month"."""
    n = value.amount
    if value.unit == "working_days":
        return _("{count} working day", "{count} working days", n).format(count=n)
    if value.unit == "months":
        return _("{count} month", "{count} months", n).format(count=n)
    return _("{count} day", "{count} days", n).format(count=n)


def days_left(appeal: Appeal, now: datetime) -> str:
    """ "6 working days left" (KZ) / "6 days left" (UZ), "due today", "overdue by 2 working days"."""
    building = appeal.building
    left = law.days_left(building.country, appeal.due_at, now, building.timezone)
    n = abs(left.days)
    if left.days == 0:
        return _("due today")
    if left.days > 0:
        if left.working:
            return _("{count} working day left", "{count} working days left", n).format(count=n)
        return _("{count} day left", "{count} days left", n).format(count=n)
    if left.working:
        return _("overdue by {count} working day", "overdue by {count} working days", n).format(count=n)
    return _("overdue by {count} day", "overdue by {count} days", n).format(count=n)


def countdown(appeal: Appeal, now: datetime) -> str:
    """ "due 12 December 2026 · 6 working days left"."""
    return _("due {date} · {left}").format(
        date=local_date(appeal.due_at, appeal.building.timezone), left=days_left(appeal, now)
    )


def statutory_term(appeal: Appeal) -> str:
    """The appeal's term by law, named: "15 working days (АППК РК …)"."""
    rules = law.rules(appeal.building.country)
    return _("{term} by {law}").format(term=term(rules.kinds[rules.kind(appeal.kind)]), law=escape(rules.law))


def who_answers(appeal: Appeal) -> str:
    inspector = appeal.inspector
    if inspector is None:
        return _("the district police department (an inspector will be assigned)")
    return _("{rank} {name}").format(rank=escape(inspector.rank), name=escape(inspector.full_name))


def receipt(appeal: Appeal) -> str:
    """The resident's receipt: number, date and time, who will answer, the due date by law."""
    building = appeal.building
    zone = building.timezone
    registered = law.registration_day(building.country, appeal.created_at, zone)
    lines = [
        _("✅ Your appeal is registered as <b>№{number}</b>.").format(number=appeal.number),
        _("Received: {at}").format(at=local_datetime(appeal.created_at, zone)),
    ]
    if registered != law.local_day(building.country, appeal.created_at, zone):
        lines.append(
            _("Registered on {date}: it arrived after working hours or on a day off.").format(date=day(registered))
        )
    if law.rules(building.country).asks_kind:
        lines.append(_("Kind: {kind}").format(kind=labels.kind(appeal.kind)))
    lines += [
        _("Who will answer: {who}").format(who=who_answers(appeal)),
        _("Answer due by law: <b>{date}</b> ({term})").format(
            date=local_date(appeal.due_at, zone), term=statutory_term(appeal)
        ),
        "",
        _("You will get the answer here; /my shows your appeals."),
    ]
    return "\n".join(lines)


def kind_question(country: str) -> str:
    """The intake step where the country distinguishes kinds: each with its plain sentence and its term."""
    rules = law.rules(country)
    lines = [_("What kind of appeal is it? The law gives each its own term.")]
    for code, value in rules.kinds.items():
        lines.append(
            _("<b>{kind}</b> ({term}): {hint}").format(
                kind=labels.kind(code), term=term(value), hint=labels.kind_hint(code)
            )
        )
    lines.append(_("Not sure? Choose {kind}.").format(kind=labels.kind(rules.default_kind)))
    return "\n\n".join(lines)


def kinds(country: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in law.rules(country).kinds:
        builder.button(text=labels.kind(code), callback_data=KindCb(code=code))
    builder.adjust(1)
    return builder.as_markup()


# --- extension --------------------------------------------------------------------------------------


def extension_prompt(appeal: Appeal, limit: date, head_decides: bool) -> str:
    lines = [
        _("⏳ <b>Extend the term of appeal №{number}</b>").format(number=appeal.number),
        _("Now due: {date}").format(date=local_date(appeal.due_at, appeal.building.timezone)),
        _("The law allows at most: {date}").format(date=day(limit)),
        "",
        _(
            "Send the reason: what must still be established, and why it takes longer. The resident will read it. "
            "To extend to an earlier date than the limit, start with it, for example: <code>{example}</code>"
        ).format(example=_("{date} waiting for the expert's opinion").format(date=limit.strftime("%d.%m.%Y"))),
    ]
    if head_decides:
        lines.append(_("By law the head decides: an administrator will approve it."))
    return "\n".join(lines)


def extension_request(appeal: Appeal, extension: AppealExtension, inspector_name: str) -> str:
    """To an administrator: approve or decline. No resident's name: the appeal's number, building and reason."""
    zone = appeal.building.timezone
    return "\n".join(
        [
            _("⏳ <b>{name} asks to extend appeal №{number}</b>").format(
                name=escape(inspector_name), number=appeal.number
            ),
            "🏢 " + escape(appeal.building.code),
            _("Now due: {date}").format(date=local_date(extension.previous_due, zone)),
            _("Asked for: {date}").format(date=local_date(extension.new_due, zone)),
            _("Reason: {reason}").format(reason=escape(extension.reason)),
        ]
    )


def extension_buttons(extension: AppealExtension) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ Approve"), callback_data=ExtensionCb(extension_id=extension.id, approve=True))
    builder.button(text=_("✖️ Decline"), callback_data=ExtensionCb(extension_id=extension.id, approve=False))
    builder.adjust(2)
    return builder.as_markup()


def extension_decided(appeal: Appeal, extension: AppealExtension) -> str:
    """To the inspector who asked, and on the administrator's pressed request."""
    zone = appeal.building.timezone
    if extension.status == "approved":
        return _("✅ The extension of appeal №{number} to {date} is approved; the resident is told.").format(
            number=appeal.number, date=local_date(extension.new_due, zone)
        )
    return _("✖️ The extension of appeal №{number} is declined: it stays due on {date}.").format(
        number=appeal.number, date=local_date(extension.previous_due, zone)
    )


def extension_to_resident(appeal: Appeal, extension: AppealExtension) -> str:
    return _("⏳ The term of your appeal №{number} is extended to {date}.\nReason: {reason}").format(
        number=appeal.number,
        date=local_date(extension.new_due, appeal.building.timezone),
        reason=escape(extension.reason),
    )


# --- outside the police's competence ----------------------------------------------------------------


def bodies_prompt(appeal: Appeal) -> str:
    building = appeal.building
    due = law.redirect_due(building.country, appeal.created_at, building.timezone)
    return "\n".join(
        [
            _("🏛 <b>Appeal №{number} is not for the police?</b>").format(number=appeal.number),
            _("By law it goes to the competent body by {date} ({term}), and the resident is told.").format(
                date=local_date(due, building.timezone), term=term(law.rules(building.country).redirect)
            ),
            _("Choose the body or send its name. The appeal will be closed as sent there."),
        ]
    )


def bodies(appeal: Appeal) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in law.rules(appeal.building.country).redirect_bodies:
        builder.button(text=labels.body(code)[:BODY_BUTTON_LIMIT], callback_data=BodyCb(appeal_id=appeal.id, code=code))
    builder.adjust(1)
    return builder.as_markup()


def redirected_out(appeal: Appeal) -> str:
    """To the staff who sent it on."""
    return _("🏛 Appeal №{number} was sent to: {body}. The resident is told.").format(
        number=appeal.number, body=escape(labels.body(appeal.redirect_body or ""))
    )


def redirected_out_to_resident(appeal: Appeal) -> str:
    return _(
        "🏛 Your appeal №{number} is outside the police's competence. It was sent on to: <b>{body}</b>, "
        "which will answer you."
    ).format(number=appeal.number, body=escape(labels.body(appeal.redirect_body or "")))
