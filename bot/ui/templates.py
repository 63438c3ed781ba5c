"""Answer templates: the /templates list, its buttons, and the picker under the Reply prompt."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.ui.callbacks import TemplateAction, TemplateCb
from bot.ui.keyboards import Keyboard
from models import AnswerTemplate

LABEL_LIMIT = 40  # characters of a template on its button


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LABEL_LIMIT else flat[: LABEL_LIMIT - 1] + "…"


def listing(templates: list[AnswerTemplate], *, admin: bool) -> str:
    if not templates:
        return _(
            "<b>Answer templates</b>\n\nNo templates yet. Add short answers you give often; when you reply to an "
            "appeal, the templates in the resident's language are offered under the prompt."
        )
    lines = [_("<b>Answer templates</b>")]
    for n, template in enumerate(templates, 1):
        owner = _("shared") if template.inspector_id is None else _("yours")
        lines.append(f"\n<b>{n}.</b> [{LANGUAGE_NAMES.get(template.language, template.language)} · {owner}]")
        lines.append(escape(template.text))
    lines.append(
        "\n"
        + (
            _("Templates you add are shared with every inspector.")
            if admin
            else _("Shared templates come from the administrators; you can delete only your own.")
        )
    )
    return "\n".join(lines)


def listing_markup(templates: list[AnswerTemplate], *, admin: bool) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("➕ Add a template"), callback_data=TemplateCb(action=TemplateAction.ADD))
    deletable = [(n, t) for n, t in enumerate(templates, 1) if t.inspector_id is not None or admin]
    for n, template in deletable:
        builder.button(
            text=_("🗑 {number}").format(number=n),
            callback_data=TemplateCb(action=TemplateAction.DELETE, template_id=template.id),
        )
    builder.adjust(1, *([4] * ((len(deletable) + 3) // 4)))
    return builder.as_markup()


def languages() -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in LANGUAGES:
        builder.button(
            text=LANGUAGE_NAMES[code], callback_data=TemplateCb(action=TemplateAction.LANGUAGE, language=code)
        )
    builder.adjust(2)
    return builder.as_markup()


def ask_language() -> str:
    return _("Which language is the template in? It is offered when you answer residents who read that language.")


def ask_text(limit: int) -> str:
    return (
        _("Send the text of the template (up to {limit} characters).").format(limit=limit)
        + "\n"
        + _("(/cancel to stop)")
    )


def picker(appeal_id: int, templates: list[AnswerTemplate]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for template in templates:
        builder.button(
            text=_short(template.text),
            callback_data=TemplateCb(action=TemplateAction.USE, template_id=template.id, appeal_id=appeal_id),
        )
    builder.adjust(1)
    return builder.as_markup()


def picker_prompt() -> str:
    return _("Or pick a ready answer — it is sent to the resident at once:")
