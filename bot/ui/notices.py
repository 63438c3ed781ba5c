"""Renderers of notices: the notice as a building chat reads it, and the lines of its author's preview."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services import parts
from bot.services.notices import Reach, title_of
from bot.services.render import Reader, Render
from bot.ui.formatting import first_of
from models import Building, Inspector, Notice

LISTED_CODES = 30  # building codes named in a line; the rest are counted


def notice(body: str, *, inspector: Inspector | None, name: str = "") -> str:
    """The notice: a header naming its author, then the author's text.

    `body` is Telegram HTML made from the author's message (aiogram's `html_text`): their bold and links kept,
    every other character escaped. An administrator who is not an inspector signs with their own name.
    """
    if inspector is not None:
        header = _("📢 <b>Notice from your district inspector</b>\n{name}, {rank}").format(
            name=escape(inspector.full_name), rank=escape(inspector.rank)
        )
    else:
        header = _("📢 <b>Notice from the police</b>")
        if name.strip():
            header += "\n" + escape(name.strip())
    body = body.strip()
    return f"{header}\n\n{body}" if body else header


def in_chats(i18n: I18n, *, inspector: Inspector | None, name: str) -> Render[Notice]:
    """The notice as each chat reads it: the author's text and file, the header in the chat's language; a reply to
    it in the chat is a question to its author."""

    def render(sent: Notice, reader: Reader, /) -> list[parts.Part]:
        media = parts.Media(sent.media_kind, file_id=sent.file_id) if sent.media_kind is not None else None
        with i18n.use_locale(reader.locale):
            return parts.message(notice(sent.text, inspector=inspector, name=name), media=media, link=True)

    return render


def title(plain_text: str, media_kind: str | None) -> str:
    """A short plain name of the notice for its author's delivery report: its first words, or its kind."""
    words = title_of(plain_text)
    if words:
        return words
    if media_kind == "photo":
        return _("Notice with a photo")
    if media_kind == "video":
        return _("Notice with a video")
    if media_kind == "document":
        return _("Notice with a document")
    return _("Notice")


def chosen(buildings: Sequence[Building]) -> str:
    return _("Buildings: {codes}.").format(codes=codes(buildings))


def reach(reach: Reach) -> str:
    """Where the notice will go, and which chosen buildings it will miss."""
    if not reach.chats:
        return _(
            "⚠️ None of the chosen buildings has a chat with me, so there is nowhere to send this notice. "
            "Add me to a building's group and send /bind <code>code</code> there, or choose other buildings."
        )
    reached = reach.reached
    lines = [
        _("Will be sent {chats} {buildings}: {codes}.").format(
            chats=_("to {count} chat", "to {count} chats", len(reach.chats)).format(count=len(reach.chats)),
            buildings=_("in {count} building", "in {count} buildings", len(reached)).format(count=len(reached)),
            codes=codes(reached),
        )
    ]
    if reach.silent:
        lines.append(
            _(
                "⚠️ Will not be sent to {codes}: no chat with me there. Add me to the building's group and send "
                "/bind <code>code</code> there."
            ).format(codes=codes(reach.silent))
        )
    return "\n\n".join(lines)


def codes(buildings: Sequence[Building]) -> str:
    """A-12, B-3 and 4 more."""
    return first_of(
        [escape(building.code) for building in buildings],
        LISTED_CODES,
        lambda hidden: _("and {count} more", "and {count} more", hidden).format(count=hidden),
    )
