"""Renderers: one function per card, every user-supplied value escaped."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.services.buildings import BuildingRow
from bot.services.inspectors import InspectorRow
from models import Building, Inspector

START_PREFIX = "b_"
# The deep-link payload of the "write to the inspector" button in building chats.
APPEAL_PAYLOAD = "appeal"


def registration_link(bot_username: str, building: Building) -> str:
    return f"https://t.me/{bot_username}?start={START_PREFIX}{building.code}"


def inspector_card(inspector: Inspector) -> str:
    return _("👮 <b>{name}</b>\n{rank}\n📞 {phone}\n🏢 Reception point: {point}\n🕘 Reception hours: {hours}").format(
        name=escape(inspector.full_name),
        rank=escape(inspector.rank),
        phone=escape(inspector.phone),
        point=escape(inspector.reception_point),
        hours=escape(inspector.reception_hours),
    )


def building_title(building: Building) -> str:
    return _("{code} — {address}").format(code=escape(building.code), address=escape(building.address))


def building_line(row: BuildingRow, bot_username: str) -> str:
    building = row.building
    inspector = escape(building.inspector.full_name) if building.inspector else _("no inspector")
    return _("<b>{title}</b>\n{inspector} · chats: {chats} · residents: {residents}\n{link}").format(
        title=building_title(building),
        inspector=inspector,
        chats=row.chats,
        residents=row.residents,
        link=registration_link(bot_username, building),
    )


def inspector_line(row: InspectorRow) -> str:
    inspector = row.inspector
    return _("<b>{name}</b>, {rank} · {phone} · buildings: {count}").format(
        name=escape(inspector.full_name),
        rank=escape(inspector.rank),
        phone=escape(inspector.phone),
        count=row.buildings,
    )
