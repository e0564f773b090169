"""The one error type a service raises when a rule refuses a request, and what it means over HTTP.

Services raise `ServiceError(message, code=..., field=...)`; the API's exception handler (`common.api`) turns it into
a JSON 4xx, forms show `message` on `field`, consumers send it as an error frame. Django's own
`ValidationError`, `PermissionDenied` and `Http404` keep working alongside it.
"""

from __future__ import annotations

__all__ = ["CONFLICT_CODES", "ServiceError", "status_for_code"]

# Codes whose refusal is about the current state of a shared resource rather than the input.
CONFLICT_CODES = frozenset(
    {
        "conflict",
        "full",
        "expired",
        "already_joined",
        "closed",
        "not_member",
        "out_of_stock",
        "sold_out",
    }
)

_STATUS_BY_CODE = {
    "not_found": 404,
    "forbidden": 403,
    "suspended": 403,
    "rate_limited": 429,
    "unavailable": 503,
}


def status_for_code(code: str) -> int:
    """The HTTP status a refusal with this code answers with (400 unless named above)."""
    if code in CONFLICT_CODES:
        return 409
    return _STATUS_BY_CODE.get(code, 400)


class ServiceError(Exception):
    """A rule refused the request. `message` is shown to the person, `field` names the input at fault (None for
    the request as a whole) and `code` is stable, machine-readable, and picks the HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status

    @property
    def status_code(self) -> int:
        """`status` when the rule names one (a refused payment is 402), else the status of `code`."""
        return self.status if self.status is not None else status_for_code(self.code)

    @property
    def messages(self) -> list[str]:
        """The message as a list, the way forms and Django's ValidationError hand messages around."""
        return [self.message]
