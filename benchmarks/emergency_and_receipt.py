"""What the emergency check costs every private message, and what drawing an oral appeal's receipt costs.

    python -m benchmarks.emergency_and_receipt [--messages 20000] [--repeat 5]

The check runs on every private text before any handler (bot.middlewares.emergency): its time per message is that
of the shipped word list's one regular expression over ordinary appeal texts of 50 to 3000 characters in ru, kk, uz
and en (one in twenty with an emergency word). The receipt: the one-page PDF in Russian for an appeal of 3000
characters (the longest), the first time (fonts loaded) and the median of `--repeat` more.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bot.i18n import create_i18n
from bot.services import emergency
from bot.ui.oral import receipt_pdf
from tests.support.receipts import longest_receipt

ORDINARY = [
    "Соседи сверху шумят каждую ночь после 23:00, просим принять меры.",
    "Көршілер түнде қатты шулайды, балалар ұйықтай алмайды.",
    "Qoʻshnilar kechasi baland ovozda musiqa qoʻyishadi.",
    "Cars park on the lawn by the playground every evening.",
]
ALARMING = ["У подъезда драка, у одного нож!", "Подъезде өрт шықты", "Yongʻin chiqdi", "There is a fire on the stairs"]


def texts(count: int) -> list[str]:
    rng = random.Random(7)
    found = []
    for n in range(count):
        base = rng.choice(ALARMING if n % 20 == 0 else ORDINARY)
        found.append(" ".join([base] * rng.randint(1, 45))[:3000])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    words = emergency.load()
    print(f"word list loaded and compiled: {(time.perf_counter() - started) * 1000:.1f} ms")
    sample = texts(args.messages)
    size = statistics.mean(len(text) for text in sample)
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        hits = sum(words.matches(text) for text in sample)
        runs.append((time.perf_counter() - started) / len(sample))
    print(
        f"emergency check: {statistics.median(runs) * 1e6:.1f} µs a message (median of {args.repeat}, "
        f"best {min(runs) * 1e6:.1f} µs; {len(sample)} messages of {size:.0f} characters on average, {hits} matched)"
    )

    i18n = create_i18n("ru")
    receipt = longest_receipt()
    with i18n.context(), i18n.use_locale("ru"):
        started = time.perf_counter()
        size_bytes = len(receipt_pdf(receipt))
        first = time.perf_counter() - started
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            receipt_pdf(receipt)
            times.append(time.perf_counter() - started)
    print(
        f"receipt PDF: first {first * 1000:.0f} ms, then median {statistics.median(times) * 1000:.0f} ms "
        f"(best {min(times) * 1000:.0f} ms), {size_bytes / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
