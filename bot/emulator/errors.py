"""Errors answered the way the Bot API answers them."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An unsuccessful Bot API answer: {"ok": false, "error_code", "description", "parameters"?}."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_response(self) -> dict[str, Any]:
        response: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            response["parameters"] = self.parameters
        return response


class SchemaViolation(ApiError):
    """A request Telegram's schema rejects: a bug in the bot, not a runtime condition."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: {detail}")
        self.detail = detail


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")
