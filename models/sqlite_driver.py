"""SQLite through aiosqlite, its statements run on the event loop's own thread.

SQLAlchemy's aiosqlite adapter sends each statement to aiosqlite's thread (four crossings a statement, three more for
a BEGIN). A crossing cost 70–100 µs of CPU on our machine (a thread woken each way, the loop's self-pipe) and, under
a burst, 0.3–0.7 ms of waiting, where SQLite's own work is 5–15 µs a statement. The bot holds one SQLite connection
(one writer at a time is all SQLite takes), so those waits queued every update behind them: the bot answered 250
updates a second where, without the crossings, it answers 400.

So this adapter runs a statement where SQLAlchemy asks for it, its rows fetched at once. It holds the loop for the
statement's own time (the longest are the scheduler's, measured in benchmarks/scheduler.py), and for a write lock
another program holds, up to the busy timeout (the bot's lock file keeps its own other processes out). A
transaction's BEGIN goes with its first statement (a transaction with none costs nothing). aiosqlite keeps the
connection's opening and closing, and streamed results (the long scans), which cross to its thread a batch at a time.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any, TypeVar, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncIODBAPIConnection
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util.concurrency import await_

_T = TypeVar("_T")
Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> Outcome:
    """The pending BEGIN, the statement, and all it returns."""
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


async def _done(result: _T) -> _T:
    return result


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
        return self._at_once(_run, begin, operation, parameters, many)

    def commit(self) -> None:
        if self._begin is not None:  # nothing was run: nothing began
            self._begin = None
            return
        self._at_once(sqlite3.Connection.commit)

    def rollback(self) -> None:
        if self._begin is not None:
            self._begin = None
            return
        self._at_once(sqlite3.Connection.rollback)

    def _at_once(self, call: Callable[..., _T], *args: Any) -> _T:
        """`call(sqlite connection, *args)` on this thread, its errors as SQLAlchemy expects them."""
        try:
            result = call(cast(aiosqlite.Connection, self._connection)._conn, *args)
        except Exception as error:
            self._handle_exception(error)
        # SQLAlchemy's async engine checks that a statement awaited something: this await returns at once.
        return await_(_done(result))


class Dbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> Connection:
        # Opened in aiosqlite's thread, used in the loop's: one at a time (the adapter awaits each streamed batch).
        kwargs["check_same_thread"] = False
        adapted = super().connect(*args, **kwargs)
        return Connection(self, adapted._connection)


def dbapi() -> ModuleType:
    """The module to give create_async_engine(module=…) for a sqlite+aiosqlite URL."""
    return Dbapi(aiosqlite, sqlite3)  # type: ignore[return-value]
