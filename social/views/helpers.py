"""Small helpers every social page shares: form errors from a refused rule, and the error answer for htmx or a
plain redirect with a flash message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from common.errors import ServiceError
from common.redirects import safe_next_url
from shop.models import User

__all__ = [
    "PageRequest",
    "SignedInRequest",
    "add_form_errors",
    "add_service_error",
    "error_response",
]


class PageRequest(HttpRequest):
    """A page request as the middleware leaves it: django-htmx's details on `htmx`."""

    htmx: HtmxDetails


class SignedInRequest(PageRequest):
    """A request on a login-required page: `user` is a signed-in shopper."""

    user: User


def add_form_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a refused rule on its field when the form has one, else on the form as a whole."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def error_response(
    request: PageRequest, message: str, fallback: str, status: int = 400
) -> HttpResponse:
    """htmx gets the message as plain text with `status`; a plain form post a flash message and a redirect."""
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(safe_next_url(request, fallback))
