"""The date and time an inspector types for a meeting, read the way people write them, in the building's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.meetings import BadWhen, WhenProblem, parse_when

# Monday 23 November 2026, 14:00 in Almaty (UTC+5 since Kazakhstan's one zone of 2024).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALMATY = "Asia/Almaty"
EVENING_OF_25TH = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 25.11 19:00 in Almaty


@pytest.mark.parametrize(
    "typed",
    [
        "25.11 19:00",
        "25.11.2026 19:00",
        "25.11.26 19:00",
        "25/11 19:00",
        "25/11/2026 19:00",
        "25-11-2026 19:00",
        "2026-11-25 19:00",
        "25.11 19.00",
        "19:00 25.11",
        "19.00 25.11",
        "25.11, 19:00",
        "25.11 в 19:00",
        "on 25.11 at 19:00",
        "25.11.2026 г. 19:00",
        "25.11. 19:00",
        "  25.11    19:00  ",
        "25.11 19",
    ],
)
def test_the_ways_people_type_a_date_and_time(typed: str) -> None:
    assert parse_when(typed, now=NOW, zone=ALMATY) == EVENING_OF_25TH


def test_single_digits_and_minutes() -> None:
    assert parse_when("1.12 9:05", now=NOW, zone=ALMATY) == datetime(2026, 12, 1, 4, 5, tzinfo=UTC)


def test_the_time_is_read_in_the_buildings_zone() -> None:
    assert parse_when("25.11 19:00", now=NOW, zone="Asia/Tashkent") == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert parse_when("25.11 19:00", now=NOW, zone="Asia/Bishkek") == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert parse_when("25.11 19:00", now=NOW, zone="Europe/Moscow") == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def test_later_today_is_fine_and_earlier_today_is_past() -> None:
    assert parse_when("23.11 15:00", now=NOW, zone=ALMATY) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with pytest.raises(BadWhen) as refused:
        parse_when("23.11 13:59", now=NOW, zone=ALMATY)
    assert refused.value.problem == WhenProblem.PAST


def test_a_date_without_a_year_long_past_means_next_year() -> None:
    december = datetime(2026, 12, 20, 6, 0, tzinfo=UTC)
    assert parse_when("05.01 19:00", now=december, zone=ALMATY) == datetime(2027, 1, 5, 14, 0, tzinfo=UTC)
    assert parse_when("15.05 10:00", now=NOW, zone=ALMATY) == datetime(2027, 5, 15, 5, 0, tzinfo=UTC)


def test_a_date_without_a_year_just_past_is_refused_not_moved_a_year_on() -> None:
    with pytest.raises(BadWhen) as refused:
        parse_when("20.11 19:00", now=NOW, zone=ALMATY)
    assert refused.value.problem == WhenProblem.PAST


def test_an_explicit_past_year_is_refused() -> None:
    with pytest.raises(BadWhen) as refused:
        parse_when("25.11.2025 19:00", now=NOW, zone=ALMATY)
    assert refused.value.problem == WhenProblem.PAST


def test_more_than_a_year_ahead_is_refused() -> None:
    assert parse_when("22.11.2027 19:00", now=NOW, zone=ALMATY) == datetime(2027, 11, 22, 14, 0, tzinfo=UTC)
    for typed in ("24.11.2027 19:00", "25.11.2028 19:00"):
        with pytest.raises(BadWhen) as refused:
            parse_when(typed, now=NOW, zone=ALMATY)
        assert refused.value.problem == WhenProblem.TOO_FAR


def test_a_reading_whose_values_exist_wins_whatever_the_order() -> None:
    # "10.30" cannot be a date (no month 30), so it is the time.
    expected = datetime(2026, 12, 12, 5, 30, tzinfo=UTC)
    assert parse_when("12.12 10.30", now=NOW, zone=ALMATY) == expected
    assert parse_when("10.30 12.12", now=NOW, zone=ALMATY) == expected


@pytest.mark.parametrize(
    ("typed", "problem", "fragment"),
    [
        ("31.02 19:00", WhenProblem.NO_SUCH_DATE, "31.02"),
        ("29.02 19:00", WhenProblem.NO_SUCH_DATE, "29.02"),  # neither 2026 nor 2027 has one
        ("31.04.2027 19:00", WhenProblem.NO_SUCH_DATE, "31.04.2027"),
        ("25.13 19:00", WhenProblem.NO_SUCH_DATE, "25.13"),
        ("25.11 25:00", WhenProblem.NO_SUCH_TIME, "25:00"),
        ("25.11 19:60", WhenProblem.NO_SUCH_TIME, "19:60"),
        ("25.11", WhenProblem.NO_TIME, "25.11"),
        ("25.11.2026", WhenProblem.NO_TIME, "25.11.2026"),
        ("19:00", WhenProblem.NO_DATE, "19:00"),
        ("tomorrow evening", WhenProblem.UNREADABLE, "tomorrow evening"),
        ("hello 19:00", WhenProblem.UNREADABLE, "hello 19:00"),
        ("25.11 19:00 20:00", WhenProblem.UNREADABLE, "25.11 19:00 20:00"),
        ("2511 1900", WhenProblem.UNREADABLE, "2511 1900"),
        ("", WhenProblem.UNREADABLE, ""),
    ],
)
def test_nonsense_is_refused_with_what_is_wrong(typed: str, problem: WhenProblem, fragment: str) -> None:
    with pytest.raises(BadWhen) as refused:
        parse_when(typed, now=NOW, zone=ALMATY)
    assert refused.value.problem == problem
    assert refused.value.fragment == fragment


def test_29_february_of_a_leap_year() -> None:
    winter = datetime(2027, 12, 1, 6, 0, tzinfo=UTC)
    assert parse_when("29.02 19:00", now=winter, zone=ALMATY) == datetime(2028, 2, 29, 14, 0, tzinfo=UTC)


def test_a_time_a_clock_change_skips_does_not_exist() -> None:
    # Berlin moves from 02:00 to 03:00 on 28 March 2027.
    with pytest.raises(BadWhen) as refused:
        parse_when("28.03.2027 02:30", now=NOW, zone="Europe/Berlin")
    assert refused.value.problem == WhenProblem.NO_SUCH_TIME
    assert parse_when("28.03.2027 03:30", now=NOW, zone="Europe/Berlin") == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
