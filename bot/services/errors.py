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
