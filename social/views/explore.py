"""The explore page: posts with photos as a masonry grid, ranked for the shopper, loading more as they scroll."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from social import selectors
from social.views.helpers import PageRequest


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 1


def explore(request: PageRequest) -> HttpResponse:
    page = selectors.explore_page(viewer=request.user, page=_page_number(request.GET.get("page")))
    context = {"page": page}
    if request.htmx and request.GET.get("page"):
        return render(request, "social/partials/explore_page.html", context)
    return render(request, "social/explore.html", context)
