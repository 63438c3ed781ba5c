"""The layers, as the imports show them (read with ast, so a lazy import inside a function counts too).

bot/services is the domain: no aiogram, nothing of what people read (bot.ui), of how messages leave (bot.delivery),
nor of the handlers. Handlers ask services and hold no SQL (an AsyncSession passed on is all). bot/ui renders data it
is given and never opens a session. Only the app wires the handlers in.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Table

ROOT = Path(__file__).resolve().parents[2]


def _modules(folder: str) -> Iterator[Path]:
    yield from sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(module, names) of every import in the file; `import x.y` gives ("x.y", ())."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            yield node.module, tuple(alias.name for alias in node.names)


def _within(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _offences(folder: str, *forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _modules(folder)
        for module, _names in _imports(path)
        if _within(module, *forbidden)
    ]


def test_services_know_no_telegram_no_rendering_no_delivery_and_no_handlers() -> None:
    assert _offences("bot/services", "aiogram", "bot.ui", "bot.delivery", "handlers") == []


def test_handlers_hold_no_sql_beyond_passing_a_session_on() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {module} {names}"
        for path in _modules("handlers")
        for module, names in _imports(path)
        if _within(module, "sqlalchemy") and not (module == "sqlalchemy.ext.asyncio" and names == ("AsyncSession",))
    ]
    assert offences == []


def test_the_scheduler_kinds_ask_services_and_hold_no_sql() -> None:
    """The kinds decide what to remind whom and when; what they read, they ask the services. Models come in as
    types and values (an enum), never a table to query; no session helper beyond the AsyncSession passed on."""
    offences = [
        f"{path.relative_to(ROOT)} imports {module} {names}"
        for path in _modules("scheduler/kinds")
        for module, names in _imports(path)
        if (_within(module, "sqlalchemy") and not (module == "sqlalchemy.ext.asyncio" and names == ("AsyncSession",)))
        or _within(module, "models.db", "models.queries")
        or (_within(module, "models") and any(_is_table(module, name) for name in names))
    ]
    assert offences == []


def _is_table(module: str, name: str) -> bool:
    return isinstance(getattr(importlib.import_module(module), name, None), Table)


def test_what_people_read_is_rendered_without_a_database_session() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {module} {names}"
        for path in _modules("bot/ui")
        for module, names in _imports(path)
        if _within(module, "sqlalchemy.ext", "sqlalchemy.orm", "bot.middlewares.db", "models.db")
        or (_within(module, "sqlalchemy") and {"select", "update", "delete", "insert", "text"} & set(names))
    ]
    assert offences == []


def test_only_the_app_wires_the_handlers_in() -> None:
    offences = [
        offence
        for folder in ("bot", "scheduler", "models")
        for offence in _offences(folder, "handlers")
        if not offence.startswith("bot/app.py ")
    ]
    assert offences == []


def test_the_rules_see_real_imports() -> None:
    """The reader finds what is there: the app imports the handlers, a handler imports aiogram."""
    assert any(module == "handlers" for module, _ in _imports(ROOT / "bot" / "app.py"))
    assert any(_within(module, "aiogram") for module, _ in _imports(ROOT / "handlers" / "dialogs.py"))
