"""SQLite through aiosqlite in one trip to the driver's thread a statement.

SQLAlchemy's aiosqlite adapter crosses to the driver's thread four times a statement (cursor, execute, fetch,
close) and three times for a BEGIN; each crossing wakes the event loop through its self-pipe, which cost more CPU than
the statements themselves. This adapter runs a statement whole in one crossing, fetching its rows there, and sends a
transaction's BEGIN together with its first statement (a transaction with none costs nothing).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncIODBAPIConnection
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> Outcome:
    """In the driver's thread: the pending BEGIN, the statement, and all it returns."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters if parameters is not None else ())
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class Cursor:
    """The DBAPI cursor SQLAlchemy drives; its rows are fetched with the statement."""

    server_side = False
    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: deque[Any] = deque()

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._keep(self._connection.run(operation, parameters, many=False))

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._keep(self._connection.run(operation, seq_of_parameters, many=True))

    def _keep(self, outcome: Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def setinputsizes(self, *sizes: Any) -> None:
        """Nothing to set: SQLite types each value itself."""

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """SQLAlchemy's async results close a driver cursor here; this one holds none."""


class Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_begin",)

    def __init__(self, dbapi: Any, connection: AsyncIODBAPIConnection) -> None:
        super().__init__(dbapi, connection)
        self._begin: str | None = None

    def begin_with_next(self, statement: str) -> None:
        """Send `statement` (a BEGIN) with the next statement, if any comes before the commit or rollback."""
        self._begin = statement

    def cursor(self, server_side: bool = False) -> Any:
        if not server_side:
            return Cursor(self)
        # A streamed result goes through aiosqlite's own cursor: the transaction's BEGIN goes first, on its own.
        if self._begin is not None:
            begin, self._begin = self._begin, None
            self.run(begin, None, many=False)
        return super().cursor(server_side)

    def run(self, operation: str, parameters: Any, *, many: bool) -> Outcome:
        begin, self._begin = self._begin, None
        driver = cast(aiosqlite.Connection, self._connection)
        try:
            return await_(driver._execute(_run, driver._conn, begin, operation, parameters, many))
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        if self._begin is not None:  # nothing was run: nothing began
            self._begin = None
            return
        super().commit()

    def rollback(self) -> None:
        if self._begin is not None:
            self._begin = None
            return
        super().rollback()


class Dbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> Connection:
        adapted = super().connect(*args, **kwargs)
        return Connection(self, adapted._connection)


def dbapi() -> ModuleType:
    """The module to give create_async_engine(module=…) for a sqlite+aiosqlite URL."""
    return Dbapi(aiosqlite, sqlite3)  # type: ignore[return-value]
