"""Every button's callback data, in one place. Data carries ids and what was asked for, never rights: handlers
check both on the server. Actions are StrEnums, so a handler is chosen by a magic filter on one action
(`StaffCb.filter(F.action == AppealAction.TAKE)`) and made-up values never reach a handler (the fallback refuses them).
The prefixes and values are those of the buttons already sent.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

# --- shared by several dialogs -----------------------------------------------------------------------


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class ConsentCb(CallbackData, prefix="consent"):
    agree: bool


class SkipCb(CallbackData, prefix="skip"):
    step: str  # the dialog's step the Skip button ends


class ConfirmCb(CallbackData, prefix="ok"):
    dialog: str
    yes: bool


class AssignCb(CallbackData, prefix="assign"):
    building_id: int
    inspector_id: int


class CountryCb(CallbackData, prefix="country"):
    """A building's country: chosen while adding it (building_id 0) or changed later."""

    code: str
    building_id: int = 0


class SuccessorCb(CallbackData, prefix="rmi"):
    """Who takes a departing inspector's buildings over (/remove_inspector): an inspector's id, or 0 for the
    administrators."""

    inspector_id: int


class PageCb(CallbackData, prefix="page"):
    listing: str
    page: int


class PickAction(StrEnum):
    TOGGLE = "toggle"
    ALL = "all"
    PAGE = "page"
    DONE = "done"


class PickCb(CallbackData, prefix="pick"):
    """The building picker of a dialog (notice, meeting, report)."""

    dialog: str
    action: PickAction
    building_id: int = 0
    page: int = 0


# --- appeals -----------------------------------------------------------------------------------------


class CategoryCb(CallbackData, prefix="cat"):
    code: str


class IntakeStep(StrEnum):
    NEXT = "next"
    NAMED = "named"
    ANON = "anon"
    CRIME = "crime"  # an anonymous tip of a crime or a threat: urgent
    TIP = "tip"  # an anonymous tip, not urgent
    SEND = "send"
    EDIT = "edit"
    CANCEL = "cancel"


class IntakeCb(CallbackData, prefix="intake"):
    step: IntakeStep


class AppealAction(StrEnum):
    OPEN = "open"
    TAKE = "take"
    REPLY = "reply"
    ASK = "ask"
    RESOLVE = "resolve"
    REJECT = "reject"
    REDIRECT = "redirect"
    EXTEND = "extend"  # the term, with a reason (handlers.inspector.appeal_terms)
    OUTSIDE = "outside"  # not for the police: sent on to another body
    STUDY = "study"  # a proposal needs further study: its author is told (UZ, handlers.inspector.appeal_terms)


class StaffCb(CallbackData, prefix="ap"):
    action: AppealAction
    appeal_id: int


class RedirectCb(CallbackData, prefix="redir"):
    appeal_id: int
    inspector_id: int


class KindCb(CallbackData, prefix="kind"):
    """The law's kind of an appeal, where the building's country has several (bot.services.law)."""

    code: str


class ExtensionCb(CallbackData, prefix="ext"):
    """An administrator (the head) approves or declines an extension of an appeal's term."""

    extension_id: int
    approve: bool


class BodyCb(CallbackData, prefix="body"):
    """The body outside the police an appeal is sent on to: a code of the country's list (bot.services.law)."""

    appeal_id: int
    code: str


class MyAppealAction(StrEnum):
    OPEN = "open"
    REOPEN = "reopen"
    FEEDBACK = "feedback"


class ResidentCb(CallbackData, prefix="my"):
    action: MyAppealAction
    appeal_id: int


class RateCb(CallbackData, prefix="rate"):
    appeal_id: int
    stars: int


class ListCb(CallbackData, prefix="lst"):
    """A page of /my (listing "my") or /queue (listing "q", with its filters)."""

    listing: str
    page: int
    building_id: int = 0
    status: str = ""


class ExportCb(CallbackData, prefix="exp"):
    start: str  # ISO dates: the range is [start, end)
    end: str


# --- questions under notices ---------------------------------------------------------------------------


class QuestionAction(StrEnum):
    APPEAL = "appeal"  # make the question an appeal


class QuestionCb(CallbackData, prefix="qn"):
    action: QuestionAction
    question_id: int


# --- notices and the weekly post ---------------------------------------------------------------------


class NoticeAction(StrEnum):
    SEND = "send"
    EDIT = "edit"
    BUILDINGS = "buildings"
    CANCEL = "cancel"


class NoticeCb(CallbackData, prefix="ntc"):
    action: NoticeAction


class ChatWeekCb(CallbackData, prefix="cw"):
    """Turn the weekly post in one's building chats on or off. It carries the state asked for, never rights."""

    on: bool
    # Pressed under the /chat_week card (the card is redrawn) or under the digest (only the button changes).
    card: bool


# --- meetings ----------------------------------------------------------------------------------------


class MeetingAction(StrEnum):
    YES = "yes"  # will come (in a building chat)
    NO = "no"  # cannot come
    OPEN = "open"  # from the inspector's /meetings: the card as a message of its own
    BACK = "back"  # from a step of the card: the card again, in place
    EDIT = "edit"  # what to change
    EDIT_TIME = "edit_time"
    EDIT_PLACE = "edit_place"
    EDIT_AGENDA = "edit_agenda"
    CANCEL = "cancel"  # asks to confirm
    CANCEL_OK = "cancel_ok"  # the cancellation confirmed
    RESULTS = "results"  # record it as held


RSVP_ACTIONS = frozenset({MeetingAction.YES, MeetingAction.NO})


class MeetingCb(CallbackData, prefix="mt"):
    action: MeetingAction
    meeting_id: int


class PlanMeetingCb(CallbackData, prefix="mtp"):
    """The "Plan a meeting" button of a scheduler reminder: starts /meeting's dialog for this inspector alone."""

    inspector_id: int


class DraftStep(StrEnum):
    """A step of the /meeting preview (publish, time, place, agenda, drop) or of a change's (save, drop)."""

    PUBLISH = "publish"
    TIME = "time"
    PLACE = "place"
    AGENDA = "agenda"
    DROP = "drop"
    SAVE = "save"


class MeetingDraftCb(CallbackData, prefix="mtd"):
    step: DraftStep


class ResultsStep(StrEnum):
    SKIP = "skip"  # the minutes
    DONE = "done"  # no more proposals
    SAVE = "save"
    CANCEL = "cancel"


class ResultsCb(CallbackData, prefix="mres"):
    step: ResultsStep
    meeting_id: int


# --- proposals ---------------------------------------------------------------------------------------


class ProposeStep(StrEnum):
    SEND = "send"
    CANCEL = "cancel"


class ProposeCb(CallbackData, prefix="prop"):
    step: ProposeStep


class RegisterCb(CallbackData, prefix="preg"):
    """A page of the register with its filters (0 and "" for all)."""

    page: int = 0
    building_id: int = 0
    status: str = ""


class ProposalAction(StrEnum):
    OPEN = "open"
    MOVE = "move"  # to `to`


class ProposalCb(CallbackData, prefix="pcard"):
    """A proposal's card: open, or move to `to`; the list's place, to go back to it."""

    action: ProposalAction
    proposal_id: int
    to: str = ""
    page: int = 0
    building_id: int = 0
    status: str = ""


# --- quarterly reports -------------------------------------------------------------------------------


class ReportAction(StrEnum):
    QUARTER = "quarter"  # with its key
    OFFENCES_DONE = "offences_done"
    PUBLISH = "publish"
    EDIT = "edit"
    CHANGE = "change"  # with the part
    CANCEL = "cancel"


class ReportCb(CallbackData, prefix="rep"):
    action: ReportAction
    quarter: str = ""
    part: str = ""  # what to change: period, offences, measures, plans


class ArchiveAction(StrEnum):
    PAGE = "page"
    OPEN = "open"
    PDF = "pdf"
    CONTINUE = "continue"
    DELETE = "delete"


class ArchiveCb(CallbackData, prefix="rpa"):
    action: ArchiveAction
    report_id: int = 0
    page: int = 0


# --- oral appeals and answer templates -----------------------------------------------------------------


class OralStep(StrEnum):
    BUILDING = "b"  # value: the building's id
    CHANNEL = "ch"  # value: in_person, phone, meeting
    SKIP = "skip"
    RESIDENT = "who"  # value: the registered resident's id, "0": none of them
    CATEGORY = "cat"  # value: the category
    NEXT = "next"
    RECORD = "rec"
    CANCEL = "cancel"


class OralCb(CallbackData, prefix="oral"):
    """A step of /record_appeal."""

    step: OralStep
    value: str = ""


class TemplateAction(StrEnum):
    ADD = "add"
    LANGUAGE = "lang"  # with language
    DELETE = "del"  # with template_id
    USE = "use"  # with template_id and appeal_id: the template answers the appeal


class TemplateCb(CallbackData, prefix="tpl"):
    action: TemplateAction
    template_id: int = 0
    appeal_id: int = 0
    language: str = ""
