"""Voucher codes on the cart and at checkout. With htmx the answer is the refreshed cart (or checkout summary);
a refused code is a 400/403/409 whose body is the message (shown by static/js/app.js). A plain form post gets a
redirect, or the cart page with the message on the code field and the refusal's status."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import ServiceError
from shop import selectors, services
from shop.forms.voucher import VOUCHER_NEXT, VoucherForm
from shop.views import HtmxHttpRequest
from shop.views.commerce import CART_CHANGED, _cart_for_write, _current_cart


def _answer(request: HtmxHttpRequest, where: str) -> HttpResponse:
    cart = selectors.cart_view(cart=_current_cart(request))
    if where == "checkout":
        method = request.POST.get("shipping_method", "standard")
        method = method if method in selectors.SHIPPING_METHODS else "standard"
        summary = selectors.checkout_summary(cart=cart, shipping_method=method)
        return render(request, "shop/partials/checkout_summary.html", {"summary": summary})
    summary = selectors.checkout_summary(cart=cart, shipping_method="standard")
    response = render(
        request, "shop/partials/cart_contents.html", {"cart": cart, "summary": summary}
    )
    response["HX-Trigger"] = CART_CHANGED
    return response


def _refused(request: HtmxHttpRequest, *, message: str, status: int, code: str) -> HttpResponse:
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    cart = selectors.cart_view(cart=_current_cart(request))
    summary = selectors.checkout_summary(cart=cart, shipping_method="standard")
    return render(
        request,
        "shop/cart.html",
        {"cart": cart, "summary": summary, "voucher_error": message, "voucher_input": code},
        status=status,
    )


@require_POST
def cart_voucher_apply(request: HtmxHttpRequest) -> HttpResponse:
    form = VoucherForm(request.POST)
    code = str(request.POST.get("code", ""))[:32]
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _refused(request, message=str(first), status=400, code=code)
    where = form.cleaned_data.get("next") or "cart"
    try:
        quote = services.voucher_apply(
            cart=_cart_for_write(request), code=form.cleaned_data["code"]
        )
    except ServiceError as exc:
        return _refused(request, message=exc.message, status=exc.status_code, code=code)
    if request.htmx:
        return _answer(request, where)
    messages.success(request, _("Voucher %(code)s applied.") % {"code": quote.code})
    return redirect(VOUCHER_NEXT[where])


@require_POST
def cart_voucher_remove(request: HtmxHttpRequest) -> HttpResponse:
    where = request.POST.get("next") if request.POST.get("next") in VOUCHER_NEXT else "cart"
    cart = _current_cart(request)
    if cart is not None:
        services.voucher_remove(cart=cart)
    if request.htmx:
        return _answer(request, str(where))
    messages.success(request, _("Voucher removed."))
    return redirect(VOUCHER_NEXT[str(where)])


urlpatterns = [
    path("cart/voucher/", cart_voucher_apply, name="cart_voucher_apply"),
    path("cart/voucher/remove/", cart_voucher_remove, name="cart_voucher_remove"),
]
