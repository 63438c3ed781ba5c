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
    AppealStatus.REDIRECTED_OUT: N_("sent to another body"),
}

COUNTRIES = {"KZ": N_("🇰🇿 Kazakhstan"), "UZ": N_("🇺🇿 Uzbekistan")}

# The law's kinds of appeal (bot.services.law): a name, and one plain sentence to choose by.
KINDS = {
    "appeal": (N_("Appeal"), N_("Any request, complaint or report to the inspector.")),
    "application": (
        N_("Application"),
        N_("You ask for help or for something to be checked or done: a problem, a violation, your rights."),
    ),
    "complaint": (
        N_("Complaint"),
        N_("Your rights or interests were harmed by someone's actions or decisions, officials' included."),
    ),
    "proposal": (N_("Proposal"), N_("You suggest how to make life in your building or neighbourhood better.")),
}

# Bodies outside the police that appeals are commonly sent on to (the country's list is in its law file).
BODIES = {
    "akimat": N_("Akimat (local executive body)"),
    "hokimiyat": N_("Hokimiyat (local administration)"),
    "utilities": N_("Utilities and housing services"),
    "housing_inspection": N_("Housing inspection"),
    "prosecutor": N_("Prosecutor's office"),
    "social_protection": N_("Social protection department"),
    "mahalla": N_("Mahalla citizens' assembly"),
}


def category(code: str) -> str:
    return _(CATEGORIES[Category(code)])


def status(code: str) -> str:
    return _(STATUSES[AppealStatus(code)])


def kind(code: str) -> str:
    return _(KINDS[code][0]) if code in KINDS else code


def kind_hint(code: str) -> str:
    return _(KINDS[code][1]) if code in KINDS else ""


def body(code: str) -> str:
    return _(BODIES[code]) if code in BODIES else code


def country(code: str) -> str:
    return _(COUNTRIES[code]) if code in COUNTRIES else code
