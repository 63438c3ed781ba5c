"""The bot's process dies (SIGKILL) in the middle of a broadcast and is started again: nothing is lost, and only
what was in flight at that moment reaches a chat twice.

The real thing, at a small scale: `python -m bot` as a child process against the fake Telegram enforcing Telegram's
limits, killed when about half the chats have the notice (benchmarks/broadcast.py does the same with 1,000). The
new process waits for the dead one's sender lease to lapse (15 s) before it sends.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.broadcast import kill_run

CHATS = 80
RATE = 30


async def test_a_bot_killed_mid_broadcast_and_restarted_loses_nothing_and_repeats_only_what_was_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    outcome = await kill_run(database_url, CHATS, RATE, tmp_path)

    assert 0 < outcome.sent_at_kill < CHATS, "the kill came before or after the broadcast, not in its middle"
    assert outcome.lost == set(), "a chat never got the notice"
    assert outcome.duplicated <= outcome.in_flight, "a chat got twice a message recorded sent before the kill"
    assert outcome.statuses == Counter({"sent": CHATS})
    reports = outcome.report.splitlines()
    assert len(reports) == 1 and f"delivered to every chat ({CHATS})" in reports[0]
    assert outcome.bot_errors == []
