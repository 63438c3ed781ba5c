"""Sentences more than one handler says."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.services.people import Actor


def emergency() -> str:
    return _("⚠️ This bot is not an emergency line. In an emergency call <b>102</b> (police) or <b>112</b>.")


def operator(name: str | None) -> str:
    """Who processes residents' personal data: OPERATOR_NAME as written, or the district police department."""
    return escape(name) if name else _("the district police department")


def help_text(actor: Actor) -> str:
    parts = [_("<b>What I can do</b>")]
    if actor.is_resident:
        parts.append(
            _(
                "/appeal — write to your district inspector\n"
                "/my — your appeals and the answers\n"
                "/propose — suggest something for your building\n"
                "/meetings — upcoming meetings with your inspector\n"
                "/report — your inspector's latest quarterly report"
            )
        )
    parts.append(
        _(
            "/inspector — your district inspector's contacts\n"
            "/lang — change the language\n"
            "/privacy — what the bot keeps about you\n"
            "/forget_me — delete your data\n"
            "/cancel — stop the current step"
        )
    )
    if not actor.is_resident and not actor.is_staff:
        parts.append(
            _("To register, open the link posted in your building's chat, or send /start and your building code.")
        )
    if actor.is_staff:
        parts.append(
            _(
                "<b>Inspector</b>\n"
                "/queue — open appeals by deadline; reply to a card to answer\n"
                "/notice — a notice to your buildings' chats\n"
                "/meeting — announce a meeting with residents\n"
                "/meetings — upcoming meetings: answers, changes, results\n"
                "/proposals — residents' proposals: into the work plan, done or declined\n"
                "/report — prepare the quarterly report to the residents\n"
                "/reports — your reports: drafts and published ones\n"
                "/export — the register of appeals as a CSV file\n"
                "/buildings — your buildings and their registration links\n"
                "/hours — your working hours: your reminders come within them\n"
                "/chat_week — turn the weekly post in your buildings' chats off or on\n"
                "In a building's group: /bind <code>code</code> to connect it, /unbind to disconnect, /lang for its language."
            )
        )
    if actor.is_staff:
        parts.append(
            _(
                "/record_appeal — an appeal received in person, by phone or at a meeting: number, deadline, receipt\n"
                "/templates — short ready answers to pick when you reply to an appeal"
            )
        )
    if actor.is_admin:
        parts.append(
            _(
                "<b>Administrator</b>\n"
                "/add_inspector — add an inspector\n"
                "/inspectors — list the inspectors\n"
                "/add_building <code>code address</code> — add a building\n"
                "/assign <code>code</code> — assign a building to an inspector\n"
                "/buildings — all buildings"
            )
            + "\n"
            + _("/country <code>code KZ|UZ</code> — a building's country: its law, calendar and emergency numbers")
            + _("/remove_inspector — remove an inspector: their buildings and open appeals go to another")
        )
    parts.append(emergency())
    return "\n\n".join(parts)


def not_registered() -> str:
    return _(
        "You are not registered yet. Open the link from your building's chat, or send /start and your building code."
    )


def cannot_pass_on() -> str:
    return _("This kind of message cannot be passed on. Send text, a photo, a document, a voice message or a location.")


def button_gone() -> str:
    """A pressed button whose dialog is over, or whose appeal is not the person's (forged data lands here too)."""
    return _("This button is no longer available.")
