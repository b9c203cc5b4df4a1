"""Domain errors: services refuse with a stable code; one place maps them to responses."""

from __future__ import annotations

from portal.core.i18n import gettext as _


class DomainError(Exception):
    """A service refused; `code` is stable (tests assert it), `message` is for people."""

    status_code = 409

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The record does not exist or this user may not see it (the same answer for both)."""

    status_code = 404

    def __init__(self, message: str | None = None) -> None:
        super().__init__("not_found", message or _("Not found."))


class ValidationFailed(DomainError):
    """Input did not pass validation; `errors` maps field names to messages."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid", _("Please correct the marked fields."))
        self.errors = errors
