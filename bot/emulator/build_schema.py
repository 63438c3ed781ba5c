"""Derive schema.json from the Bot API spec (PaulSonOfLars/telegram-bot-api-spec format).

Run by hand when the Bot API changes:

    python bot/emulator/build_schema.py /path/to/bot-api-spec.json

Only names, types, required flags, subtypes and discriminator values are kept:
the description prose stays in the spec.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("schema.json")

# Subtypes say what they are in prose only ('always "photo"', 'must be photo');
# the value is what tells the subtypes of an abstract type apart in a request.
_DISCRIMINATOR_FIELDS = ("type", "status", "source")
_CONSTANT = re.compile(r'(?:always|must be) [“"]?([a-z_]+)[”"]?')


def _fields(spec_fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {field["name"]: {"types": field["types"], "required": field["required"]} for field in spec_fields}


def _constant(spec_fields: list[dict[str, Any]]) -> dict[str, str]:
    for field in spec_fields:
        if field["name"] in _DISCRIMINATOR_FIELDS and field["types"] == ["String"]:
            match = _CONSTANT.search(field.get("description", ""))
            if match:
                return {field["name"]: match.group(1)}
    return {}


def build(spec: dict[str, Any]) -> dict[str, Any]:
    methods = {
        name: {"fields": _fields(method.get("fields", [])), "returns": method["returns"]}
        for name, method in spec["methods"].items()
    }
    types: dict[str, Any] = {}
    for name, type_ in spec["types"].items():
        entry: dict[str, Any] = {}
        if "fields" in type_:
            entry["fields"] = _fields(type_["fields"])
            if "subtype_of" in type_ and (constant := _constant(type_["fields"])):
                entry["constant"] = constant
        if "subtypes" in type_:
            entry["subtypes"] = type_["subtypes"]
        types[name] = entry
    return {"version": spec["version"], "methods": methods, "types": types}


def dump(schema: dict[str, Any]) -> str:
    """One method or type per line: compact, yet a spec update gives a readable diff."""

    def section(items: dict[str, Any]) -> str:
        lines = [
            f"  {json.dumps(name)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}"
            for name, value in sorted(items.items())
        ]
        return "{\n" + ",\n".join(lines) + "\n}"

    return (
        "{\n"
        f'"methods": {section(schema["methods"])},\n'
        f'"types": {section(schema["types"])},\n'
        f'"version": {json.dumps(schema["version"])}\n'
        "}\n"
    )


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(f"usage: {argv[0]} /path/to/bot-api-spec.json")
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    OUTPUT.write_text(dump(build(spec)), encoding="utf-8")
    print(f"wrote {OUTPUT} ({spec['version']})")


if __name__ == "__main__":
    main(sys.argv)
