"""A URLconf for tests/common: the real one plus views that fail the way a dying database makes them fail."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


def _terminated() -> OperationalError:
    return OperationalError("terminating connection due to administrator command")


def page_with_dead_database(request: HttpRequest) -> HttpResponse:
    raise _terminated()


class ApiWithDeadDatabase(APIView):
    permission_classes: list = []

    def post(self, request: Request) -> Response:
        raise _terminated()


def page_that_breaks(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug")


urlpatterns = [
    path("faults/page/", page_with_dead_database),
    path("api/faults/dead-database/", ApiWithDeadDatabase.as_view()),
    path("api/faults/bug/", page_that_breaks),
    *real_urlpatterns,
]

handler400 = "common.error_pages.bad_request"
handler403 = "common.error_pages.permission_denied"
handler404 = "common.error_pages.page_not_found"
handler500 = "common.error_pages.server_error"
