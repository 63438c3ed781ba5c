"""Domain errors: handlers turn each into a sentence in the reader's language."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a service makes for a reason the user can fix or should know."""


class InvalidValue(DomainError):
    def __init__(self, field: str, value: str = "") -> None:
        super().__init__(f"invalid {field}")
        self.field = field
        self.value = value


class UnknownBuilding(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown building {code!r}")
        self.code = code


class BuildingCodeTaken(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"building code {code!r} is taken")
        self.code = code


class UnknownInspector(DomainError):
    pass


class AlreadyInspector(DomainError):
    pass


class NotAllowed(DomainError):
    """The actor has no right to this action (checked on the server, whatever the client sent)."""


class Gone(DomainError):
    """The object asked for does not exist (deleted meanwhile, or a made-up id): its kind is the subclass."""


class AppealGone(Gone):
    pass


class MeetingGone(Gone):
    """No such meeting, or not one this chat was told about (forged callback data lands here)."""


class ProposalGone(Gone):
    pass


class QuestionGone(Gone):
    """No such question (deleted at the asker's request, or a made-up id)."""


class ReportGone(Gone):
    """No such report (deleted, or a made-up id)."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this (an appeal closed already, reopened once already...)."""

    def __init__(self, status: str | None = None) -> None:
        super().__init__(status or "invalid transition")
        # The status the object is in now: when another press won the race, what it did.
        self.status = status


class RateLimited(DomainError):
    """Too many of these from one person in the last hour."""


class ChatBoundElsewhere(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"chat already bound to {code!r}")
        self.code = code


class StaffCannotForget(DomainError):
    """An inspector's record is removed by an administrator, not by /forget_me."""


class ImportFailed(DomainError):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {text}" for line, text in problems))
        self.problems = problems
