"""Two staff press at once on one appeal: one wins, the other is told what happened, the resident hears once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.ui.appeals.keyboards import staff_actions
from models import AppealEvent
from tests.support.appeal_steps import appeal_by_number, send_appeal, texts_in
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat

ADMIN_ID = 1


async def test_resolve_and_reject_pressed_at_once_leave_one_consistent_state(tg: Telegram) -> None:
    _, dana, inspector = await beat(tg)
    admin = tg.person(ADMIN_ID, "Aigerim", language_code="en")
    await admin.send("/start")
    await send_appeal(dana)
    card = tg.fake.sent_to(INSPECTOR_ID)[0]
    appeal = await appeal_by_number(tg, 1)
    # The administrator has the same appeal's card open and has begun a rejection.
    with tg.app.i18n.context(), tg.app.i18n.use_locale("en"):
        async with tg.app.sessionmaker() as session:
            from bot.services import appeals

            loaded = await appeals._reload(session, appeal.id)
            admin_card = await tg.app.bot.send_message(
                ADMIN_ID, "card", reply_markup=staff_actions(loaded, tg.clock.now())
            )
    admin_card_json = next(m for m in tg.fake.chat_history(ADMIN_ID) if m["message_id"] == admin_card.message_id)
    await admin.press(admin_card_json, "Reject")

    await tg.quiet()
    resolved, rejected = await asyncio.gather(inspector.press(card, "Resolve"), admin.send("Not a police matter."))
    await tg.quiet()

    final = await appeal_by_number(tg, 1)
    assert final.status in ("resolved", "rejected")
    async with tg.app.sessionmaker() as session:
        actions = list(await session.scalars(select(AppealEvent.action).where(AppealEvent.appeal_id == final.id)))
    assert actions.count("resolved") + actions.count("rejected") == 1, actions
    to_dana = texts_in(tg, RESIDENT_ID)
    assert ("Please rate" in to_dana) != ("was rejected" in to_dana), "the resident hears one outcome"
    told = (
        texts_in(tg, INSPECTOR_ID)
        + texts_in(tg, ADMIN_ID)
        + "\n".join(str(c.params.get("text")) for c in tg.fake.calls("answerCallbackQuery"))
    )
    if final.status == "resolved":
        assert "already resolved (perhaps someone pressed first)" in told
    else:
        assert "already rejected (perhaps someone pressed first)" in told
    assert resolved is not None and rejected is not None
