"""A calendar quarter as one value: `Quarter(2026, 4)`, ordered by time, named by its key "2026Q4".

The key is how a quarter is stored (`Report.quarter`, a reminder's period) and carried in callback data;
`Quarter.parse` is its inverse. A quarter's dates are local calendar dates: `span(zone)` turns them into the UTC
moments it starts and ends at in a building's zone, and "now" falls in a quarter by the local date in a zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.services.reminders import at_local, local_date

__all__ = ["Quarter"]


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"no quarter {self.number} in a year")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls, now: datetime, zone: str) -> Quarter:
        """The quarter `now` falls in, by the local date in the zone."""
        return cls.of(local_date(now, zone))

    @classmethod
    def last_finished(cls, now: datetime, zone: str) -> Quarter:
        """The quarter before the one `now` falls in, by the local date in the zone."""
        return cls.current(now, zone).previous()

    @classmethod
    def recent(cls, now: datetime, zone: str, count: int = 4) -> list[Quarter]:
        """The last `count` finished quarters, the latest first."""
        found = [cls.last_finished(now, zone)]
        while len(found) < count:
            found.append(found[-1].previous())
        return found

    @classmethod
    def parse(cls, key: str) -> Quarter:
        """ "2026Q4" → Quarter(2026, 4); ValueError for anything else."""
        year, separator, number = key.strip().upper().partition("Q")
        if not separator or not year.isdigit() or number not in ("1", "2", "3", "4") or len(year) != 4:
            raise ValueError(f"not a quarter: {key!r}")
        return cls(int(year), int(number))

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.number}"

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def months(self) -> range:
        """Its three months' numbers."""
        return range(3 * self.number - 2, 3 * self.number + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def span(self, zone: str) -> tuple[datetime, datetime]:
        """The quarter in the zone's local calendar as UTC moments [start, end): midnight of its first day to
        midnight after its last."""
        return at_local(self.first_day, time(0), zone), at_local(self.next().first_day, time(0), zone)
