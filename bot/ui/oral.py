"""The receipt of an oral appeal: a message and a one-page PDF to hand over or send (law facts KZ3, KZ5).

It shows the number, the date and time of receipt, the applicant, how and by whom it was accepted (name and
position), the address, the category, the essence and the answer's due date by law. Drawn in the current gettext
locale with DejaVu Sans (Cyrillic and the Kazakh and Uzbek letters), as the report's page is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import cast

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.services import law
from bot.services.oral import CHANNELS
from bot.ui import keyboards, labels, texts
from bot.ui.appeals.marks import channel
from bot.ui.appeals.terms import term as term_name
from bot.ui.callbacks import OralCb, OralStep
from bot.ui.formatting import local_date, local_datetime
from bot.ui.keyboards import Keyboard
from bot.ui.reports.pdf import FONT, plain, printable
from bot.ui.reports.plotting import FONT_BOLD, FONT_REGULAR
from models import Appeal, Inspector, User

MARGIN = 16  # millimetres
ESSENCE_LIMITS = (2500, 2000, 1600, 1200, 800, 500, 200)  # characters of a text too long for the page, tried in turn
ESSENCE_LINES = 15  # lines kept as lines in a shortened text; the rest run on
TAIL_SPACING = 16.0  # millimetres of space between the parts under the text


@dataclass(frozen=True)
class Receipt:
    number: int
    received_at: datetime
    timezone: str
    channel: str
    applicant: str
    contact: str | None
    address: str
    flat: str | None
    category: str
    kind: str | None  # shown where the country's law distinguishes kinds
    due_at: datetime
    term: str  # the statutory term, named: "15 working days by …"
    accepted_by: str
    position: str
    text: str


def receipt_of(appeal: Appeal, inspector: Inspector | None, staff_name: str) -> Receipt:
    """The receipt's values; `inspector` is who accepted it (None: an administrator, named by `staff_name`)."""
    assert appeal.oral is not None
    return Receipt(
        number=appeal.number,
        received_at=appeal.created_at,
        timezone=appeal.building.timezone,
        channel=appeal.oral.channel,
        applicant=appeal.oral.applicant_name,
        contact=appeal.oral.contact,
        address=appeal.building.address,
        flat=appeal.flat,
        category=appeal.category,
        kind=appeal.kind if law.rules(appeal.building.country).asks_kind else None,
        due_at=appeal.due_at,
        term=statutory_term(appeal),
        accepted_by=inspector.full_name if inspector is not None else staff_name,
        position=inspector.rank if inspector is not None else "",
        text=appeal.text,
    )


def statutory_term(appeal: Appeal) -> str:
    """ "15 working days by <the law>", as plain text (the receipt escapes or prints it)."""
    rules = law.rules(appeal.building.country)
    return _("{term} by {law}").format(term=term_name(rules.kinds[rules.kind(appeal.kind)]), law=rules.law)


def _fields(receipt: Receipt) -> list[tuple[str, str]]:
    address = receipt.address + (_(", flat {flat}").format(flat=receipt.flat) if receipt.flat else "")
    accepted = ", ".join(filter(None, [receipt.accepted_by, receipt.position, _("district inspector")]))
    rows = [
        (_("Received"), local_datetime(receipt.received_at, receipt.timezone)),
        (_("How"), channel(receipt.channel)),
        (_("Applicant"), receipt.applicant),
    ]
    if receipt.contact:
        rows.append((_("Contact"), receipt.contact))
    rows += [
        (_("Address"), address),
        (_("Category"), labels.category(receipt.category)),
        *([(_("Kind"), labels.kind(receipt.kind))] if receipt.kind else []),
        (_("Answer due by law"), f"{local_date(receipt.due_at, receipt.timezone)} ({receipt.term})"),
        (_("Accepted by"), accepted),
    ]
    return rows


def title(number: int) -> str:
    return _("Receipt of an oral appeal №{number}").format(number=number)


def keep_note() -> str:
    return _("Keep this receipt: give its number when you ask about the appeal. The answer comes by the date above.")


def receipt_text(receipt: Receipt) -> str:
    lines = [f"🧾 <b>{escape(title(receipt.number))}</b>", ""]
    lines += [f"<b>{escape(label)}:</b> {escape(value)}" for label, value in _fields(receipt)]
    lines += ["", f"<b>{escape(_('Essence of the appeal'))}:</b>", escape(receipt.text), "", keep_note()]
    return "\n".join(lines)


def receipt_pdf(receipt: Receipt) -> bytes:
    """One A4 page, drawn once: a long text is shortened (with a note) to what the page holds, measured first.

    Slow enough (the fonts are read each time) to be called through `asyncio.to_thread` from a handler.
    """
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_REGULAR)
    pdf.add_font(FONT, "B", FONT_BOLD)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(printable(title(receipt.number)))
    pdf.set_creator("inspector-bot")
    pdf.set_lang(get_i18n().current_locale)
    pdf.set_creation_date(receipt.received_at.astimezone(UTC))
    pdf.add_page()

    def write(text: str, size: float = 11, style: str = "", height: float = 6, *, dry: bool = False) -> float:
        pdf.set_font(FONT, style, size)
        if dry:
            return cast(float, pdf.multi_cell(0, height, printable(text), dry_run=True, output="HEIGHT"))
        pdf.multi_cell(0, height, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return 0.0

    tail = [
        (_("(shortened; the full text is kept with the appeal)"), 9.0, "", 5.0),
        (keep_note(), 10.0, "", 5.5),
        (plain(texts.emergency()), 10.0, "B", 5.5),
        (_("Signature of the person who accepted it: ____________________"), 10.0, "", 6.0),
    ]
    write(title(receipt.number), size=15, style="B", height=8)
    pdf.ln(3)
    for label, value in _fields(receipt):
        # Bold label, then the value flowing after it and wrapping under it: no column a long label would overrun.
        pdf.set_font(FONT, "B", 11)
        pdf.write(6.5, printable(label + ": "))
        pdf.set_font(FONT, "", 11)
        pdf.write(6.5, printable(value))
        pdf.ln(6.5)
    pdf.ln(3)
    write(_("Essence of the appeal") + ":", style="B")
    room = pdf.page_break_trigger - pdf.get_y() - sum(write(*line, dry=True) for line in tail) - TAIL_SPACING
    essence = _essence(receipt.text, lambda text: write(text, 10.5, "", 5.5, dry=True) <= room)
    write(essence, size=10.5, height=5.5)
    shortened, note, emergency, signature = tail
    if essence != receipt.text:
        write(*shortened)
    pdf.ln(4)
    write(*note)
    pdf.ln(2)
    write(*emergency)
    pdf.ln(10)
    write(*signature)
    return bytes(pdf.output())


def _essence(text: str, fits: Callable[[str], bool]) -> str:
    """The appeal's text, or its longest shortening that fits (at most so many lines, then so many characters)."""
    if fits(text):
        return text
    lines = text.splitlines()
    flat = "\n".join(lines[:ESSENCE_LINES]) + (
        " " + " ".join(lines[ESSENCE_LINES:]) if len(lines) > ESSENCE_LINES else ""
    )
    for limit in ESSENCE_LIMITS:
        shortened = flat if len(flat) <= limit else flat[: limit - 1] + "…"
        if fits(shortened):
            return shortened
    return shortened


def filename(number: int) -> str:
    return f"receipt-{number}.pdf"


# --- the /record_appeal dialog


def buildings_markup(rows: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for building_id, code in rows:
        builder.button(text=code, callback_data=OralCb(step=OralStep.BUILDING, value=str(building_id)))
    builder.adjust(4)
    return builder.as_markup()


def channels_markup() -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code in CHANNELS:
        builder.button(text=channel(code), callback_data=OralCb(step=OralStep.CHANNEL, value=code))
    builder.adjust(1)
    return builder.as_markup()


def skip_markup() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Skip ➡️"), callback_data=OralCb(step=OralStep.SKIP))
    return builder.as_markup()


def residents_markup(people: list[User]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for person in people:
        name = " ".join(filter(None, [person.first_name, person.last_name]))
        if person.username:
            name += f" (@{person.username})"
        builder.button(
            text=_("It is {name}").format(name=name), callback_data=OralCb(step=OralStep.RESIDENT, value=str(person.id))
        )
    builder.button(text=_("None of them"), callback_data=OralCb(step=OralStep.RESIDENT, value="0"))
    builder.adjust(1)
    return builder.as_markup()


def categories_markup() -> InlineKeyboardMarkup:
    return keyboards.categories(lambda code: OralCb(step=OralStep.CATEGORY, value=code.value))


def next_markup() -> InlineKeyboardMarkup:
    return keyboards.next_step(OralCb(step=OralStep.NEXT))


def confirm_markup() -> InlineKeyboardMarkup:
    return keyboards.buttons(
        (_("✅ Record the appeal"), OralCb(step=OralStep.RECORD)), (_("Cancel"), OralCb(step=OralStep.CANCEL))
    )


def summary(
    *,
    building: str,
    channel_code: str,
    applicant: str,
    contact: str | None,
    flat: str | None,
    registered: str | None,
    category: str,
    kind: str | None,
    text: str,
    attachments: int,
) -> str:
    lines = [
        _("<b>Check the oral appeal</b>"),
        "🏢 " + escape(building) + (_(", flat {flat}").format(flat=escape(flat)) if flat else ""),
        _("Received: {channel}").format(channel=channel(channel_code)),
        _("Applicant: {applicant}").format(applicant=escape(applicant)) + (f", {escape(contact)}" if contact else ""),
        _("In the bot: {name} — the receipt and the answers go to their chat").format(name=escape(registered))
        if registered
        else _("Not in the bot: hand over or send the receipt yourself"),
        _("Category: {category}").format(category=labels.category(category)),
        *([_("Kind: {kind}").format(kind=labels.kind(kind))] if kind else []),
        _("Attachments: {count}").format(count=attachments),
        "",
        escape(text),
    ]
    return "\n".join(lines)


def to_resident(receipt: Receipt) -> str:
    return (
        _(
            "🧾 The inspector registered your oral appeal as <b>№{number}</b>. The answer will come here; "
            "/my shows the appeal."
        ).format(number=receipt.number)
        + "\n\n"
        + receipt_text(receipt)
    )
