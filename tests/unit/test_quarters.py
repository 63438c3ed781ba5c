"""Quarter: found from a date, stepped across the year's turn, keyed and parsed back, spanned in a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.quarters import Quarter


def test_a_date_falls_in_its_quarter_and_the_steps_cross_the_year() -> None:
    assert Quarter.of(date(2026, 1, 1)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 12, 31)) == Quarter(2026, 4)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 3).previous() == Quarter(2026, 2)
    assert Quarter(2025, 4) < Quarter(2026, 1) < Quarter(2026, 2)
    assert (Quarter(2026, 4).first_day, Quarter(2026, 4).last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert list(Quarter(2026, 2).months) == [4, 5, 6]
    with pytest.raises(ValueError):
        Quarter(2026, 5)


def test_the_key_parses_back_to_the_quarter() -> None:
    for quarter in (Quarter(2026, 4), Quarter(2027, 1)):
        assert Quarter.parse(quarter.key) == quarter
    assert Quarter(2026, 4).key == "2026Q4"
    assert Quarter.parse(" 2026q2 ") == Quarter(2026, 2)
    for bad in ("2026Q5", "2026", "Q4", "26Q1", "2026Q0", "x2026Q1", ""):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_the_span_runs_from_local_midnight_to_local_midnight() -> None:
    almaty = Quarter(2026, 4).span("Asia/Almaty")  # UTC+5
    assert almaty == (datetime(2026, 9, 30, 19, tzinfo=UTC), datetime(2026, 12, 31, 19, tzinfo=UTC))
    assert Quarter(2026, 4).span("Europe/Moscow")[1] == datetime(2026, 12, 31, 21, tzinfo=UTC)


def test_now_finds_the_quarter_by_the_local_date() -> None:
    new_year_in_almaty = datetime(2026, 12, 31, 19, 30, tzinfo=UTC)  # 00:30 on 1 January there
    assert Quarter.current(new_year_in_almaty, "Asia/Almaty") == Quarter(2027, 1)
    assert Quarter.last_finished(new_year_in_almaty, "Asia/Almaty") == Quarter(2026, 4)
    assert Quarter.last_finished(new_year_in_almaty, "Europe/Moscow") == Quarter(2026, 3)
    recent = Quarter.recent(new_year_in_almaty, "Asia/Almaty", 3)
    assert recent == [Quarter(2026, 4), Quarter(2026, 3), Quarter(2026, 2)]
