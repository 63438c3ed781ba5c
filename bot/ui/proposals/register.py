"""The proposals register (/proposals): the list, a proposal's card, its buttons, and what its resident reads.

Callback data carries ids and the list's filters only; rights are checked on the server. User text is escaped.
The card says where a proposal comes from but never who sent it: the inspector learnt the resident's first name
when it arrived, and the register is a work-plan document (it feeds the report read to the residents), so it
keeps no names; the resident is told of each move by the bot, so nobody needs to know who to tell.
"""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.services import parts
from bot.services.paging import Page
from bot.services.proposals import COMMENT_LIMIT, SOURCE_BOT, Entry, Step
from bot.services.render import Reader, Render
from bot.ui.callbacks import ProposalAction, ProposalCb, RegisterCb
from bot.ui.formatting import local_date, local_datetime
from bot.ui.keyboards import Keyboard, pager
from models import Proposal, ProposalStatus

FILTER_BUILDINGS = 11  # with "All buildings", three rows of four
LIST_EXCERPT = 70  # characters of each proposal in the list
NOTICE_EXCERPT = 120  # characters of the proposal quoted to its resident
CODES_SHOWN = 3  # building codes of a meeting's proposal shown in the list

STATUSES = {
    ProposalStatus.RECORDED: N_("recorded"),
    ProposalStatus.IN_PLAN: N_("in the work plan"),
    ProposalStatus.DONE: N_("done"),
    ProposalStatus.DECLINED: N_("declined"),
}
STATUS_MARKS = {
    ProposalStatus.RECORDED: "🆕",
    ProposalStatus.IN_PLAN: "📋",
    ProposalStatus.DONE: "✅",
    ProposalStatus.DECLINED: "⛔",
}


def status_label(code: str) -> str:
    return _(STATUSES[ProposalStatus(code)])


def number(proposal: Proposal) -> str:
    return f"№{proposal.id}"


def codes(entry: Entry, limit: int | None = None) -> str:
    shown = entry.building_codes if limit is None else entry.building_codes[:limit]
    text = ", ".join(escape(code) for code in shown) or "—"
    hidden = len(entry.building_codes) - len(shown)
    return text + (f" +{hidden}" if hidden else "")


def register(result: Page[Entry], *, building: str | None, status: str) -> str:
    """The list: a heading with the filters, then a line per proposal."""
    lines = [_("<b>Proposals</b>: {count}").format(count=result.total)]
    filters = []
    if building is not None:
        filters.append(_("building {code}").format(code=escape(building)))
    if status:
        filters.append(status_label(status))
    if filters:
        lines[0] += " · " + ", ".join(filters)
    for entry in result.items:
        proposal = entry.proposal
        lines.append(
            _("{mark} {number} · {buildings} · {date} · {status}").format(
                mark=STATUS_MARKS[ProposalStatus(proposal.status)],
                number=number(proposal),
                buildings=codes(entry, CODES_SHOWN),
                date=local_date(proposal.created_at, entry.timezone),
                status=status_label(proposal.status),
            )
            + "\n"
            + "<i>"
            + escape(_excerpt(proposal.text, LIST_EXCERPT))
            + "</i>"
        )
    if not result.items:
        lines.append(_("No proposals here."))
    return "\n\n".join(lines)


def register_buttons(
    result: Page[Entry], buildings: list[tuple[int, str]], building_id: int, status: str
) -> InlineKeyboardMarkup:
    """A button per proposal (opens its card), the pager, then the building and status filters."""
    builder = Keyboard()
    for entry in result.items:
        proposal = entry.proposal
        builder.button(
            text=f"{STATUS_MARKS[ProposalStatus(proposal.status)]} {number(proposal)} · " + _excerpt(proposal.text, 40),
            callback_data=ProposalCb(
                action=ProposalAction.OPEN,
                proposal_id=proposal.id,
                page=result.page,
                building_id=building_id,
                status=status,
            ),
        )
    builder.adjust(1)
    row = pager(result.page, result.pages, lambda page: RegisterCb(page=page, building_id=building_id, status=status))
    if row is not None:
        builder.attach(row)
    by_building = Keyboard()
    by_building.button(
        text=("• " if building_id == 0 else "") + _("All buildings"), callback_data=RegisterCb(status=status)
    )
    for identifier, code in buildings[:FILTER_BUILDINGS]:
        by_building.button(
            text=("• " if identifier == building_id else "") + code,
            callback_data=RegisterCb(building_id=identifier, status=status),
        )
    by_building.adjust(4)
    builder.attach(by_building)
    by_status = Keyboard()
    for code in ("", *STATUSES):
        name = status_label(code) if code else _("all")
        by_status.button(
            text=("• " if code == status else "") + name, callback_data=RegisterCb(building_id=building_id, status=code)
        )
    by_status.adjust(3)
    builder.attach(by_status)
    return builder.as_markup()


def card(entry: Entry, steps: list[Step]) -> str:
    """The full text, where it comes from, its status and history."""
    proposal = entry.proposal
    lines = [
        _("<b>Proposal {number}</b> · {buildings}").format(number=number(proposal), buildings=codes(entry)),
        _("Status: {status}").format(status=status_label(proposal.status)),
        _source(entry),
        "",
        escape(proposal.text),
        "",
        _("<b>History</b>"),
    ]
    for step in steps:
        line = _("{when} — {status}").format(
            when=local_datetime(step.at, entry.timezone), status=status_label(step.status)
        )
        if step.comment:
            line += ": " + escape(step.comment)
        lines.append(line)
    if proposal.source == SOURCE_BOT:
        lines += [
            "",
            _("The resident who sent it is told of each change.")
            if proposal.resident_id is not None
            else _("Its author has deleted their data: nobody is told of changes."),
        ]
    return "\n".join(lines)


def _source(entry: Entry) -> str:
    proposal = entry.proposal
    if proposal.source == SOURCE_BOT:
        return _("Sent by a resident through the bot on {date}.").format(
            date=local_date(proposal.created_at, entry.timezone)
        )
    if entry.meeting is not None:
        return _("Raised at the meeting of {when}, {place}.").format(
            when=local_datetime(entry.meeting.starts_at, entry.meeting.timezone), place=escape(entry.meeting.place)
        )
    return _("Raised at a meeting.")


def card_buttons(entry: Entry, moves: tuple[str, ...], back: RegisterCb) -> InlineKeyboardMarkup:
    """The moves the proposal's status allows, and back to the list where it was."""
    labels = {
        ProposalStatus.IN_PLAN: _("📋 Into the work plan"),
        ProposalStatus.DONE: _("✅ Done"),
        ProposalStatus.DECLINED: _("⛔ Decline"),
    }
    builder = Keyboard()
    for to in moves:
        builder.button(
            text=labels[ProposalStatus(to)],
            callback_data=ProposalCb(
                action=ProposalAction.MOVE,
                proposal_id=entry.proposal.id,
                to=to,
                page=back.page,
                building_id=back.building_id,
                status=back.status,
            ),
        )
    builder.button(text=_("◀️ Back to the list"), callback_data=back)
    builder.adjust(2, 1)
    return builder.as_markup()


def ask_reason(proposal: Proposal) -> str:
    return (
        _("Why is proposal {number} declined? Write a comment of up to {limit} characters.").format(
            number=number(proposal), limit=COMMENT_LIMIT
        )
        + "\n"
        + (
            _("The resident who sent it will read it.")
            if proposal.resident_id is not None
            else _("It is kept in the register and the report.")
        )
        + "\n"
        + _("(/cancel to stop)")
    )


def moved(proposal: Proposal) -> str:
    """The pop-up after a move."""
    return _("Proposal {number} is now: {status}.").format(
        number=number(proposal), status=status_label(proposal.status)
    )


def cannot_move(proposal: Proposal) -> str:
    """A move the proposal's status no longer allows (a stale card, a second press)."""
    if ProposalStatus(proposal.status) in (ProposalStatus.DONE, ProposalStatus.DECLINED):
        return _("Proposal {number} is {status} already: that is final.").format(
            number=number(proposal), status=status_label(proposal.status)
        )
    return _("Proposal {number} is {status} now: it cannot be moved that way.").format(
        number=number(proposal), status=status_label(proposal.status)
    )


def to_residents(i18n: I18n) -> Render[Proposal]:
    """What the resident who sent a proposal reads about its move, rendered in their language."""

    def render(proposal: Proposal, reader: Reader, /) -> list[parts.Part]:
        with i18n.use_locale(reader.locale):
            return parts.message(to_resident(proposal))

    return render


def to_resident(proposal: Proposal) -> str:
    """What the resident who sent the proposal reads about its move, in their language."""
    quoted = escape(_excerpt(proposal.text, NOTICE_EXCERPT))
    status = ProposalStatus(proposal.status)
    if status == ProposalStatus.DECLINED:
        return _("Your proposal «{text}» was declined: {comment}").format(
            text=quoted, comment=escape(proposal.comment or "")
        )
    if status == ProposalStatus.DONE:
        text = _("✅ Your proposal «{text}» is done. Thank you for it!").format(text=quoted)
    else:
        text = _("📋 Your proposal «{text}» is now in the inspector's work plan.").format(text=quoted)
    if proposal.comment:
        text += "\n" + _("The inspector's comment: {comment}").format(comment=escape(proposal.comment))
    return text


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
