"""Where to send a person after a form: the `next` they asked for when it stays on this site, else a fallback."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

__all__ = ["safe_next_url"]


def safe_next_url(request: HttpRequest, fallback: str, *, use_referer: bool = False) -> str:
    """`next` from the POST body or the query string (or the Referer when `use_referer`), if it points at this
    host with an allowed scheme (https only when the request itself is secure); otherwise `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target and use_referer:
        target = request.headers.get("Referer") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
