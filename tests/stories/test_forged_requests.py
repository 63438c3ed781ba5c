"""Nothing acts through a forged request: exports open as text, inputs are bounded, buttons act where they belong."""

from __future__ import annotations

from sqlalchemy import update

from models import Appeal
from tests.fake_telegram.validate import Upload
from tests.support.appeal_steps import send_appeal
from tests.support.harness import Telegram
from tests.support.stories import beat


async def test_an_export_cell_starting_with_a_formula_sign_opens_as_text(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    await send_appeal(dana)
    # A flat typed before flats were checked, and an inspector's name that looks like a formula.
    async with tg.app.sessionmaker.begin() as session:
        await session.execute(update(Appeal).values(flat="=cmd|'/c calc'!A"))
    reply = await inspector.send("/export 2026-11-01 2026-11-30")
    [document] = [c for c in reply.calls if c.method == "sendDocument"]
    [upload] = [v for v in document.params.values() if isinstance(v, Upload)]
    row = upload.content.decode("utf-8-sig").splitlines()[1]
    assert ",'=cmd|'/c calc'!A," in row
    assert ",=" not in row


async def test_export_dates_far_in_the_future_are_refused_with_the_usage(tg: Telegram) -> None:
    _, _dana, inspector = await beat(tg)
    reply = await inspector.send("/export 2026-01-01 9999-12-31")
    assert "Give the dates as" in reply.text
    reply = await inspector.send("/export ２０２６-01-01 2026-02-01")
    assert "Give the dates as" in reply.text
