"""Returns and invoices for the shopper's own orders: the return form (GET shows it, POST asks through
`shop.services.return_request_create`; a refusal is a 4xx with the message on the form) and the printable
invoice (HTML with a print stylesheet; staff may open any order's)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.errors import ServiceError
from shop import selectors, services
from shop.forms.returns import ReturnRequestForm
from shop.models import Order, OrderLine
from shop.views import SignedInHttpRequest


@login_required
def order_return(request: SignedInHttpRequest, number: str) -> HttpResponse:
    order = selectors.order_access(user=request.user, number=number)
    lines = selectors.returnable_lines(order=order)
    deadline = selectors.return_deadline(order=order)
    form = ReturnRequestForm(request.POST or None, lines=lines)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.return_request_create(
                    user=request.user,
                    order=order,
                    lines=form.chosen(),
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("Your return request is sent. We will answer by email."),
                )
                return redirect(order.get_absolute_url())
    return render(
        request,
        "shop/order_return.html",
        {
            "order": order,
            "form": form,
            "deadline": deadline,
            "window_open": deadline is not None and timezone.now() <= deadline,
            "window_days": settings.SHOP_RETURN_WINDOW_DAYS,
        },
        status=status,
    )


@login_required
@require_GET
def order_invoice(request: SignedInHttpRequest, number: str) -> HttpResponse:
    if request.user.is_staff:
        order = Order.objects.filter(number=str(number)[:20]).first()
        if order is None:
            raise Http404("No such order.")
    else:
        order = selectors.order_access(user=request.user, number=number)
    lines = list(OrderLine.objects.filter(order_id=order.id).order_by("id"))
    return render(
        request,
        "shop/invoice.html",
        {
            "order": order,
            "lines": lines,
            "invoice": selectors.invoice_for(order=order, lines=lines),
            "refunds": list(order.refunds.order_by("created_at", "id")),
            "seller": {
                "name": settings.SHOP_LEGAL_NAME,
                "address": settings.SHOP_LEGAL_ADDRESS,
                "vat_id": settings.SHOP_VAT_ID,
                "registration": settings.SHOP_REGISTRATION,
                "email": settings.SHOP_LEGAL_EMAIL,
            },
            "currency": settings.SHOP_CURRENCY,
        },
    )


urlpatterns = [
    path("orders/<str:number>/return/", order_return, name="order_return"),
    path("orders/<str:number>/invoice/", order_invoice, name="order_invoice"),
]
