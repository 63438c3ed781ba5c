"""The answer to a message that looks like an emergency: the country's numbers, before anything else."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.i18n import N_

SERVICES = {
    "single": N_("single emergency number"),
    "police": N_("police"),
    "fire": N_("fire service"),
    "ambulance": N_("ambulance"),
    "gas": N_("gas emergency"),
}


def answer(numbers: list[tuple[str, str]]) -> str:
    lines = [
        _(
            "🚨 <b>If someone is in danger right now, call at once.</b> "
            "The inspector may not read this message straight away."
        ),
        "",
    ]
    lines += [
        f"☎️ <b>{number}</b> — {_(SERVICES[service]) if service in SERVICES else service}" for service, number in numbers
    ]
    lines += [
        "",
        _("You can go on here: what you were writing is kept, and an appeal you send now is marked urgent."),
    ]
    return "\n".join(lines)
