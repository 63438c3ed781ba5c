"""Check one Bot API request against schema.json and against the limits Telegram enforces.

Schema problems (unknown method or field, wrong type, missing required field) raise
SchemaViolation: Telegram would answer 400 too (or silently ignore an unknown field), but
either way it is a bug in the bot. Limits (text length, callback_data size, HTML) raise a
plain ApiError with the description Telegram uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import SchemaViolation, bad_request
from .html import HtmlError, parse_html, strip_text, utf16_length

SCHEMA_PATH = Path(__file__).with_name("schema.json")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
BUTTONS_LIMIT = 100
BUTTONS_PER_ROW_LIMIT = 8
TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})  # elsewhere "text" means other things
_SCALARS = frozenset({"Integer", "String", "Boolean", "Float", "InputFile"})
_INTEGER = re.compile(r"-?[0-9]+")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_ATTACH = "attach://"
# An inline button must do something: exactly one of these besides its text.
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_BUTTON_URL_SCHEMES = ("http://", "https://", "tg://")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes


class Schema:
    """Methods and types of the Bot API as derived by build_schema.py."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data["version"]
        self.methods: dict[str, Any] = data["methods"]
        self.types: dict[str, Any] = data["types"]
        # Telegram matches method names case-insensitively.
        self._by_lower = {name.lower(): name for name in self.methods}

    def method_name(self, name: str) -> str | None:
        return self._by_lower.get(name.lower())

    def fields(self, method: str) -> dict[str, Any]:
        return self.methods[method]["fields"]

    def type_fields(self, type_name: str) -> dict[str, Any]:
        return self.types[type_name].get("fields", {})


@cache
def load_schema() -> Schema:
    return Schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


# --- decoding ---------------------------------------------------------------------------


def decode_params(schema: Schema, method: str, raw: Mapping[str, str | Upload | Any]) -> dict[str, Any]:
    """Turn form values (always strings) into the JSON values the schema describes."""
    fields = schema.fields(method)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        field = fields.get(name)
        if isinstance(value, str) and field is not None:
            params[name] = _decode_string(method, name, value, field["types"])
        else:
            params[name] = value
    return params


def _decode_string(method: str, name: str, value: str, types: list[str]) -> Any:
    if any(t not in _SCALARS for t in types) and value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            raise SchemaViolation(f"{method}.{name}: can't parse JSON: {value[:80]!r}") from None
    if "Integer" in types and _INTEGER.fullmatch(value):
        return int(value)
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if "Boolean" in types and value.lower() in _BOOLEANS:
        return _BOOLEANS[value.lower()]
    return value


# --- schema -----------------------------------------------------------------------------


def check_schema(schema: Schema, method: str, params: Mapping[str, Any], uploads: Mapping[str, Upload]) -> None:
    """Raise SchemaViolation listing every problem of the request."""
    fields = schema.fields(method)
    attached = _attached_names(params)
    errors: list[str] = []
    for name, value in params.items():
        if name not in fields:
            if not (isinstance(value, Upload) and name in attached):
                errors.append(f"{method}: unknown field {name!r}")
            continue
        errors += _check_value(schema, value, fields[name]["types"], f"{method}.{name}", uploads)
    for name, field in fields.items():
        if field["required"] and name not in params:
            errors.append(f"{method}: missing required field {name!r}")
    if errors:
        raise SchemaViolation("; ".join(errors))


def _attached_names(value: Any) -> set[str]:
    """Names of file parts referenced as attach://name anywhere in the request."""
    if isinstance(value, str):
        return {value.removeprefix(_ATTACH)} if value.startswith(_ATTACH) else set()
    if isinstance(value, Mapping):
        return set().union(*(_attached_names(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_attached_names(item) for item in value))
    return set()


def _check_value(schema: Schema, value: Any, types: list[str], path: str, uploads: Mapping[str, Upload]) -> list[str]:
    arrays = [t.removeprefix("Array of ") for t in types if t.startswith("Array of ")]
    if isinstance(value, list) and arrays:
        # "Array of InputMediaPhoto" or "Array of InputMediaVideo": items may mix.
        errors: list[str] = []
        for index, item in enumerate(value):
            errors += _check_value(schema, item, arrays, f"{path}[{index}]", uploads)
        return errors
    if isinstance(value, Mapping):
        candidates = _object_candidates(schema, value, types)
        if not candidates:
            return [f"{path}: expected {' or '.join(types)}, got {json.dumps(value)[:80]}"]
        attempts = [_check_object(schema, value, name, path, uploads) for name in candidates]
        return min(attempts, key=len)
    if any(_scalar_matches(value, t, uploads) for t in types):
        return []
    if isinstance(value, str) and value.startswith(_ATTACH):
        return [f"{path}: {value!r} names no uploaded file part"]
    return [f"{path}: expected {' or '.join(types)}, got {type(value).__name__} {value!r:.80}"]


def _object_candidates(schema: Schema, value: Mapping[str, Any], types: list[str]) -> list[str]:
    """Concrete object types value may be; abstract types are narrowed by their constant."""
    candidates: list[str] = []
    for name in types:
        type_ = schema.types.get(name)
        if type_ is None:
            continue
        subtypes = [s for s in type_.get("subtypes", []) if s in schema.types]
        if not subtypes:
            candidates.append(name)
            continue
        matching = [
            s for s in subtypes if all(value.get(k) == v for k, v in schema.types[s].get("constant", {}).items())
        ]
        candidates += matching
    return candidates


def _check_object(
    schema: Schema, value: Mapping[str, Any], type_name: str, path: str, uploads: Mapping[str, Upload]
) -> list[str]:
    fields = schema.type_fields(type_name)
    errors = [f"{path}: unknown field {name!r} in {type_name}" for name in value if name not in fields]
    for name, field in fields.items():
        if name in value:
            errors += _check_value(schema, value[name], field["types"], f"{path}.{name}", uploads)
        elif field["required"]:
            errors.append(f"{path}: missing required field {name!r} of {type_name}")
    return errors


def _scalar_matches(value: Any, type_name: str, uploads: Mapping[str, Upload]) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "String":
        if isinstance(value, str) and value.startswith(_ATTACH):
            return value.removeprefix(_ATTACH) in uploads
        return isinstance(value, str)
    if type_name == "InputFile":
        return isinstance(value, Upload)
    return False


# --- limits -----------------------------------------------------------------------------


def formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """The text and entities Telegram stores: markup parsed, surrounding whitespace trimmed."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(text)
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode not in ("", "markdown", "markdownv2"):
        # Markdown is not modelled: its text is counted as sent.
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return strip_text(text, entities or [])


def check_limits(method: str, params: Mapping[str, Any]) -> None:
    """Raise the ApiError Telegram answers for a well-typed but unacceptable request."""
    if method in TEXT_METHODS and isinstance(params.get("text"), str):
        text, _ = formatted(params["text"], params.get("parse_mode"), params.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if utf16_length(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
    if isinstance(params.get("caption"), str):
        _check_caption(params)
    for item in params.get("media") or []:
        if isinstance(item, Mapping) and isinstance(item.get("caption"), str):
            _check_caption(item)
    markup = params.get("reply_markup")
    if isinstance(markup, Mapping) and isinstance(markup.get("inline_keyboard"), list):
        check_inline_keyboard(markup["inline_keyboard"])


def _check_caption(params: Mapping[str, Any]) -> None:
    caption, _ = formatted(params["caption"], params.get("parse_mode"), params.get("caption_entities"))
    if utf16_length(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")


def check_inline_keyboard(rows: list[Any]) -> None:
    if sum(len(row) for row in rows) > BUTTONS_LIMIT or any(len(row) > BUTTONS_PER_ROW_LIMIT for row in rows):
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            actions = _BUTTON_ACTIONS & button.keys()
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not url.startswith(_BUTTON_URL_SCHEMES):
                raise bad_request("BUTTON_URL_INVALID")
