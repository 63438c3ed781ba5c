"""The figures of a quarterly report, as plain data: what the bot's own records say about a quarter.

`Figures` is what a report is computed into, stored as (`Report.figures`, via `as_dict`) and rendered from (the
summary text, the chart, the PDF). Counting rules, so that every renderer and test reads them the same way:

- received: appeals created within the quarter (the buildings' local calendar); oral: those of them the inspector
  recorded from an oral appeal (in person, by phone, at a meeting);
- resolved: appeals closed (resolved or rejected) within the quarter, whenever they were received;
- redirected_out: appeals closed within the quarter by sending them to a body outside the police;
- overdue: appeals received within the quarter that were closed after their deadline, or are still open past it
  at the quarter's end;
- open_at_end: appeals of the buildings still open when the quarter ended;
- by_category: received, by category code (models.Category); by_month: received in each of the quarter's months;
- first_response_hours_median / resolution_days_median: over the appeals received within the quarter that had a
  first response / were closed (None when there were none);
- rating_average and rated: over the appeals rated among those closed within the quarter;
- meetings_held and attendance: meetings of these buildings held within the quarter, and residents at them;
- proposals_*: proposals of these buildings (or of a meeting held for them) recorded within the quarter, by status now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figures:
    quarter: str  # "2026Q4"
    building_codes: list[str]
    received: int = 0
    oral: int = 0
    resolved: int = 0
    redirected_out: int = 0
    overdue: int = 0
    open_at_end: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_month: list[int] = field(default_factory=lambda: [0, 0, 0])
    first_response_hours_median: float | None = None
    resolution_days_median: float | None = None
    rating_average: float | None = None
    rated: int = 0
    meetings_held: int = 0
    attendance: int = 0
    proposals_recorded: int = 0
    proposals_in_plan: int = 0
    proposals_done: int = 0
    proposals_declined: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class Comparison:
    """A quarter's figures beside the previous quarter's, for the same buildings."""

    current: Figures
    previous: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"current": self.current.as_dict(), "previous": self.previous.as_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        return cls(Figures.from_dict(data["current"]), Figures.from_dict(data["previous"]))


@dataclass(frozen=True)
class ProposalLine:
    text: str
    status: str  # models.ProposalStatus
    building_code: str | None  # None: raised at a meeting of several buildings


@dataclass(frozen=True)
class ReportView:
    """Everything a report shows, as plain values: the summary, the chart and the printable page are drawn from it."""

    quarter: str  # "2026Q4"
    inspector_name: str
    inspector_rank: str
    buildings: list[tuple[str, str]]  # (code, address)
    comparison: Comparison
    offences: list[tuple[str, int]]  # (kind as the inspector wrote it, count), from official statistics
    measures: str | None
    plans: str | None
    proposals: list[ProposalLine]
    timezone: str  # the buildings' zone: dates are shown there
