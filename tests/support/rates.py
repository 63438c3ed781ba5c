"""Counting what Telegram counts: messages within any one second."""

from __future__ import annotations


def most_in_a_second(moments: list[float]) -> int:
    """The most of these moments (seconds) that fall within any one second."""
    moments = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
