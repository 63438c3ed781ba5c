"""Telling the author what became of a message about an appeal that did not go out at once.

The inspector who answered, the resident who replied: they learn the true cause once per message — the reader
blocked the bot (it waits for them), Telegram asked to wait a while (and until when), or it could not be
delivered (and why). A card its inspector cannot receive is reported to the administrators instead.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.config import Settings
from bot.services import outbox, parts, people
from bot.services.outbox import Fate
from bot.ui.appeals import fates
from models import Appeal, Delivery, DeliveryStatus, FailReason, Priority

TELL_AFTER = timedelta(seconds=30)  # a shorter wait is not worth a message: it is over before it is read


async def tell(session: AsyncSession, clock: Clock, i18n: I18n, settings: Settings, delivery_id: int) -> bool:
    """Tell who should know about the row's fate, once; True when a message was put in the outbox."""
    delivery = await session.get(Delivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.told or delivery.appeal_id is None or not _worth_telling(delivery, clock):
        return False
    appeal = await session.get(Appeal, delivery.appeal_id, options=[selectinload(Appeal.building)])
    if appeal is None:
        return False
    card = bool(delivery.parts and delivery.parts[0].get("card"))
    if delivery.author_id is not None:
        readers = [delivery.author_id]
    elif card and delivery.status == DeliveryStatus.HELD and not settings.is_admin(delivery.chat_id):
        readers = list(settings.admin_ids)
    else:
        return False
    fate = Fate(
        DeliveryStatus(delivery.status),
        FailReason(delivery.reason) if delivery.reason else None,
        delivery.error,
        delivery.not_before,
    )
    zone = appeal.building.timezone
    languages = await people.reading_locales(session, readers, default_country=appeal.building.country)
    for reader in readers:
        with i18n.context(), i18n.use_locale(languages.get(reader, settings.default_locale)):
            if delivery.author_id is None:
                text = fates.card_waiting(appeal.number)
            else:
                text = fates.told(appeal.number, fate, zone, to_resident=delivery.chat_id == appeal.resident_id)
        await outbox.enqueue(session, clock, chat_id=reader, parts=parts.message(text), priority=Priority.PERSONAL)
    delivery.told = True
    return True


def _worth_telling(delivery: Delivery, clock: Clock) -> bool:
    if delivery.status in (DeliveryStatus.HELD, DeliveryStatus.FAILED):
        return True
    return (
        delivery.status == DeliveryStatus.PENDING
        and delivery.reason == FailReason.FLOOD
        and delivery.not_before - clock.now() >= TELL_AFTER
    )
