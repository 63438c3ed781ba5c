"""200 residents send their appeals at the same moment: all land, numbered without gaps or duplicates."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from bot.services import residents
from bot.services.people import Person
from bot.ui.appeals.keyboards import confirm_intake
from handlers.resident.appeal import Intake
from models import Appeal, Delivery
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, district

RESIDENTS = 200


async def test_200_residents_pressing_send_at_once_all_land_numbered_without_gaps(tg: Telegram) -> None:
    d = await district(tg)
    tg.fake.add_user(INSPECTOR_ID, "Nurlan", language_code="en")
    ids = range(10_000, 10_000 + RESIDENTS)
    async with tg.app.sessionmaker.begin() as session:
        for user_id in ids:
            await residents.register(
                session,
                tg.clock,
                Person(id=user_id, first_name=f"R{user_id}"),
                building=d.building,
                flat=None,
                language="en",
            )

    # Every resident is at the last step of the dialog, looking at their summary with its Send button.
    presses = []
    for user_id in ids:
        tg.fake.add_user(user_id, f"R{user_id}", language_code="en")
        with tg.app.i18n.context(), tg.app.i18n.use_locale("en"):
            summary = await tg.app.bot.send_message(user_id, "Check your appeal", reply_markup=confirm_intake())
        state = tg.app.dp.fsm.get_context(bot=tg.app.bot, chat_id=user_id, user_id=user_id)
        await state.set_state(Intake.confirm)
        await state.set_data(
            {
                "key": str(uuid.uuid4()),
                "category": "public_order",
                "text": f"Noise from {user_id}",
                "source": {
                    "kind": "text",
                    "chat_id": user_id,
                    "message_id": summary.message_id,
                    "text": "n",
                    "file_id": None,
                    "extra": None,
                },
                "attachments": [],
                "anonymous": False,
            }
        )
        message = tg.fake.chat_history(user_id)[-1]
        send = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        presses.append((user_id, message, send))

    updates = [tg.fake.callback_update(user_id, message, data) for user_id, message, data in presses]
    # Generous: 200 updates share one event loop, and on SQLite one write lock.
    await asyncio.gather(*(tg.deliver(update, timeout=120) for update in updates))

    async with tg.app.sessionmaker() as session:
        numbers = sorted(await session.scalars(select(Appeal.number)))
    assert numbers == list(range(1, RESIDENTS + 1))
    # Every card is in the outbox, going out one a second to the inspector's chat, as Telegram allows.
    async with tg.app.sessionmaker() as session:
        rows = list(await session.scalars(select(Delivery).where(Delivery.appeal_id.is_not(None))))
    assert len([row for row in rows if row.chat_id == INSPECTOR_ID and row.parts[0].get("card")]) == RESIDENTS
    assert len({row.appeal_id for row in rows}) == RESIDENTS
