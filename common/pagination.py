"""Page-numbered API lists: `?page=` is a whole number from 1. Anything else is a 400 naming the parameter (DRF
answers a bare 404 "Invalid page."); a page past the last one stays a 404. The schema says so (`minimum: 1`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination

__all__ = ["PAGE_MAX", "PageNumberPagination"]

# Page numbers are parsed as at most 12 digits everywhere (shop.selectors.page_number_parse).
PAGE_MAX = 10**12 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request: Any, paginator: Any) -> int:
        values = [value.strip() for value in request.query_params.getlist(self.page_query_param)]
        given = [value for value in values if value]
        raw = given[0] if len(given) == 1 else "1"
        valid = raw.isascii() and raw.isdigit() and 1 <= int(raw[:13]) <= PAGE_MAX
        if len(given) > 1 or not valid:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Page must be a whole number from 1.")]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}
        return parameters
