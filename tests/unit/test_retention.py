"""The retention job purges only what it should: old delivered messages and files, update ids, message pairs."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import audit, outbox, parts, retention, updates
from models import AuditEvent, Delivery, DeliveryStatus, MessageLink, OutboxFile, ProcessedUpdate
from tests.support.harness import FrozenClock

DAYS = 180


async def count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_the_retention_job_purges_old_delivery_data_and_keeps_the_rest(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    long_ago = clock.now() - timedelta(days=DAYS + 1)
    recently = clock.now() - timedelta(days=DAYS - 1)
    old_file = parts.message("chart")[0] | {"kind": "photo", "data": base64.b64encode(b"old png").decode()}
    shared_file = parts.message("pdf")[0] | {"kind": "document", "data": base64.b64encode(b"reused pdf").decode()}
    async with sessionmaker.begin() as session:
        old_clock = FrozenClock(long_ago)
        sent_long_ago = await outbox.enqueue(session, old_clock, chat_id=-1, parts=[old_file])
        await outbox.enqueue(session, old_clock, chat_id=-2, parts=[shared_file])  # sent, old: goes
        waiting_long = await outbox.enqueue(session, old_clock, chat_id=-3, parts=parts.message("still waiting"))
        # The same PDF sent again lately: its file row is old, but a kept message names it.
        await outbox.enqueue(session, FrozenClock(recently), chat_id=-4, parts=[shared_file])
        await session.execute(
            update(Delivery).where(Delivery.id != waiting_long.id).values(status=DeliveryStatus.SENT.value)
        )
        session.add_all(
            [
                # Update ids are kept only while Telegram could redeliver (24 h), with a margin (updates.KEEP),
                # not for the retention period: a day old stays, just past KEEP goes, as does one long ago.
                ProcessedUpdate(update_id=1, at=long_ago),
                ProcessedUpdate(update_id=2, at=clock.now() - updates.KEEP - timedelta(hours=1)),
                ProcessedUpdate(update_id=3, at=clock.now() - timedelta(days=1)),
                MessageLink(chat_id=5, message_id=1, peer_chat_id=6, peer_message_id=1, at=long_ago),
                MessageLink(chat_id=5, message_id=2, peer_chat_id=6, peer_message_id=2, at=recently),
            ]
        )
        await audit.record(session, old_clock, actor_id=1, action="inspector_added", object_type="inspector")

    async with sessionmaker.begin() as session:
        purged = await retention.purge(session, clock.now(), days=DAYS)
    assert (purged.deliveries, purged.files, purged.updates, purged.links) == (2, 1, 2, 1)

    async with sessionmaker() as session:
        chats = set(await session.scalars(select(Delivery.chat_id)))
        assert chats == {-3, -4}, "the old pending message and the recent one stay"
        assert sent_long_ago.id not in set(await session.scalars(select(Delivery.id)))
        assert await count(session, OutboxFile) == 1
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == [3]
        assert list(await session.scalars(select(MessageLink.message_id))) == [2]
        assert await count(session, AuditEvent) == 1, "the audit trail is kept"

    async with sessionmaker.begin() as session:
        again = await retention.purge(session, clock.now(), days=DAYS)
    assert (again.deliveries, again.files, again.updates, again.links) == (0, 0, 0, 0)
