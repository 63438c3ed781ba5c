"""Wording by country: the same language reads Kazakhstan's terms in a Kazakh building and Uzbekistan's in an Uzbek
one; each person's locale comes from their building (staff: most of their buildings; others: COUNTRY)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import reading_locale
from bot.i18n import create_i18n, language_of
from bot.services import people
from bot.ui import texts
from bot.ui.formatting import local_date
from models import Building, BuildingChat, Inspector, Residency, User

CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
AZIZ, NURLAN, OLGA, IRINA, DILNOZA, ADMIN = 10, 11, 20, 21, 22, 99


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n("ru")


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


async def _inspector(session: AsyncSession, user_id: int, name: str) -> Inspector:
    session.add(User(id=user_id, first_name=name, language="en", reachable=True, created_at=CREATED))
    inspector = Inspector(
        user_id=user_id,
        full_name=name,
        rank="major",
        phone="+998 90 000 00 00",
        reception_point="Navoi st 5",
        reception_hours="Tue 18-20",
        created_at=CREATED,
    )
    session.add(inspector)
    await session.flush()
    return inspector


async def _building(session: AsyncSession, code: str, country: str, inspector: Inspector) -> Building:
    zone = "Asia/Tashkent" if country == "UZ" else "Asia/Almaty"
    building = Building(
        code=code, address=code, timezone=zone, country=country, inspector_id=inspector.id, created_at=CREATED
    )
    session.add(building)
    await session.flush()
    return building


async def _resident(session: AsyncSession, user_id: int, language: str, building: Building) -> None:
    session.add(User(id=user_id, first_name="R", language=language, reachable=True, created_at=CREATED))
    session.add(Residency(user_id=user_id, building_id=building.id, consent_at=CREATED))
    await session.flush()


@pytest.fixture
async def beat(session: AsyncSession) -> dict[str, Building]:
    """Aziz serves two Tashkent buildings and one in Almaty; Nurlan one in Almaty. Olga lives in Tashkent and reads
    Russian, Irina in Almaty and reads Russian too; Dilnoza lives in Almaty and reads Uzbek."""
    aziz, nurlan = await _inspector(session, AZIZ, "Aziz"), await _inspector(session, NURLAN, "Nurlan")
    buildings = {
        "T-1": await _building(session, "T-1", "UZ", aziz),
        "T-2": await _building(session, "T-2", "UZ", aziz),
        "A-3": await _building(session, "A-3", "KZ", aziz),
        "A-1": await _building(session, "A-1", "KZ", nurlan),
    }
    await _resident(session, OLGA, "ru", buildings["T-1"])
    await _resident(session, IRINA, "ru", buildings["A-1"])
    await _resident(session, DILNOZA, "uz", buildings["A-1"])
    await session.commit()
    return buildings


async def test_each_reader_gets_their_language_in_their_buildings_country(
    session: AsyncSession, beat: dict[str, Building]
) -> None:
    locales = await people.reading_locales(session, [OLGA, IRINA, DILNOZA, AZIZ, NURLAN, ADMIN], default_country="KZ")
    assert locales == {
        OLGA: "ru@UZ",  # Russian, Uzbekistan's wording
        IRINA: "ru",  # Russian as the main catalog has it: Kazakhstan's
        DILNOZA: "uz@KZ",  # Uzbek is worded for Uzbekistan; in Almaty it reads Kazakhstan's police terms
        AZIZ: "en@UZ",  # two of his three buildings are in Uzbekistan
        NURLAN: "en",
    }, "the administrator has no record yet: the caller falls back to the default"
    admin = await people.load_actor(session, ADMIN, is_admin=True, default_country="UZ")
    assert admin.country == "UZ", "an administrator reads COUNTRY's wording"
    olga = await people.load_actor(session, OLGA, is_admin=False, default_country="KZ")
    assert (olga.language, olga.country) == ("ru", "UZ")


async def test_a_uz_and_a_kz_resident_in_russian_read_their_own_terms(
    session: AsyncSession, beat: dict[str, Building], i18n: I18n
) -> None:
    locales = await people.reading_locales(session, [OLGA, IRINA], default_country="KZ")
    march_8 = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    with i18n.context(), i18n.use_locale(locales[OLGA]):
        olga = (_("Your district inspector"), texts.emergency(), texts.operator(None), local_date(march_8, "UTC"))
    with i18n.context(), i18n.use_locale(locales[IRINA]):
        irina = (_("Your district inspector"), texts.emergency(), texts.operator(None), local_date(march_8, "UTC"))
    assert olga[:3] == (
        "Ваш инспектор профилактики",
        "⚠️ Этот бот не служба экстренной помощи. В экстренной ситуации звоните <b>102</b> "
        "(органы внутренних дел) или <b>112</b>.",
        "районный отдел внутренних дел",
    )
    assert irina[:3] == (
        "Ваш участковый инспектор",
        "⚠️ Этот бот не служба экстренной помощи. В экстренной ситуации звоните <b>102</b> (полиция) или <b>112</b>.",
        "районное управление полиции",
    )
    # What the override does not reword comes from the main catalog; Babel formats ru@UZ as Russian.
    with i18n.context(), i18n.use_locale(locales[OLGA]):
        assert _("Your appeals") == "Ваши обращения"
    assert olga[3] == irina[3] == "8 марта 2026"


async def test_uzbek_reads_police_terms_in_kazakhstan_and_its_own_at_home(i18n: I18n) -> None:
    for language, home, abroad in (
        ("uz", "Profilaktika inspektoringiz", "Uchastka politsiya inspektoringiz"),
        ("uz_Cyrl", "Профилактика инспекторингиз", "Участка полиция инспекторингиз"),
        ("kk", "Учаскелік инспекторыңыз", "Профилактика инспекторыңыз"),
        ("en", "Your district inspector", "Your prevention inspector"),
    ):
        away = "KZ" if language.startswith("uz") else "UZ"
        with i18n.context():
            assert i18n.gettext("Your district inspector", locale=language) == home
            assert i18n.gettext("Your district inspector", locale=reading_locale(language, away)) == abroad


async def test_a_building_chat_carries_its_buildings_country(session: AsyncSession, beat: dict[str, Building]) -> None:
    for code, chat_id in (("T-1", -1), ("A-1", -2)):
        session.add(
            BuildingChat(
                building_id=beat[code].id, chat_id=chat_id, title=code, language="ru", active=True, bound_at=CREATED
            )
        )
    await session.commit()
    session.expunge_all()
    chats = {chat.chat_id: chat for chat in await session.scalars(select(BuildingChat))}
    assert reading_locale(chats[-1].language, chats[-1].country) == "ru@UZ"
    assert reading_locale(chats[-2].language, chats[-2].country) == "ru"


def test_a_stored_language_never_carries_the_country() -> None:
    assert [language_of(locale) for locale in ("ru@UZ", "uz_Cyrl@KZ", "kk")] == ["ru", "uz_Cyrl", "kk"]


def test_the_operator_is_named_as_configured_and_escaped(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("kk"):
        assert texts.operator("ОП <Алмалы>") == "ОП &lt;Алмалы&gt;"
        assert texts.operator(None) == "аудандық полиция басқармасы"
