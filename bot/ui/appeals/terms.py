"""What people read about an appeal's statutory terms: the receipt, the countdown, the kind to choose, extensions and
redirects outside the police. Dates in the building's zone, counted by its country's law (bot.services.law)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services import appeal_terms, law, parts
from bot.services.appeal_terms import ExtensionNotices, StudyNoticeRefused, StudyRefusal, TermChange
from bot.services.law import Term
from bot.services.render import Reader, Render
from bot.ui import labels
from bot.ui.callbacks import BodyCb, ExtensionCb, KindCb
from bot.ui.formatting import day, local_date, local_datetime
from bot.ui.keyboards import Keyboard, stored
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


def extension_notices(i18n: I18n, staff_language: str) -> ExtensionNotices:
    """The messages an extension sends, each rendered in its reader's language."""

    def resident(subject: TermChange, reader: Reader, /) -> list[parts.Part]:
        with i18n.use_locale(reader.locale):
            return parts.message(extension_to_resident(subject.appeal, subject.extension))

    def decided(subject: TermChange, reader: Reader, /) -> list[parts.Part]:
        with i18n.use_locale(reader.locale):
            return parts.message(extension_decided(subject.appeal, subject.extension))

    def approval(subject: TermChange, reader: Reader, /) -> list[parts.Part]:
        appeal, extension = subject.appeal, subject.extension
        name = appeal.inspector.full_name if appeal.inspector is not None else ""
        with i18n.use_locale(reader.locale):
            return parts.message(
                extension_request(appeal, extension, name), buttons=stored(extension_buttons(extension))
            )

    return ExtensionNotices(resident=resident, decided=decided, approval=approval, staff_language=staff_language)


def redirect_notice(i18n: I18n) -> Render[Appeal]:
    """What the resident reads when their appeal is sent on to another body, in their language."""

    def render(appeal: Appeal, reader: Reader, /) -> list[parts.Part]:
        with i18n.use_locale(reader.locale):
            return parts.message(redirected_out_to_resident(appeal))

    return render


# --- a proposal that needs further study -------------------------------------------------------------


def study_to_resident(appeal: Appeal) -> str:
    """The written notice to the author (UZ7): the answer still comes by the law's date."""
    zone = appeal.building.timezone
    return _(
        "🔬 Your proposal №{number} needs further study. You will get the answer by <b>{date}</b>, the term set by "
        "law ({law})."
    ).format(
        number=appeal.number, date=local_date(appeal.due_at, zone), law=escape(law.rules(appeal.building.country).law)
    )


def study_line(appeal: Appeal, now: datetime) -> str | None:
    """The staff card's line: when the author was told, or by when they must be if it needs further study."""
    zone = appeal.building.timezone
    if appeal.study_noticed_at is not None:
        return _("🔬 Needs further study: the author was told on {date}").format(
            date=local_date(appeal.study_noticed_at, zone)
        )
    due = appeal_terms.study_due(appeal)
    if due is None or not appeal_terms.may_notice_study(appeal, now):
        return None
    return _("🔬 If it needs further study, tell the author by {date}").format(date=local_date(due, zone))


def study_resident_line(appeal: Appeal) -> str | None:
    """The line of the resident's /my view once they were told."""
    if appeal.study_noticed_at is None:
        return None
    return _("🔬 Needs further study (you were told on {date})").format(
        date=local_date(appeal.study_noticed_at, appeal.building.timezone)
    )


def study_refused(refused: StudyNoticeRefused) -> str:
    """Why "Needs further study" did nothing."""
    if refused.reason == StudyRefusal.NOT_BY_LAW:
        return _(
            "By law only the author of a proposal in a building in Uzbekistan is told that it needs further study; "
            "nothing was done."
        )
    at = local_date(refused.at, refused.zone) if refused.at is not None else ""
    if refused.reason == StudyRefusal.ALREADY:
        return _("The author was already told on {date} that it needs further study; nothing was done.").format(date=at)
    return _("The time to tell the author that it needs further study ended on {date}; nothing was done.").format(
        date=at
    )
