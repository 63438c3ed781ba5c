"""Statutory deadlines over the real calendars: how fast the law's arithmetic is (every appeal's intake, every card
and every line of /queue asks it).

    python -m benchmarks.law [--count 100000]

Prints, per country, due dates and countdowns computed a second, and the time of the first call (the country's
rules read from their TOML file, the holiday calendar built).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bot.services import law

START = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = {"KZ": "Asia/Almaty", "UZ": "Asia/Tashkent"}


def run(count: int) -> None:
    moments = [START + timedelta(minutes=random.randrange(2 * 365 * 24 * 60)) for _ in range(count)]
    for country, zone in ZONES.items():
        began = time.perf_counter()
        law.due_date(country, None, START, zone)
        first = time.perf_counter() - began
        began = time.perf_counter()
        dues = [law.due_date(country, None, moment, zone) for moment in moments]
        due_rate = count / (time.perf_counter() - began)
        began = time.perf_counter()
        for moment, due in zip(moments, dues, strict=True):
            law.days_left(country, due, moment, zone)
        countdown_rate = count / (time.perf_counter() - began)
        print(
            f"{country}: first call {first * 1000:.1f} ms; {due_rate:,.0f} due dates/s; "
            f"{countdown_rate:,.0f} countdowns/s ({count:,} appeals over 2026–2027)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    run(parser.parse_args().count)


if __name__ == "__main__":
    main()
