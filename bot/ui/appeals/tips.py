"""Anonymous reports as tips: the country's rule said plainly before sending, the choice of urgency, the receipt."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.ui.callbacks import IntakeCb, IntakeStep
from bot.ui.keyboards import Keyboard


def rule(country: str) -> str:
    """What the law does with an anonymous appeal (law facts KZ9, UZ9), and what the bot does with it instead."""
    if country == "UZ":
        law = _(
            "Under Uzbekistan's law on appeals of citizens, anonymous appeals are not considered: "
            "an anonymous report is not an official appeal, it has no deadline for an answer by law."
        )
    else:
        law = _(
            "Under Kazakhstan's Administrative Procedure Code, anonymous appeals are not considered, "
            "except reports of a crime being prepared or committed or of a threat to public safety, "
            "which are passed at once to the competent bodies."
        )
    return "\n\n".join(
        [
            _("<b>An anonymous report is a tip, not an official appeal</b>"),
            law,
            _(
                "The inspector will still read your tip and may answer through the bot, but there is no "
                "statutory deadline and no official answer. For an official answer within the term set by law, "
                "send it with your name."
            ),
            _("Does it report a crime, or a threat to someone's safety? Then it is marked urgent."),
        ]
    )


def choice() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("🚨 Yes, a crime or a threat — urgent"), callback_data=IntakeCb(step=IntakeStep.CRIME))
    builder.button(text=_("🕶 Send as an anonymous tip"), callback_data=IntakeCb(step=IntakeStep.TIP))
    builder.button(text=_("Send with my name instead"), callback_data=IntakeCb(step=IntakeStep.NAMED))
    builder.adjust(1)
    return builder.as_markup()


def summary_note(*, anonymous: bool, urgent: bool) -> str:
    lines = []
    if urgent:
        lines.append(_("🚨 Marked urgent"))
    if anonymous:
        lines.append(_("An anonymous tip: no statutory deadline, no official answer"))
    return "\n".join(lines)


def registered(number: int, *, urgent: bool) -> str:
    text = _(
        "✅ Your anonymous tip is passed to the inspector as <b>№{number}</b>. It is not an official appeal, so there "
        "is no statutory deadline; the inspector may answer you here. /my shows it."
    ).format(number=number)
    if urgent:
        text += "\n\n" + _("🚨 It is marked urgent. If anyone is in danger right now, call <b>102</b> or <b>112</b>.")
    return text
