"""Times left are rounded the same way in every reminder: "2 days before" still says 2 days a minute later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ui.formatting import time_ahead


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(hours=47, minutes=59), ("day", 2)),  # the deadline reminder, sent on the tick after it fell due
        (timedelta(days=2), ("day", 2)),
        (timedelta(hours=24, minutes=20), ("day", 1)),
        (timedelta(hours=20), ("day", 1)),
        (timedelta(hours=19, minutes=10), ("hour", 19)),
        (timedelta(hours=1, minutes=59), ("hour", 2)),  # the meeting reminder two hours before
        (timedelta(minutes=10), ("hour", 1)),
    ],
)
def test_a_time_left_is_rounded_to_the_nearest_hour_and_in_days_from_twenty_hours(
    left: timedelta, said: tuple[str, int]
) -> None:
    assert time_ahead(left) == said
