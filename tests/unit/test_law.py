"""The law's deadlines walked over real calendars: Kazakhstan counts working days, Uzbekistan calendar days; both
register an appeal that arrives after hours or on a day off on the next working day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services import law

ALMATY = "Asia/Almaty"
TASHKENT = "Asia/Tashkent"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


# (received, local time) → (registration day, due day); KZ: 15 working days after the registration day.
KZ_CASES = [
    # New Year: 1–2 Jan holidays, a weekend, 7 Jan Orthodox Christmas — all skipped.
    (at(ALMATY, 2025, 12, 31, 15, 0), date(2025, 12, 31), date(2026, 1, 26)),
    # Sent on New Year's Day: registered on the first working day after the weekend.
    (at(ALMATY, 2026, 1, 1, 10, 0), date(2026, 1, 5), date(2026, 1, 27)),
    # 8 March 2026 is a Sunday: Monday 9 March is off instead; then Nauryz 21–23 March with 24–25 March moved.
    (at(ALMATY, 2026, 3, 6, 10, 0), date(2026, 3, 6), date(2026, 4, 2)),
    # The May holidays: 1 May, 7 May, 9 May (a Saturday, so Monday 11 May is off).
    (at(ALMATY, 2026, 4, 30, 12, 0), date(2026, 4, 30), date(2026, 5, 26)),
    # Friday evening after hours: registered on Monday; 16 December, Independence Day, is skipped.
    (at(ALMATY, 2026, 12, 4, 19, 0), date(2026, 12, 7), date(2026, 12, 29)),
    # Republic Day 25 October 2026 is a Sunday: Monday 26 October is off, so a Friday-evening appeal waits to Tuesday.
    (at(ALMATY, 2026, 10, 23, 19, 0), date(2026, 10, 27), date(2026, 11, 17)),
]

UZ_CASES = [
    # Friday evening after hours: registered on Monday, 15 calendar days from it.
    (at(TASHKENT, 2026, 12, 4, 19, 0), date(2026, 12, 7), date(2026, 12, 22)),
    # 8 December, Constitution Day: registered the next day.
    (at(TASHKENT, 2026, 12, 8, 11, 0), date(2026, 12, 9), date(2026, 12, 24)),
    # Saturday 12 December 2026 is a working day (moved to 31 December): registered the same day; the last day,
    # Sunday 27 December, is kept — never later than the calendar date.
    (at(TASHKENT, 2026, 12, 12, 10, 0), date(2026, 12, 12), date(2026, 12, 27)),
    # 31 December 2026 is the day off given for that Saturday; 1 January a holiday; then the weekend.
    (at(TASHKENT, 2026, 12, 31, 10, 0), date(2027, 1, 4), date(2027, 1, 19)),
    # Navroʻz: Roʻza hayit on Friday 20 March 2026, Navroʻz on Saturday 21 March, Monday 23 March off instead.
    (at(TASHKENT, 2026, 3, 19, 18, 30), date(2026, 3, 24), date(2026, 4, 8)),
    # The May holidays: 9 May on a Saturday → Monday 11 May off.
    (at(TASHKENT, 2026, 5, 8, 20, 0), date(2026, 5, 12), date(2026, 5, 27)),
    # Independence Day 1 September 2026 with 31 August given off by decree.
    (at(TASHKENT, 2026, 8, 28, 19, 0), date(2026, 9, 2), date(2026, 9, 17)),
]


@pytest.mark.parametrize(("received", "registered", "due"), KZ_CASES)
def test_a_kazakh_appeal_is_due_on_the_15th_working_day_after_registration(
    received: datetime, registered: date, due: date
) -> None:
    assert law.registration_day("KZ", received, ALMATY) == registered
    deadline = law.due_date("KZ", None, received, ALMATY)
    assert deadline.astimezone(ZoneInfo(ALMATY)).date() == due
    assert law.is_working_day("KZ", due)


@pytest.mark.parametrize(("received", "registered", "due"), UZ_CASES)
def test_an_uzbek_application_is_due_15_calendar_days_after_registration(
    received: datetime, registered: date, due: date
) -> None:
    assert law.registration_day("UZ", received, TASHKENT) == registered
    for kind in ("application", "complaint"):
        assert law.due_date("UZ", kind, received, TASHKENT).astimezone(ZoneInfo(TASHKENT)).date() == due


def test_the_due_moment_is_the_end_of_the_due_day_in_the_buildings_zone() -> None:
    due = law.due_date("KZ", None, at(ALMATY, 2026, 12, 4, 19, 0), ALMATY)
    assert due == at(ALMATY, 2026, 12, 29, 23, 59)
    # The rules' own zone when the building has none.
    assert law.due_date("UZ", None, at(TASHKENT, 2026, 12, 4, 19, 0)) == at(TASHKENT, 2026, 12, 22, 23, 59)


def test_an_appeal_sent_before_opening_on_a_working_day_is_registered_that_day() -> None:
    assert law.registration_day("KZ", at(ALMATY, 2026, 12, 7, 6, 30), ALMATY) == date(2026, 12, 7)
    assert law.registration_day("KZ", at(ALMATY, 2026, 12, 7, 17, 59), ALMATY) == date(2026, 12, 7)
    assert law.registration_day("KZ", at(ALMATY, 2026, 12, 7, 18, 0), ALMATY) == date(2026, 12, 8)


def test_an_uzbek_proposal_has_a_month_and_a_short_month_ends_on_its_last_day() -> None:
    assert law.due_day("UZ", "proposal", at(TASHKENT, 2026, 9, 2, 10, 0), TASHKENT) == date(2026, 10, 2)
    assert law.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert law.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert law.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_kinds_kazakhstan_has_one_uzbekistan_three_and_an_unknown_kind_falls_back() -> None:
    assert not law.rules("KZ").asks_kind
    assert law.rules("KZ").default_kind == "appeal"
    assert list(law.rules("UZ").kinds) == ["application", "complaint", "proposal"]
    assert law.rules("UZ").kind("appeal") == "application"
    assert law.due_day("KZ", "complaint", at(ALMATY, 2026, 12, 4, 19, 0), ALMATY) == date(2026, 12, 29)
    with pytest.raises(law.UnknownCountry):
        law.rules("RU")


def test_extension_limits_a_whole_term_of_two_months_in_kazakhstan_and_one_month_more_in_uzbekistan() -> None:
    friday_evening_kz = at(ALMATY, 2026, 12, 4, 19, 0)
    assert law.extension_limit("KZ", None, friday_evening_kz, ALMATY) == date(2027, 2, 7)
    friday_evening_uz = at(TASHKENT, 2026, 12, 4, 19, 0)
    assert law.extension_limit("UZ", "application", friday_evening_uz, TASHKENT) == date(2027, 1, 22)
    assert law.extension_limit("UZ", "proposal", friday_evening_uz, TASHKENT) == date(2027, 2, 7)


def test_redirect_and_notice_terms() -> None:
    # KZ: 3 working days from registration (Monday 7 December 2026); UZ: 5 calendar days.
    assert law.redirect_due("KZ", at(ALMATY, 2026, 12, 4, 19, 0), ALMATY) == at(ALMATY, 2026, 12, 10, 23, 59)
    assert law.redirect_due("UZ", at(TASHKENT, 2026, 12, 4, 19, 0), TASHKENT) == at(TASHKENT, 2026, 12, 12, 23, 59)
    # KZ: the applicant is told of an extension within 3 working days — across Independence Day.
    assert law.notice_due("KZ", at(ALMATY, 2026, 12, 14, 12, 0), ALMATY) == at(ALMATY, 2026, 12, 18, 23, 59)


def test_only_an_uzbek_proposals_author_is_told_of_further_study_within_ten_days_of_registration() -> None:
    # Friday evening: registered on Monday 7 December, so the author is told by Thursday 17 December.
    received = at(TASHKENT, 2026, 12, 4, 19, 0)
    assert law.study_notice_due("UZ", "proposal", received) == at(TASHKENT, 2026, 12, 17, 23, 59)
    assert law.study_notice_due("UZ", "complaint", received) is None
    assert law.study_notice_due("KZ", "appeal", at(ALMATY, 2026, 12, 4, 19, 0)) is None


def test_the_countdown_counts_working_days_in_kazakhstan_and_calendar_days_in_uzbekistan() -> None:
    kz_due = at(ALMATY, 2026, 12, 29, 23, 59)
    # After Thursday 17 December: 18, 21–25, 28, 29.
    assert law.days_left("KZ", kz_due, at(ALMATY, 2026, 12, 17, 10, 0), ALMATY) == law.Countdown(8, working=True)
    # 16 December (a holiday) does not count.
    assert law.working_days_left("KZ", kz_due, at(ALMATY, 2026, 12, 15, 10, 0), ALMATY) == 9
    assert law.working_days_left("KZ", kz_due, at(ALMATY, 2026, 12, 29, 20, 0), ALMATY) == 0
    assert law.working_days_left("KZ", kz_due, at(ALMATY, 2027, 1, 4, 9, 0), ALMATY) == -3  # 30, 31 December and today
    uz_due = at(TASHKENT, 2026, 12, 22, 23, 59)
    assert law.days_left("UZ", uz_due, at(TASHKENT, 2026, 12, 17, 10, 0), TASHKENT) == law.Countdown(5, working=False)
    assert law.days_left("UZ", uz_due, at(TASHKENT, 2026, 12, 24, 10, 0), TASHKENT).days == -2


def test_every_country_file_reads_and_names_its_emergency_numbers() -> None:
    for country in law.COUNTRIES:
        rules = law.rules(country)
        assert rules.country == country
        assert (rules.police, rules.single) == ("102", "112")
        assert rules.redirect_bodies
        assert not rules.anonymous_considered
