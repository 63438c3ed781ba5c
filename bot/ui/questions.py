"""Renderers of questions asked in building chats: the message passed to the inspector, the answer's signature.

Callback data carries the question's id only; rights are checked on the server. Every user string is escaped.
"""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services import parts
from bot.services.questions import ANSWER_KIND
from bot.services.render import Reader, Render
from bot.ui.callbacks import AppealAction, QuestionAction, QuestionCb, StaffCb
from bot.ui.keyboards import Keyboard, stored
from models import Appeal, Broadcast, GroupQuestion, Inspector

# The reaction that tells the asker, and only them, that the question went to the inspector.
PASSED_ON = "👀"


def relay(question: GroupQuestion, under: Broadcast, building_code: str) -> str:
    """❓ Dana (building A-12) asks under your notice «Water is off»: + the question."""
    values = {"name": escape(question.asker_name), "code": escape(building_code), "title": escape(under.title)}
    if under.kind == ANSWER_KIND:
        head = _("❓ {name} (building {code}) replies to your answer «{title}»:").format(**values)
    elif under.kind.startswith("meeting"):
        head = _("❓ {name} (building {code}) asks under your meeting announcement «{title}»:").format(**values)
    else:
        head = _("❓ {name} (building {code}) asks under your notice «{title}»:").format(**values)
    return (
        head
        + "\n\n"
        + escape(question.text)
        + "\n\n"
        + _("<i>Reply to this message to answer in the chat, under the resident's message.</i>")
    )


def relayed(i18n: I18n, under: Broadcast, building_code: str) -> Render[GroupQuestion]:
    """The question as each staff reader gets it, in their language, with its Make-it-an-appeal button."""

    def render(question: GroupQuestion, reader: Reader, /) -> list[parts.Part]:
        with i18n.use_locale(reader.locale):
            return parts.message(relay(question, under, building_code), buttons=stored(relay_buttons(question)))

    return render


def relay_buttons(question: GroupQuestion) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("📨 Make it an appeal"), callback_data=QuestionCb(action=QuestionAction.APPEAL, question_id=question.id)
    )
    return builder.as_markup()


def made_appeal(appeal: Appeal) -> InlineKeyboardMarkup:
    """The relayed question's button once it is an appeal: it opens the appeal's card."""
    builder = Keyboard()
    builder.button(
        text=_("📨 Appeal №{number}").format(number=appeal.number),
        callback_data=StaffCb(action=AppealAction.OPEN, appeal_id=appeal.id),
    )
    return builder.as_markup()


def signature(inspector: Inspector | None, name: str) -> str:
    """Who answers in the chat: the inspector by full name, or an administrator by name."""
    if inspector is not None:
        return _("👮 <b>{name}</b>, district inspector:").format(name=escape(inspector.full_name))
    return _("👮 <b>{name}</b>, administrator:").format(name=escape(name))


def signed(head: str, text: str | None) -> str:
    return head + "\n" + escape(text) if text else head


def answer_title(text: str | None, kind: str) -> str:
    """What the answer's delivery report (and a reply under it) calls it: its words, or the kind of file."""
    if text and text.strip():
        return text.strip()
    if kind == "photo":
        return _("Photo")
    if kind == "video":
        return _("Video")
    return _("Document")
