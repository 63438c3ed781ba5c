"""Renderers of an appeal: the card staff work from, the resident's view, the thread. Every user string escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.services import law
from bot.services.outbox import Fate
from bot.ui import labels
from bot.ui.appeals import fates as appeal_fates
from bot.ui.appeals import marks, terms
from bot.ui.cards import building_title
from bot.ui.formatting import local_date, local_datetime
from models import OPEN_STATUSES, Appeal, AppealMessage

THREAD_LIMIT = 3500  # characters of thread shown; older messages are summarised


def number(appeal: Appeal) -> str:
    return f"№{appeal.number}"


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    return appeal.status in OPEN_STATUSES and appeal.due_at < now


def staff_card(appeal: Appeal, now: datetime) -> str:
    """The inspector's card. An anonymous appeal shows neither name nor flat — to anyone."""
    zone = appeal.building.timezone
    lines = [
        *marks.top(appeal),
        _("📨 <b>Appeal {number}</b> · {status}").format(number=number(appeal), status=labels.status(appeal.status)),
        "🏢 " + building_title(appeal.building),
        *marks.origin(appeal),
    ]
    if appeal.anonymous:
        lines.append(_("🕶 Anonymous: the resident's name and flat are hidden"))
    else:
        resident = appeal.resident
        if resident is not None:
            who = escape(" ".join(filter(None, [resident.first_name, resident.last_name])))
        elif appeal.oral is not None:
            who = _("not registered with the bot (an oral appeal)")
        elif appeal.text:
            # Made from a question asked in a building chat by someone who has not registered with the bot.
            who = _("not registered with the bot (asked in the building chat)")
        else:
            who = _("(deleted)")
        if resident is not None and resident.username:
            who += f" (@{escape(resident.username)})"
        lines.append(
            _("👤 {who}").format(who=who) + (_(", flat {flat}").format(flat=escape(appeal.flat)) if appeal.flat else "")
        )
    lines.append(_("Category: {category}").format(category=labels.category(appeal.category)))
    if law.rules(appeal.building.country).asks_kind:
        lines.append(_("Kind: {kind}").format(kind=labels.kind(appeal.kind)))
    lines.append(_("Received: {at}").format(at=local_datetime(appeal.created_at, zone)))
    if appeal.first_response_at is None and appeal.status in OPEN_STATUSES:
        lines.append(_("First response by: {at}").format(at=local_datetime(appeal.first_response_due, zone)))
    if appeal.status in OPEN_STATUSES:
        lines.append(_("Deadline: {countdown}").format(countdown=terms.countdown(appeal, now)))
    else:
        lines.append(_("Deadline: {at}").format(at=local_datetime(appeal.due_at, zone)))
    study = terms.study_line(appeal, now)
    if study is not None:
        lines.append(study)
    if appeal.redirect_body:
        lines.append(_("🏛 Sent to: {body}").format(body=escape(labels.body(appeal.redirect_body))))
    if is_overdue(appeal, now):
        lines.append(_("⚠️ <b>Overdue</b>"))
    attachments = sum(
        message.kind != "text" and message.source_chat_id is not None
        for message in appeal.messages
        if message.author == "resident"
    )
    if attachments > 0:
        lines.append(_("Attachments: {count} (below)").format(count=attachments))
    lines += ["", escape(appeal.text) if appeal.text else _("(deleted at the resident's request)")]
    return "\n".join(lines)


def resident_view(appeal: Appeal, fates: dict[int, Fate] | None = None) -> str:
    zone = appeal.building.timezone
    lines = [
        _("📨 <b>Your appeal {number}</b> · {status}").format(
            number=number(appeal), status=labels.status(appeal.status)
        ),
        _("Category: {category}").format(category=labels.category(appeal.category)),
        _("Sent: {at}").format(at=local_datetime(appeal.created_at, zone)),
    ]
    if law.rules(appeal.building.country).asks_kind:
        lines.append(_("Kind: {kind}").format(kind=labels.kind(appeal.kind)))
    if appeal.status in OPEN_STATUSES and not appeal.anonymous:  # a tip has no statutory deadline
        lines.append(_("Answer due by: {date}").format(date=local_date(appeal.due_at, zone)))
    study = terms.study_resident_line(appeal)
    if study is not None:
        lines.append(study)
    if appeal.redirect_body:
        lines.append(_("🏛 Sent to: {body}").format(body=escape(labels.body(appeal.redirect_body))))
    if appeal.anonymous:
        lines.append(_("Sent anonymously"))
    if appeal.reject_reason:
        lines.append(_("Reason for rejection: {reason}").format(reason=escape(appeal.reject_reason)))
    if appeal.rating:
        lines.append(_("Your rating: {stars}").format(stars="⭐" * appeal.rating))
    return "\n".join(lines) + "\n\n" + thread(appeal, fates)


def attachment_gone(index: int, total: int, message: AppealMessage) -> str:
    """The card's line for an attachment that could no longer be copied (the resident deleted it first)."""
    return _("📎 Attachment {index} of {total} ({kind}) is no longer available.").format(
        index=index, total=total, kind=_kind(message.kind)
    )


def thread(appeal: Appeal, fates: dict[int, Fate] | None = None) -> str:
    """The conversation, newest last, each message passed on marked with its fate; the oldest messages give way
    when it grows too long."""
    fates = fates or {}
    zone = appeal.building.timezone
    entries = []
    for message in appeal.messages:
        entry = _thread_line(message)
        fate = fates.get(message.id)
        if fate is not None:
            entry += " <i>(" + appeal_fates.state(fate, zone, to_resident=message.author == "staff") + ")</i>"
        entries.append(entry)
    shown: list[str] = []
    size = 0
    for entry in reversed(entries):
        if size + len(entry) > THREAD_LIMIT:
            break
        shown.append(entry)
        size += len(entry) + 1
    hidden = len(entries) - len(shown)
    head = [_("… {count} earlier message", "… {count} earlier messages", hidden).format(count=hidden)] if hidden else []
    return "\n".join(head + list(reversed(shown)))


def _thread_line(message: AppealMessage) -> str:
    who = _("You") if message.author == "resident" else _("Inspector")
    if message.author == "resident" and message.source_chat_id is None:
        return f"<b>{who}:</b> " + _("(deleted at the resident's request)")
    body = escape(message.text) if message.text else ""
    if message.kind != "text":
        body = f"[{_kind(message.kind)}] {body}".strip()
    return f"<b>{who}:</b> {body}"


def _kind(kind: str) -> str:
    return {
        "photo": _("photo"),
        "document": _("document"),
        "voice": _("voice message"),
        "audio": _("audio"),
        "video": _("video"),
        "video_note": _("video message"),
        "location": _("location"),
    }.get(kind, kind)


def summary(category: str, text: str, attachments: int, anonymous: bool, kind: str | None = None) -> str:
    """The intake dialog's last step: what is about to be sent."""
    lines = [
        _("<b>Check your appeal</b>"),
        _("Category: {category}").format(category=labels.category(category)),
        *([_("Kind: {kind}").format(kind=labels.kind(kind))] if kind else []),
        _("Attachments: {count}").format(count=attachments),
        _("Anonymous: the inspector will not see your name or flat") if anonymous else _("With your name and flat"),
        "",
        escape(text),
    ]
    return "\n".join(lines)
