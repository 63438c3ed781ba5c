"""An oral appeal's receipt at its largest (the longest text, long names in Kazakh letters): the unit test checks it
fits one page in every language, the benchmark times drawing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ui.oral import Receipt

RECEIVED = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)
APPLICANT = "Әлібек Ғалымұлы Қоңырбаев-Өтеуұлы"
ACCEPTED_BY = "Нұрлан Әбенов"
TEXT = "\n".join(["Қатты шу, әйнек сынды, ғимарат һәм ұрлық; үй іші — өте нашар."] * 60)[:3000]


def longest_receipt() -> Receipt:
    return Receipt(
        number=41,
        received_at=RECEIVED,
        timezone="Asia/Almaty",
        channel="phone",
        applicant=APPLICANT,
        contact="+7 701 111 22 33",
        address="Абай даңғылы, 10",
        flat="7",
        category="public_order",
        kind="complaint",
        due_at=RECEIVED + timedelta(days=21),
        term="15 рабочих дней по АППК РК",
        accepted_by=ACCEPTED_BY,
        position="полиция капитаны",
        text=TEXT,
    )
