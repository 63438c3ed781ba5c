"""Names of categories and statuses, translated when shown."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from models import AppealStatus, Category

CATEGORIES = {
    Category.PUBLIC_ORDER: N_("Public order and noise"),
    Category.DOMESTIC: N_("Domestic conflict"),
    Category.YOUTH: N_("Children and youth"),
    Category.THEFT_FRAUD: N_("Theft and fraud"),
    Category.TRAFFIC: N_("Traffic and parking"),
    Category.DRUGS_ALCOHOL: N_("Drugs and alcohol"),
    Category.OTHER: N_("Other"),
}

STATUSES = {
    AppealStatus.NEW: N_("new"),
    AppealStatus.IN_PROGRESS: N_("in progress"),
    AppealStatus.ANSWERED: N_("answered"),
    AppealStatus.RESOLVED: N_("resolved"),
    AppealStatus.REJECTED: N_("rejected"),
    AppealStatus.REDIRECTED: N_("redirected"),
}


def category(code: str) -> str:
    return _(CATEGORIES[Category(code)])


def status(code: str) -> str:
    return _(STATUSES[AppealStatus(code)])
