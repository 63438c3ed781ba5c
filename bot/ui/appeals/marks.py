"""What an appeal's card says before and beside the usual lines: urgency at the top, a tip or an oral appeal."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from models import Appeal

CHANNELS = {
    "in_person": N_("in person"),
    "phone": N_("by phone"),
    "meeting": N_("at a meeting"),
}


def channel(code: str) -> str:
    return _(CHANNELS[code]) if code in CHANNELS else code


def top(appeal: Appeal) -> list[str]:
    """The card's first lines: an urgent appeal says so before anything else."""
    return [_("🚨 <b>URGENT</b>: a crime, a threat or an emergency")] if appeal.urgent else []


def origin(appeal: Appeal) -> list[str]:
    """Lines under the card's header: where the appeal came from, when not from the resident's own chat."""
    lines = []
    if appeal.anonymous:
        lines.append(
            _("🕶 An anonymous tip, not an official appeal: the deadline below is the bot's reminder, not the law's")
        )
    oral = appeal.oral
    if oral is not None:
        lines.append(_("🗣 Oral appeal, received {channel}").format(channel=channel(oral.channel)))
        applicant = escape(oral.applicant_name)
        if oral.contact:
            applicant += f", {escape(oral.contact)}"
        lines.append(_("Applicant: {applicant}").format(applicant=applicant))
    return lines
