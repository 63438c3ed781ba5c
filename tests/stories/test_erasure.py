"""/forget_me erases: nothing the resident wrote or sent can be shown, copied or tied back to them again."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from models import Appeal
from models.base import Base
from tests.support.appeal_steps import PHOTO, appeal_by_number
from tests.support.harness import Telegram
from tests.support.stories import INSPECTOR_ID, RESIDENT_ID, beat, bound_chats, notice_in

CHAT = -101
SECRETS = ("Dana", "dana_k", "555 55 55", "SECRET")


async def everything_kept(tg: Telegram) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the bot has (Base.metadata), as plain values."""
    kept: dict[str, list[dict[str, Any]]] = {}
    async with tg.app.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).mappings().all()
            kept[table.name] = [dict(row) for row in rows]
    return kept


def mentions(value: Any) -> list[str]:
    """What in one stored value could name the resident or show what she wrote."""
    if isinstance(value, bytes):
        return []
    found = []
    if isinstance(value, int) and not isinstance(value, bool) and value == RESIDENT_ID:
        found.append("telegram id")
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, dict | list) and re.search(rf"\b{RESIDENT_ID}\b", text):
        found.append("telegram id in JSON")
    found += [secret for secret in SECRETS if secret in text]
    return found


async def test_forget_me_leaves_nothing_that_shows_copies_or_ties_back_to_the_resident(tg: Telegram) -> None:
    d, _, inspector = await beat(tg)
    dana = tg.person(RESIDENT_ID, "Dana", language_code="en", username="dana_k")
    await bound_chats(tg, d, [CHAT])
    notice = await notice_in(tg, CHAT)

    # In the building chat: a question with her phone, answered by the inspector.
    await dana.reply_to(notice, "SECRET question: call me at +7 701 555 55 55")
    await tg.drain()
    relayed = tg.fake.sent_to(INSPECTOR_ID)[-1]
    await inspector.reply_to(relayed, "I will call you.")
    # In private: an appeal with a photo, an answer, her reply, a proposal.
    await dana.send("/appeal")
    reply = await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "Public order")
    await dana.send("SECRET appeal text")
    await dana.send(photo=PHOTO, caption="SECRET caption")
    prompt = [m for m in tg.fake.sent_to(RESIDENT_ID) if "Next" in str(m.get("reply_markup"))][-1]
    reply = await dana.press(prompt, "Next")
    reply = await dana.press(reply.last, "with my name")
    await dana.press(reply.last, "Send")
    card = next(m for m in tg.fake.sent_to(INSPECTOR_ID) if "Appeal №1" in (m.get("text") or ""))
    await inspector.reply_to(card, "We will check.")
    answer = [c for c in tg.fake.calls("copyMessage") if c.params["chat_id"] == RESIDENT_ID][-1]
    copied = {"message_id": answer.response["result"]["message_id"], "chat": {"id": RESIDENT_ID, "type": "private"}}
    await dana.reply_to(copied, "SECRET reply from Dana")
    await dana.send("/propose A bench by entrance 2")
    await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "Send")
    # A draft left half-way in a dialog.
    await dana.send("/appeal")
    await dana.press(tg.fake.sent_to(RESIDENT_ID)[-1], "Public order")
    await dana.send("SECRET draft")
    await tg.drain()

    reply = await dana.send("/forget_me")
    reply = await dana.press(reply.last, "Delete my data")
    assert "Your data has been deleted" in reply.text
    await tg.drain()

    # The inspector opens the old card: nothing of hers is shown or copied again.
    copies_from_her = len([c for c in tg.fake.calls("copyMessage") if c.params["from_chat_id"] == RESIDENT_ID])
    seen = len(tg.fake.sent_to(INSPECTOR_ID))
    await inspector.press_data(card, f"ap:open:{(await appeal_by_number(tg, 1)).id}")
    reopened = tg.fake.sent_to(INSPECTOR_ID)[seen:]
    assert reopened and "deleted at the resident's request" in reopened[0]["text"]
    assert not [m for m in reopened if any(secret in (m.get("text") or m.get("caption") or "") for secret in SECRETS)]
    assert len([c for c in tg.fake.calls("copyMessage") if c.params["from_chat_id"] == RESIDENT_ID]) == copies_from_her

    # What is kept is statistics only.
    appeal = await appeal_by_number(tg, 1)
    assert (appeal.category, appeal.status, appeal.resident_id, appeal.flat) == (
        "public_order",
        "in_progress",
        None,
        None,
    )
    kept = await everything_kept(tg)
    assert set(kept) == {table.name for table in Base.metadata.sorted_tables}
    leaks = [
        (table, column, found)
        for table, rows in kept.items()
        for row in rows
        for column, value in row.items()
        if (found := mentions(value))
    ]
    assert leaks == [], leaks
    # The proposal stays in the building's work plan, without its author.
    assert [(p["text"], p["resident_id"]) for p in kept["proposals"]] == [("A bench by entrance 2", None)]
    async with tg.app.sessionmaker() as session:
        assert (await session.scalar(select(Appeal.text).where(Appeal.id == appeal.id))) == ""
    state = tg.app.dp.fsm.get_context(bot=tg.app.bot, chat_id=RESIDENT_ID, user_id=RESIDENT_ID)
    assert await state.get_data() == {} and await state.get_state() is None
