"""The author's delivery report: "delivered to 46 of 48 chats; 2 failed: <chat> — the bot was removed"."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.services import parts
from bot.services.outbox import Failure, Summary
from models import FailReason

LISTED_FAILURES = 30  # more would bury the report; the rest are counted


def parts_of(summary: Summary) -> list[parts.Part]:
    return parts.message(text(summary))


def text(summary: Summary) -> str:
    title = escape(summary.broadcast.title)
    if not summary.failures:
        return "\n".join(
            [
                _("📬 «{title}»: delivered to every chat ({total}).").format(title=title, total=summary.total),
                *_doubts(summary),
            ]
        )
    lines = [
        _(
            "📬 «{title}»: delivered to {sent} of {total} chat.",
            "📬 «{title}»: delivered to {sent} of {total} chats.",
            summary.total,
        ).format(title=title, sent=summary.sent, total=summary.total),
        _("Not delivered to {count} chat:", "Not delivered to {count} chats:", len(summary.failures)).format(
            count=len(summary.failures)
        ),
    ]
    lines += [f"• {chat_label(failure)} — {reason(failure)}" for failure in summary.failures[:LISTED_FAILURES]]
    hidden = len(summary.failures) - LISTED_FAILURES
    if hidden > 0:
        lines.append(_("…and {count} more.", "…and {count} more.", hidden).format(count=hidden))
    return "\n".join([*lines, *_doubts(summary)])


def _doubts(summary: Summary) -> list[str]:
    if not summary.doubtful:
        return []
    return [
        _(
            "{count} chat may have got it twice: Telegram did not confirm the first try, so it was sent once more.",
            "{count} chats may have got it twice: Telegram did not confirm the first try, so it was sent once more.",
            summary.doubtful,
        ).format(count=summary.doubtful)
    ]


def chat_label(failure: Failure) -> str:
    if failure.building_code is not None:
        return _("{code}, chat «{title}»").format(
            code=escape(failure.building_code), title=escape(failure.chat_title or "")
        )
    return _("chat {id}").format(id=failure.chat_id)


def reason(failure: Failure) -> str:
    if failure.reason == FailReason.REMOVED:
        return _("the bot was removed from the chat")
    if failure.reason == FailReason.BLOCKED:
        return _("the person blocked the bot or has not opened it")
    if failure.reason == FailReason.NOT_FOUND:
        return _("the chat no longer exists")
    if failure.reason == FailReason.REFUSED:
        return _("Telegram refused the message: {error}").format(error=escape(failure.error or ""))
    return _(
        "Telegram was unavailable ({count} attempt)",
        "Telegram was unavailable ({count} attempts)",
        failure.attempts,
    ).format(count=failure.attempts)
