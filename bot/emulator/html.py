"""Telegram's HTML parse mode: the visible text, its entities, and the errors Telegram gives.

Follows tdlib's parser: only the tags Telegram supports, strict nesting, attribute values
quoted or bare. Stricter than Telegram on purpose in one respect: a bare `&` or `>` is an
error (Telegram keeps them literally), because unescaped user input is exactly how a real
`<` later breaks a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# tag -> entity type; span, a, tg-emoji, pre and blockquote need their attributes as well.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {"span", "a", "tg-emoji", "blockquote"}

_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_-]+")
_TEXT_MENTION = re.compile(r"tg://user\?id=(\d+)$")


class HtmlError(Exception):
    """The part of Telegram's description after "can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset in the visible text
    first_entity: int = 0  # entities created inside start at this index


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str, int] | None:
    match = _ENTITY.match(source, index)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (visible text, entities with UTF-16 offsets) or raise HtmlError."""
    text: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            decoded = _decode_entity(source, i)
            if decoded is None:
                raise HtmlError(f'Unescaped "&" at byte offset {_byte_offset(source, i)}: use &amp;')
            char, i = decoded
        elif char == ">":
            raise HtmlError(f'Unescaped ">" at byte offset {_byte_offset(source, i)}: use &gt;')
        elif char == "<":
            if source.startswith("</", i):
                i = _close_tag(source, i, stack, entities, offset)
            else:
                tag, i = _open_tag(source, i, offset)
                tag.first_entity = len(entities)
                stack.append(tag)
            continue
        else:
            i += 1
        text.append(char)
        offset += utf16_length(char)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # only <pre> carries a language
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(text), entities


def _open_tag(source: str, start: int, offset: int) -> tuple[_OpenTag, int]:
    at = _byte_offset(source, start)
    name_match = _NAME.match(source, start + 1)
    assert name_match is not None  # the pattern matches the empty string
    name = name_match.group().lower()
    if name not in SUPPORTED_TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {at}')
    attributes: dict[str, str] = {}
    i = name_match.end()
    while True:
        while i < len(source) and source[i].isspace():
            i += 1
        if i >= len(source):
            raise HtmlError(f"Unclosed start tag at byte offset {at}")
        if source[i] == ">":
            break
        attribute = _ATTRIBUTE_NAME.match(source, i)
        if attribute is None:
            raise HtmlError(f'Empty attribute name in the tag "{name}" at byte offset {at}')
        i = attribute.end()
        value = ""
        if source.startswith("=", i):
            value, i = _attribute_value(source, i + 1, at, name)
        attributes[attribute.group().lower()] = value
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}')
    return _OpenTag(name, attributes, offset), i + 1


def _attribute_value(source: str, i: int, at: int, tag: str) -> tuple[str, int]:
    if i < len(source) and source[i] in "\"'":
        end = source.find(source[i], i + 1)
        if end == -1:
            raise HtmlError(f"Unclosed start tag at byte offset {at}")
        raw, after = source[i + 1 : end], end + 1
    else:
        end = i
        while end < len(source) and not source[end].isspace() and source[end] != ">":
            end += 1
        if end == i:
            raise HtmlError(f'Empty attribute value in the tag "{tag}" at byte offset {at}')
        raw, after = source[i:end], end
    value: list[str] = []
    j = 0
    while j < len(raw):
        decoded = _decode_entity(raw, j) if raw[j] == "&" else None
        if decoded is None:
            value.append(raw[j])
            j += 1
        else:
            value.append(decoded[0])
            j = decoded[1]
    return "".join(value), after


def _close_tag(source: str, start: int, stack: list[_OpenTag], entities: list[dict[str, Any]], offset: int) -> int:
    at = _byte_offset(source, start)
    name_match = _NAME.match(source, start + 2)
    assert name_match is not None  # the pattern matches the empty string
    end = name_match.end()
    while end < len(source) and source[end].isspace():
        end += 1
    if not source.startswith(">", end):
        raise HtmlError(f"Unclosed end tag at byte offset {at}")
    name = name_match.group().lower()
    if not stack:
        raise HtmlError(f"Unexpected end tag at byte offset {at}")
    tag = stack.pop()
    if tag.name != name:
        raise HtmlError(f'Unmatched end tag at byte offset {at}, expected "</{tag.name}>", found "</{name}>"')
    length = offset - tag.offset
    if length > 0:  # Telegram drops entities that cover no text
        entity = _entity(tag, length)
        if tag.name == "pre":
            entity = _merge_inner_code(entity, entities, tag.first_entity)
        if entity is not None:
            entities.append(entity)
    return end + 1


def _entity(tag: _OpenTag, length: int) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": tag.offset, "length": length}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        language = tag.attributes.get("class", "")
        if tag.name == "code" and language.startswith("language-"):
            # kept until the enclosing <pre> closes; a bare <code> returns no language
            entity["language"] = language.removeprefix("language-")
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=tag.attributes["emoji-id"])
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
    else:  # <a>: Telegram silently drops a link without a usable href
        href = tag.attributes.get("href", "").strip()
        if not href:
            return None
        mention = _TEXT_MENTION.match(href)
        if mention:
            entity.update(type="text_mention", user={"id": int(mention.group(1))})
        else:
            entity.update(type="text_link", url=href)
    return entity


def _merge_inner_code(pre: dict[str, Any] | None, entities: list[dict[str, Any]], first: int) -> dict[str, Any] | None:
    """<pre><code class="language-x">…</code></pre> is one pre entity with a language."""
    if pre is None:
        return None
    for index in range(first, len(entities)):
        inner = entities[index]
        if inner["type"] == "code" and inner["offset"] == pre["offset"] and inner["length"] == pre["length"]:
            del entities[index]
            if "language" in inner:
                pre["language"] = inner["language"]
            break
    return pre


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace of a message, moving entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_length(text[: len(text) - len(text.lstrip())])
    size = utf16_length(stripped)
    moved = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved
