"""What the outbox sends, as plain data: the parts of one message, cut to Telegram's limits.

A part is a JSON object stored in `Delivery.parts`:

- ``{"kind": "text", "text": html}``
- ``{"kind": "photo" | "document" | "video", "file_id": id, "caption": html | None}``
- ``{"kind": "upload", "filename": name, "data": base64, "caption": html | None}`` (a document made by the bot;
  with ``"as": "photo"`` it is sent as a photo: a chart the bot drew). The outbox keeps the bytes once, in
  outbox_files, and stores the part with ``"file": sha256`` instead of ``"data"``.
- ``{"kind": "edit", "target": delivery_id, "target_part": n, "text": html}`` (edit a message the outbox sent)
- ``{"kind": "unpin", "target": delivery_id, "target_part": n}``
- ``{"kind": "copy", "from_chat_id": id, "message_id": id}`` (a person's message, copied without its sender); with
  ``"reply_to_part": n`` it answers part n of the same message, and ``"unavailable": html`` is the line the first
  part (a card, ``"card": true``) gains if the original can no longer be copied

Any part may carry ``buttons`` (rows of ``{"text", "callback_data" | "url"}``), ``pin`` (pin it where the bot
may), ``link`` (replies to it in a group are questions to the author), ``question`` (a question's id: the
addressee's reply to it answers the question) and ``reply_to`` (a message id in the same chat). Texts are Telegram HTML, every user-supplied value escaped by the renderer.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MEDIA_KINDS = ("photo", "document", "video")

Part = dict[str, Any]
Buttons = list[list[dict[str, str]]]

_ATOM = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]|[<&]", re.S)
_TAG = re.compile(r"<\s*(/)?\s*([a-zA-Z0-9-]+)")
# Where a text may be cut, best first: between paragraphs, between lines, between words.
_BREAKS = ("\n\n", "\n", " ")


@dataclass(frozen=True)
class Media:
    """A file Telegram already has (by file_id), or one the bot uploads from bytes (a calendar file, a chart)."""

    kind: str
    file_id: str | None = None
    filename: str | None = None
    data: bytes | None = None

    def part(self, caption: str | None) -> Part:
        if self.data is not None:
            upload: Part = {
                "kind": "upload",
                "filename": self.filename or "file",
                "data": base64.b64encode(self.data).decode(),
                "caption": caption,
            }
            if self.kind == "photo":
                upload["as"] = "photo"
            return upload
        return {"kind": self.kind, "file_id": self.file_id, "caption": caption}


def message(
    text: str,
    *,
    media: Media | None = None,
    buttons: Buttons | None = None,
    pin: bool = False,
    link: bool = False,
) -> list[Part]:
    """One message as parts: media with the text as its caption, or the text cut at paragraphs.

    A text too long for a caption goes as text messages after the media. Buttons go on the last part, the pin on
    the first; `link` marks every part, since a reply to any of them is a reply to the message.
    """
    parts: list[Part]
    if media is None:
        parts = [{"kind": "text", "text": chunk} for chunk in split(text, TEXT_LIMIT)]
    elif visible_length(text) <= CAPTION_LIMIT:
        parts = [media.part(text or None)]
    else:
        parts = [media.part(None), *({"kind": "text", "text": chunk} for chunk in split(text, TEXT_LIMIT))]
    if buttons:
        parts[-1]["buttons"] = buttons
    if pin:
        parts[0]["pin"] = True
    if link:
        for part in parts:
            part["link"] = True
    return parts


def edit(target: int, text: str, *, buttons: Buttons | None = None, target_part: int = 0) -> Part:
    part: Part = {"kind": "edit", "target": target, "target_part": target_part, "text": text}
    if buttons is not None:
        part["buttons"] = buttons
    return part


def edit_to(target: int, message: list[Part]) -> Part:
    """The edit that makes the message the outbox sent as `target` read as `message` now: its first part's text and
    buttons (the texts edited in place fit one part; a file sent along is not edited)."""
    first = message[0]
    return edit(target, first["text"], buttons=first.get("buttons"))


def unpin(target: int, *, target_part: int = 0) -> Part:
    return {"kind": "unpin", "target": target, "target_part": target_part}


def visible_length(text: str) -> int:
    """Length as Telegram counts it: after HTML parsing, in UTF-16 code units, surrounding spaces trimmed."""
    return _utf16(html.unescape(re.sub(r"<[^>]*>", "", text)).strip())


def split(text: str, limit: int) -> list[str]:
    """Cut HTML into pieces of at most `limit` visible characters, at the best break available.

    Tags open at a cut are closed at the end of the piece and opened again at the start of the next, so every
    piece is valid HTML on its own.
    """
    if visible_length(text) <= limit:  # most texts fit: no need to weigh them a character at a time
        return _balanced([text.strip() or text])
    atoms = _ATOM.findall(text)
    pieces: list[str] = []
    start = 0
    while start < len(atoms):
        end, length = start, 0
        while end < len(atoms) and length + _visible(atoms[end]) <= limit:
            length += _visible(atoms[end])
            end += 1
        if end < len(atoms):
            end = _best_break(atoms, start, end)
        pieces.append("".join(atoms[start:end]))
        start = end
    return _balanced([piece for piece in (p.strip() for p in pieces) if piece] or [text])


def _best_break(atoms: list[str], start: int, end: int) -> int:
    """The index to cut before: after the last paragraph break in atoms[start:end], else a line, else a space."""
    window = "".join(atoms[start:end])
    for separator in _BREAKS:
        at = window.rfind(separator)
        if at > 0:
            # Map the character offset back to an atom index.
            offset = 0
            for index in range(start, end):
                offset += len(atoms[index])
                if offset >= at + len(separator):
                    return index + 1
    return end if end > start else start + 1


def _balanced(pieces: list[str]) -> list[str]:
    result: list[str] = []
    carried: list[tuple[str, str]] = []  # (name, opening tag) open at the end of the previous piece
    for piece in pieces:
        opened = list(carried)
        for tag in re.findall(r"<[^>]*>", piece):
            match = _TAG.match(tag)
            if match is None:
                continue
            closing, name = match.group(1), match.group(2).lower()
            if closing:
                for index in range(len(opened) - 1, -1, -1):
                    if opened[index][0] == name:
                        del opened[index]
                        break
            else:
                opened.append((name, tag))
        prefix = "".join(tag for _name, tag in carried)
        suffix = "".join(f"</{name}>" for name, _tag in reversed(opened))
        result.append(prefix + piece + suffix)
        carried = opened
    return result


def _visible(atom: str) -> int:
    if atom.startswith("<") and len(atom) > 1:
        return 0
    return _utf16(html.unescape(atom))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
