"""Catalogue pages: home, category, product list and search (htmx swaps the results), product page with
reviews, wishlist and back-in-stock alerts. Views parse input, call one selector or service and render."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.edge_cache import edge_cacheable
from common.redirects import safe_next_url
from shop import selectors, services
from shop.forms.catalog import ReviewForm
from shop.models import Review
from shop.views import HtmxHttpRequest, SignedInHttpRequest

PAGE_SIZE = 24


def _page_number(request: HtmxHttpRequest, name: str = "page") -> int:
    try:
        return selectors.page_number_parse(request.GET.get(name))
    except ValidationError:
        return 1


@require_GET
@edge_cacheable
def home(request: HtmxHttpRequest) -> HttpResponse:
    sections = cache.get_or_set(
        f"shop:home:{selectors.catalogue_cache_version()}:{get_language()}",
        selectors.home_sections,
        RESULTS_CACHE_SECONDS,
    )
    return render(request, "shop/home.html", {"sections": sections})


RESULTS_CACHE_SECONDS = 60


# The page around the results, rendered once per filter set for visitors without a session and reused for
# every page number: only the results and the current path (the language form's "next") differ between pages.
SHELL_RESULTS_MARKER = "<!--socialshop:results-->"
SHELL_PATH_MARKER = "/__socialshop_current_path__"


def _results_cache_keys(request: HtmxHttpRequest, category, version: int) -> tuple[str, str, str]:
    """(fragment key, count key, shell key). Same filters, page and language -> same fragment; same filters
    on any page -> same count and, per language, the same shell; a catalogue write changes the version."""
    params = sorted((key, value) for key, values in request.GET.lists() for value in values)
    category_id = category.id if category else None
    language = get_language()
    fragment = hashlib.sha1(repr((category_id, params, language)).encode()).hexdigest()
    filters = [(key, value) for key, value in params if key != "page"]
    count = hashlib.sha1(repr((category_id, filters)).encode()).hexdigest()
    shell = hashlib.sha1(repr((category_id, filters, language)).encode()).hexdigest()
    return (
        f"shop:results:{version}:{fragment}",
        f"shop:count:{version}:{count}",
        f"shop:shell:{version}:{shell}",
    )


def _product_listing(request: HtmxHttpRequest, *, category=None) -> HttpResponse:
    """Filter form + results. The results fragment is cached for a minute per filter set (it is the same for
    every visitor), and for visitors without a session so is the page around it; bad filters answer 400
    with the form's messages."""
    params = request.GET.copy()
    params.pop("page", None)
    version = selectors.catalogue_cache_version()
    context = {
        "category": category,
        "params": request.GET,
        "filters_active": any(
            value for key, value in request.GET.items() if key not in {"q", "page"}
        ),
        "query_string": params.urlencode(),
        "sorts": _sort_choices(),
        "all_categories": selectors.category_list_cached(version=version)
        if category is None
        else [],
        "errors": {},
        "facets": selectors.attribute_facets_cached(version=version),
        "selected_options": {
            part.strip().lower()
            for raw in request.GET.getlist("option")
            for part in raw.split(",")
            if part.strip()
        },
    }
    key, count_key, shell_key = _results_cache_keys(request, category, version)
    # The shell holds the anonymous navigation and the CSRF placeholder, so only edge-cache candidates share it.
    shareable_shell = getattr(request, "edge_cache_candidate", False) and not request.htmx
    cached = cache.get_many([key, count_key, shell_key] if shareable_shell else [key, count_key])
    results_html = cached.get(key)
    status = 200
    fresh: dict[str, object] = {}
    if results_html is None:
        try:
            filters = selectors.product_filters_parse(request.GET, category=category)
            page = selectors.product_page(
                filters=filters,
                page=_page_number(request),
                per_page=PAGE_SIZE,
                known_count=cached.get(count_key),
            )
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            status = 400
            filters, page = None, None
        # No request: the fragment needs no context processors (and must not depend on the visitor).
        results_html = render_to_string(
            "shop/partials/product_results.html", {**context, "filters": filters, "page": page}
        )
        if status == 200:
            fresh[key] = results_html
            if count_key not in cached and page is not None:
                fresh[count_key] = page.count
    if request.htmx:
        response = HttpResponse(results_html, status=status)
    elif shareable_shell and status == 200:
        shell = cached.get(shell_key)
        if shell is None:
            shell = render_to_string(
                "shop/product_list.html",
                {
                    **context,
                    "results_html": mark_safe(SHELL_RESULTS_MARKER),  # noqa: S308 - a constant
                    "current_path": SHELL_PATH_MARKER,
                },
                request=request,
            )
            fresh[shell_key] = shell
        page_html = shell.replace(SHELL_RESULTS_MARKER, results_html, 1).replace(
            SHELL_PATH_MARKER, escape(request.get_full_path()), 1
        )
        response = HttpResponse(page_html)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
    else:
        context["results_html"] = mark_safe(results_html)  # noqa: S308 - rendered by our own template
        response = render(request, "shop/product_list.html", context, status=status)
    if fresh:
        cache.set_many(fresh, RESULTS_CACHE_SECONDS)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _sort_choices() -> list[tuple[str, str]]:
    return [
        ("", _("Best match / newest")),
        ("price_asc", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
        ("newest", _("Newest")),
        ("rating", _("Top rated")),
        ("popular", _("Most popular")),
    ]


@require_GET
@edge_cacheable
def product_list(request: HtmxHttpRequest) -> HttpResponse:
    return _product_listing(request)


@require_GET
@edge_cacheable
def category(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _product_listing(request, category=selectors.category_get(slug=slug))


def _product_page(
    request: HtmxHttpRequest, slug: str, *, form: ReviewForm | None = None, status=200
):
    detail = selectors.product_detail(
        slug=slug, user=request.user, review_page_number=_page_number(request, "reviews_page")
    )
    if form is None:
        initial = {}
        if detail.own_review:
            initial = {
                "rating": detail.own_review.rating,
                "title": detail.own_review.title,
                "body": detail.own_review.body,
            }
        form = ReviewForm(initial=initial)
    choice = selectors.variant_choice(
        product=detail.product,
        variant_id=selectors.variant_id_parse(request.GET.get("variant")),
        user_id=request.user.id if request.user.is_authenticated else None,
        product_picture=False,  # the page falls back to the product's own first picture
    )
    response = render(
        request,
        "shop/product_detail.html",
        {
            "detail": detail,
            "product": detail.product,
            "review_form": form,
            "choice": choice,
            "gallery_images": selectors.variant_gallery(choice=choice, images=detail.images),
        },
        status=status,
    )
    return detail, response


@require_GET
def product_variant(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The buy panel for another option (htmx swaps it in place, with the option's picture out of band);
    without htmx, the product page with that option chosen. An unknown option, or one of another product: 404.
    """
    product_obj = selectors.product_get_active(slug=slug)
    raw = request.GET.get("variant") or request.GET.get("variant_id")
    variant_id = selectors.variant_id_parse(raw)
    if variant_id is None:
        raise Http404(_("This option is not available."))
    if request.GET.get("panel") == "summary":
        # The picker inside another form (a group buy's open/join): the option's price, picture and picker.
        # The field keeps that form's name ("variant"); without htmx the radio simply stays chosen.
        if not request.htmx:
            return redirect(f"{product_obj.get_absolute_url()}?variant={variant_id}")
        summary = selectors.variant_choice(
            product=product_obj, variant_id=variant_id, strict=True, product_picture=True
        )
        response = render(
            request,
            "shop/partials/variant_summary.html",
            {
                "product": product_obj,
                "choice": summary,
                "field_name": "variant",
                "legend": _("Size / colour"),
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    choice = selectors.variant_choice(
        product=product_obj,
        variant_id=variant_id,
        user_id=request.user.id if request.user.is_authenticated else None,
        strict=True,
        product_picture=False,  # the gallery below shows the product's pictures after the option's own
    )
    if not request.htmx:
        return redirect(f"{product_obj.get_absolute_url()}?variant={variant_id}")
    response = render(
        request,
        "shop/partials/variant_panel.html",
        {
            "product": product_obj,
            "choice": choice,
            "oob": True,
            "gallery_images": selectors.variant_gallery(
                choice=choice, images=selectors.product_images(product_id=product_obj.id)
            ),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def product(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    detail, response = _product_page(request, slug)
    services.product_view_record(
        product_id=detail.product.id,
        user_id=request.user.id if request.user.is_authenticated else None,
        session_key=request.session.session_key or "",
    )
    return response


@login_required
@require_POST
def review_save(request: SignedInHttpRequest, slug: str) -> HttpResponse:
    product_obj = selectors.product_get_active(slug=slug)
    form = ReviewForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.review_save(
                user=request.user,
                product=product_obj,
                rating=form.cleaned_data["rating"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                photo=form.cleaned_data["photo"],
                remove_photo=form.cleaned_data["remove_photo"],
                share=form.cleaned_data["share"],
            )
        except ValidationError as exc:
            for field, field_errors in exc.message_dict.items():
                for error in field_errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Thank you, your review is saved."))
            return redirect(product_obj.get_absolute_url() + "#reviews")
    return _product_page(request, slug, form=form, status=400)[1]


@login_required
@require_POST
def review_delete(request: SignedInHttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        Review.objects.select_related("product"), id=review_id, user=request.user
    )
    slug = review.product.slug
    services.review_delete(review=review, actor=request.user)
    messages.success(request, _("Your review was deleted."))
    return redirect("shop:product", slug=slug)


@login_required
@require_GET
def wishlist(request: SignedInHttpRequest) -> HttpResponse:
    return render(
        request, "shop/wishlist.html", {"products": selectors.wishlist_for_user(user=request.user)}
    )


@login_required
@require_POST
def wishlist_toggle(request: SignedInHttpRequest, product_id: int) -> HttpResponse:
    product_obj = selectors.product_get_active(product_id=product_id)
    if request.POST.get("action") == "remove":
        services.wishlist_remove(user=request.user, product_id=product_obj.id)
        in_wishlist = False
    else:
        services.wishlist_add(user=request.user, product=product_obj)
        in_wishlist = True
    if request.htmx:
        return render(
            request,
            "shop/partials/wishlist_button.html",
            {"product": product_obj, "in_wishlist": in_wishlist},
        )
    messages.success(
        request,
        _("Added to your wishlist.") if in_wishlist else _("Removed from your wishlist."),
    )
    return redirect(safe_next_url(request, product_obj.get_absolute_url(), use_referer=True))


@login_required
@require_POST
def stock_alert(request: SignedInHttpRequest, product_id: int) -> HttpResponse:
    product_obj = selectors.product_get_active(product_id=product_id)
    try:
        services.stock_alert_create(
            user=request.user, product=product_obj, variant_id=request.POST.get("variant_id")
        )
    except ValidationError as exc:
        message, status = exc.messages[0], 400
    else:
        message, status = _("We will tell you when it is back in stock."), 200
    if request.htmx:
        if status == 200:
            return HttpResponse(format_html('<p role="status">{}</p>', message))
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(product_obj.get_absolute_url())


urlpatterns = [
    path("", home, name="home"),
    path("products/", product_list, name="product_list"),
    path("category/<slug:slug>/", category, name="category"),
    path("product/<slug:slug>/", product, name="product"),
    path("product/<slug:slug>/review/", review_save, name="review_save"),
    path("product/<slug:slug>/variant/", product_variant, name="product_variant"),
    path("reviews/<int:review_id>/delete/", review_delete, name="review_delete"),
    path("wishlist/", wishlist, name="wishlist"),
    path("wishlist/<int:product_id>/toggle/", wishlist_toggle, name="wishlist_toggle"),
    path("product/<int:product_id>/stock-alert/", stock_alert, name="stock_alert"),
]
