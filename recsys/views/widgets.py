"""Recommendation widgets as htmx fragments, and the signed click URL that logs a click and forwards.

Widgets log their impressions when they render; each card links through a signed click URL.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from recsys.models import Widget
from recsys.services import clicks, serving
from recsys.services.reasons import Recommendation
from shop import selectors as shop_selectors
from shop.models import Product

__all__ = ["click", "click_url", "parse_product_param", "widget_fragment", "widget_items"]

CLICK_SALT = "recsys.click"
WIDGET_TITLES: dict[str, str | Promise] = {
    Widget.FOR_YOU: gettext_lazy("For you"),
    Widget.TRENDING: gettext_lazy("Trending"),
    Widget.SIMILAR: gettext_lazy("Similar items"),
    Widget.BOUGHT_TOGETHER: gettext_lazy("Bought together"),
    Widget.FRIENDS: gettext_lazy("Popular with people you follow"),
}
WIDGET_SIZES: dict[str, int] = {
    Widget.FOR_YOU: 8,
    Widget.TRENDING: 8,
    Widget.SIMILAR: 8,
    Widget.BOUGHT_TOGETHER: 4,
    Widget.FRIENDS: 6,
}


def click_url(item: Recommendation) -> str:
    token = signing.dumps(
        [
            item.widget,
            item.product.pk,
            item.position,
            item.model_version_id,
            item.experiment_id,
            item.variant,
        ],
        salt=CLICK_SALT,
        compress=True,
    )
    return reverse("recsys:click") + "?t=" + token


def parse_product_param(raw: str | None) -> Product:
    """The `product` query parameter as a Product; ValueError for a malformed one, Http404 for unknown."""
    if raw is None or not raw.strip().isdigit():
        raise ValueError(_("Give a product id, for example ?product=12."))
    return shop_selectors.product_get_active(product_id=int(raw))


def widget_items(
    *, request: HttpRequest, widget: str, product: Product | None = None, k: int | None = None
) -> list[Recommendation]:
    k = k or WIDGET_SIZES.get(widget, 8)
    if widget in (Widget.FOR_YOU, Widget.FRIENDS):
        return serving.recommendations_for_user(user=request.user, widget=widget, k=k)
    if widget == Widget.TRENDING:
        return serving.trending_products(k=k)
    if widget == Widget.SIMILAR and product is not None:
        return serving.similar_products(product=product, k=k)
    if widget == Widget.BOUGHT_TOGETHER and product is not None:
        return serving.bought_together_products(product=product, k=k)
    raise Http404(_("No such widget."))


@require_GET
def widget_fragment(request: HttpRequest, widget: str) -> HttpResponse:
    if widget not in Widget.values:
        raise Http404(_("No such widget."))
    product = None
    if widget in (Widget.SIMILAR, Widget.BOUGHT_TOGETHER):
        try:
            product = parse_product_param(request.GET.get("product"))
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
    if widget == Widget.FOR_YOU and not serving.personalisation_allowed(request.user):
        # The page's trending widget already shows the non-personal list; do not show it twice.
        items = []
    else:
        items = widget_items(request=request, widget=widget, product=product)
    user_id = request.user.pk if request.user.is_authenticated else None
    clicks.impressions_record(user_id=user_id, recommendations=items)
    cards = [{"item": item, "url": click_url(item)} for item in items]
    return render(
        request,
        "recsys/partials/widget.html",
        {"widget": widget, "title": WIDGET_TITLES[widget], "cards": cards, "product": product},
    )


@require_GET
def click(request: HttpRequest) -> HttpResponse:
    try:
        widget, product_id, position, version_id, experiment_id, variant = signing.loads(
            request.GET.get("t", ""), salt=CLICK_SALT
        )
    except (signing.BadSignature, ValueError, TypeError):
        return HttpResponseBadRequest(_("This recommendation link is not valid."))
    product = shop_selectors.product_get_active(product_id=product_id)
    clicks.click_record(
        user_id=request.user.pk if request.user.is_authenticated else None,
        target=clicks.ClickTarget(
            widget=widget,
            product_id=product.pk,
            position=position,
            model_version_id=version_id,
            experiment_id=experiment_id,
            variant=variant,
        ),
    )
    return redirect(product.get_absolute_url())
