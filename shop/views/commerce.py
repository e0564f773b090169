"""Cart, checkout and order pages. Cart changes answer htmx with fragments (and an `HX-Trigger: cart-changed`
event the badge listens to); plain form posts get a redirect. Bad input gets a 4xx with a clear message."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import ServiceError
from shop import selectors, services
from shop.forms.commerce import CartAddForm, CartQuantityForm, CheckoutForm
from shop.views import HtmxHttpRequest, SignedInHttpRequest

CART_CHANGED = "cart-changed"
ORDERS_PER_PAGE = 20


def _session_key(request: HtmxHttpRequest, *, create: bool = False) -> str | None:
    if create and request.session.session_key is None:
        # An empty session is never saved; mark it so the anonymous cart keeps its key.
        request.session["has_cart"] = True
        request.session.save()
    return request.session.session_key


def _current_cart(request: HtmxHttpRequest):
    return selectors.cart_for(user=request.user, session_key=_session_key(request))


def _cart_for_write(request: HtmxHttpRequest):
    if request.user.is_authenticated:
        return services.cart_get_or_create(user=request.user)
    return services.cart_get_or_create(session_key=_session_key(request, create=True))


def _form_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form and try again.")


def _cart_context(request: HtmxHttpRequest, error: str) -> dict:
    cart = selectors.cart_view(cart=_current_cart(request))
    # The summary carries the voucher and its discount (shop.selectors.pricing).
    summary = selectors.checkout_summary(cart=cart, shipping_method="standard")
    return {"cart": cart, "summary": summary, "error": error}


def _cart_page(request: HtmxHttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "shop/cart.html", _cart_context(request, error), status=status)


def _cart_fragment(request: HtmxHttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    response = render(
        request, "shop/partials/cart_contents.html", _cart_context(request, error), status=status
    )
    response["HX-Trigger"] = CART_CHANGED
    return response


def _error(request: HtmxHttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    if request.htmx:
        # htmx does not swap error responses; static/js/app.js shows this text in an alert box.
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return _cart_page(request, status=status, error=message)


def _status_for(exc: ValidationError) -> int:
    return 409 if getattr(exc, "code", "") in {"sold_out", "stock"} else 400


@require_GET
def cart(request: HtmxHttpRequest) -> HttpResponse:
    return _cart_page(request)


@require_GET
def cart_badge(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "shop/partials/cart_badge.html")


@require_POST
def cart_add(request: HtmxHttpRequest) -> HttpResponse:
    form = CartAddForm(request.POST)
    if not form.is_valid():
        return _error(request, _form_error(form))
    cart_obj = _cart_for_write(request)
    try:
        item = services.cart_add_item(
            cart=cart_obj,
            product_id=form.cleaned_data["product_id"],
            variant_id=form.cleaned_data["variant_id"],
            quantity=form.cleaned_data["quantity"],
            user_id=request.user.id if request.user.is_authenticated else None,
            session_key=request.session.session_key or "",
        )
    except ValidationError as exc:
        return _error(request, exc.messages[0], status=_status_for(exc))
    message = _("Added %(quantity)d × %(name)s to your cart.") % {
        "quantity": form.cleaned_data["quantity"],
        "name": services.line_name(item.product, item.variant),
    }
    if request.htmx:
        response = render(
            request, "shop/partials/cart_added.html", {"message": message, "item": item}
        )
        response["HX-Trigger"] = CART_CHANGED
        return response
    messages.success(request, message)
    return redirect("shop:cart")


@require_POST
def cart_update(request: HtmxHttpRequest, product_id: int) -> HttpResponse:
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        return _error(request, _form_error(form))
    cart_obj = _current_cart(request)
    if cart_obj is None:
        return _error(request, _("This product is not in your cart."), status=404)
    try:
        services.cart_set_quantity(
            cart=cart_obj,
            product_id=product_id,
            variant_id=request.POST.get("variant_id"),
            quantity=form.cleaned_data["quantity"],
        )
    except ValidationError as exc:
        return _error(request, exc.messages[0], status=_status_for(exc))
    if request.htmx:
        return _cart_fragment(request)
    messages.success(request, _("Cart updated."))
    return redirect("shop:cart")


@require_POST
def cart_remove(request: HtmxHttpRequest, product_id: int) -> HttpResponse:
    cart_obj = _current_cart(request)
    if cart_obj is None:
        return _error(request, _("This product is not in your cart."), status=404)
    services.cart_remove_item(
        cart=cart_obj, product_id=product_id, variant_id=request.POST.get("variant_id")
    )
    if request.htmx:
        return _cart_fragment(request)
    messages.success(request, _("Removed from your cart."))
    return redirect("shop:cart")


def _checkout_context(request, *, form, cart_view) -> dict:
    method = form.data.get("shipping_method") if form.is_bound else None
    method = method if method in selectors.SHIPPING_METHODS else "standard"
    return {
        "form": form,
        "cart": cart_view,
        "summary": selectors.checkout_summary(cart=cart_view, shipping_method=method),
    }


@login_required
def checkout(request: SignedInHttpRequest) -> HttpResponse:
    cart_view = selectors.cart_view(cart=selectors.cart_for(user=request.user))
    if cart_view.is_empty and request.method != "POST":
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    addresses = list(selectors.address_list_for_user(user=request.user))
    form = CheckoutForm(
        request.POST or None,
        addresses=addresses,
        subtotal=cart_view.subtotal,
        initial={
            "idempotency_key": uuid.uuid4().hex,
            "share_to_followers": selectors.share_purchases_default(user=request.user),
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_place(
                    user=request.user,
                    idempotency_key=data["idempotency_key"],
                    shipping_method=data["shipping_method"],
                    payment_provider=data["payment_provider"],
                    card_number=data.get("card_number", ""),
                    address=form.address_data(),
                    address_id=form.chosen_address_id(),
                    share_to_followers=data.get("share_to_followers", False),
                    save_address=data.get("save_address", False),
                )
            except services.SoldOut as exc:
                form.add_error(None, exc.messages[0])
                status = 409
            except services.PaymentFailed as exc:
                form.add_error("card_number", exc.messages[0])
                status = 402
            except ServiceError as exc:  # a voucher that no longer applies, a closed rule
                form.add_error(None, exc.message)
                status = exc.status_code
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(
                    request, _("Thank you! Order %(number)s is placed.") % {"number": order.number}
                )
                return redirect(order.get_absolute_url())
        cart_view = selectors.cart_view(cart=selectors.cart_for(user=request.user))
    return render(
        request,
        "shop/checkout.html",
        _checkout_context(request, form=form, cart_view=cart_view),
        status=status,
    )


@login_required
@require_GET
def checkout_summary(request: HtmxHttpRequest) -> HttpResponse:
    """The summary box for another shipping option (htmx, when the shopper changes it)."""
    cart_view = selectors.cart_view(cart=selectors.cart_for(user=request.user))
    method = request.GET.get("shipping_method", "standard")
    if method not in selectors.SHIPPING_METHODS:
        return HttpResponse(_("Choose a shipping option."), status=400, content_type="text/plain")
    summary = selectors.checkout_summary(cart=cart_view, shipping_method=method)
    return render(request, "shop/partials/checkout_summary.html", {"summary": summary})


@login_required
@require_GET
def order_list(request: SignedInHttpRequest) -> HttpResponse:
    page = Paginator(selectors.order_list_for_user(user=request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "shop/order_list.html", {"page": page, "orders": page.object_list})


def _order_page(request: SignedInHttpRequest, number: str, *, status: int = 200, error: str = ""):
    order = selectors.order_detail(user=request.user, number=number)
    return render(
        request,
        "shop/order_detail.html",
        {
            "order": order,
            "timeline": selectors.order_timeline(order=order),
            "can_cancel": order.status in services.CANCELLABLE_STATUSES,
            "error": error,
            **selectors.order_returns_context(order=order),
        },
        status=status,
    )


@login_required
@require_GET
def order_detail(request: SignedInHttpRequest, number: str) -> HttpResponse:
    return _order_page(request, number)


@login_required
@require_POST
def order_cancel(request: SignedInHttpRequest, number: str) -> HttpResponse:
    order = selectors.order_access(user=request.user, number=number)
    try:
        services.order_cancel(order=order, actor=request.user, note=_("Cancelled by the shopper"))
    except ValidationError as exc:
        return _order_page(request, number, status=409, error=exc.messages[0])
    messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
    return redirect(order.get_absolute_url())


urlpatterns = [
    path("cart/", cart, name="cart"),
    path("cart/badge/", cart_badge, name="cart_badge"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/items/<int:product_id>/", cart_update, name="cart_update"),
    path("cart/items/<int:product_id>/remove/", cart_remove, name="cart_remove"),
    path("checkout/", checkout, name="checkout"),
    path("checkout/summary/", checkout_summary, name="checkout_summary"),
    path("orders/", order_list, name="order_list"),
    path("orders/<str:number>/", order_detail, name="order"),
    path("orders/<str:number>/cancel/", order_cancel, name="order_cancel"),
]
