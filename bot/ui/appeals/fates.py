"""What became of a message about an appeal, as its author and the thread tell it: delivered, waiting (why, until
when), waiting for its reader to open the bot again, or not delivered and why."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.services.outbox import Fate
from bot.ui.formatting import local_time
from models import DeliveryStatus, FailReason


def state(fate: Fate, timezone: str, *, to_resident: bool) -> str:
    """A thread line's mark."""
    if fate.status == DeliveryStatus.SENT:
        return _("✓ delivered")
    if fate.status == DeliveryStatus.FAILED:
        return _("✗ not delivered: {why}").format(why=failed(fate))
    return "⏳ " + waiting(fate, timezone, to_resident=to_resident)


def told(number: int, fate: Fate, timezone: str, *, to_resident: bool) -> str:
    """To the author of a message that did not go out at once."""
    if fate.status == DeliveryStatus.FAILED:
        return _("❌ Appeal №{number}: your message could not be delivered: {why}.").format(
            number=number, why=failed(fate)
        )
    return _("⏳ Appeal №{number}: your message is not delivered yet — {why}.").format(
        number=number, why=waiting(fate, timezone, to_resident=to_resident)
    )


def card_waiting(number: int) -> str:
    """To the administrators: a card its inspector cannot receive until they open the bot."""
    return _(
        "Appeal №{number} has not reached its inspector: they blocked the bot or have not opened it yet. "
        "It will be delivered when they next open the bot."
    ).format(number=number)


def waiting(fate: Fate, timezone: str, *, to_resident: bool) -> str:
    if fate.status == DeliveryStatus.HELD:
        if to_resident:
            return _("the resident blocked the bot; it will go out when they open the bot again")
        return _("the inspector blocked the bot or has not opened it; it will go out when they open it")
    at = local_time(fate.not_before, timezone)
    if fate.reason == FailReason.FLOOD:
        return _("Telegram asked us to wait; it will go out at {time}").format(time=at)
    return _("Telegram did not answer; it will be sent again at {time}").format(time=at)


def failed(fate: Fate) -> str:
    """Why it could not be delivered."""
    if fate.reason == FailReason.REFUSED:
        return escape(fate.error or "")
    if fate.reason == FailReason.NOT_FOUND:
        return _("the chat no longer exists")
    return _("Telegram was unavailable")
