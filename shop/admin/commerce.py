"""Admin for carts and orders.

Order status actions go through `shop.services.order_set_status`, so staff moves follow the same transitions as
everywhere else (cancelling restores stock and wakes back-in-stock alerts; the shopper is notified). Orders are
not edited field by field: money and lines are history.
"""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shop import services
from shop.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatusEvent,
)


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    raw_id_fields = ["product"]
    readonly_fields = ["added_at"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "session_key", "item_count", "updated_at"]
    search_fields = ["user__username", "session_key"]
    raw_id_fields = ["user"]
    inlines = [CartItemInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(units=Sum("items__quantity"))
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.cart_count_changed(form.instance)  # the shopper's badge shows the edited lines

    def delete_model(self, request, obj: Cart) -> None:
        services.cart_count_changed(obj)
        super().delete_model(request, obj)

    @admin.display(description=_("items"), ordering="units")
    def item_count(self, cart: Cart) -> int:
        return cart.units or 0  # type: ignore[attr-defined]  # annotated by get_queryset


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product", "product_name", "unit_price", "quantity", "line_total", "discount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrderStatusEventInline(admin.TabularInline):
    model = OrderStatusEvent
    extra = 0
    can_delete = False
    fields = ("status", "note", "actor", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _status_action(status: str, label):
    def action(modeladmin, request: HttpRequest, queryset):
        moved, refused = 0, []
        for order in queryset:
            try:
                services.order_set_status(
                    order=order, status=status, actor=request.user, note=str(_("by staff"))
                )
                moved += 1
            except ValidationError as exc:
                refused.append(f"{order.number}: {exc.messages[0]}")
        if moved:
            modeladmin.message_user(
                request,
                ngettext("%(n)d order updated.", "%(n)d orders updated.", moved) % {"n": moved},
                messages.SUCCESS,
            )
        for line in refused[:20]:
            modeladmin.message_user(request, line, messages.WARNING)

    action.__name__ = f"mark_{status}"
    return admin.action(description=label)(action)


CSV_COLUMNS = [
    "number",
    "created_at",
    "status",
    "username",
    "email",
    "items",
    "subtotal",
    "shipping_method",
    "shipping_cost",
    "total",
    "payment_provider",
    "payment_reference",
    "ship_name",
    "ship_city",
    "ship_postal_code",
    "ship_country",
]


def _csv_safe(value) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas; prefix them so they stay text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.action(description=_("Export selected orders as CSV"))
def export_orders_csv(modeladmin, request: HttpRequest, queryset) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    rows = (
        queryset.select_related("user")
        .annotate(units=Sum("lines__quantity"))
        .order_by("created_at", "id")
    )
    for order in rows:
        writer.writerow(
            [
                _csv_safe(value)
                for value in [
                    order.number,
                    order.created_at.isoformat(),
                    order.status,
                    order.user.username if order.user else "",
                    order.user.email if order.user else "",
                    order.units or 0,
                    order.subtotal,
                    order.shipping_method,
                    order.shipping_cost,
                    order.total,
                    order.payment_provider,
                    order.payment_reference,
                    order.ship_name,
                    order.ship_city,
                    order.ship_postal_code,
                    order.ship_country,
                ]
            ]
        )
    return response


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "created_at",
        "user",
        "status",
        "line_count",
        "total",
        "payment_provider",
        "shipping_method",
        "ship_country",
    ]
    list_filter = ["status", "payment_provider", "shipping_method", "ship_country", "created_at"]
    search_fields = ["number", "user__username", "user__email", "ship_name", "ship_city"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [OrderLineInline, OrderStatusEventInline]
    actions = [
        _status_action(Order.Status.PAID, _("Mark selected orders as paid")),
        _status_action(Order.Status.SHIPPED, _("Mark selected orders as shipped")),
        _status_action(Order.Status.DELIVERED, _("Mark selected orders as delivered")),
        _status_action(Order.Status.CANCELLED, _("Cancel selected orders (restores stock)")),
        export_orders_csv,
    ]
    readonly_fields = [
        "number",
        "user",
        "status",
        "idempotency_key",
        "shipping_method",
        "shipping_cost",
        "subtotal",
        "total",
        "payment_provider",
        "payment_reference",
        "share_to_followers",
        "created_at",
        "updated_at",
        "voucher_code",
        "discount",
    ]
    fieldsets = [
        (None, {"fields": ["number", "user", "status", "created_at", "updated_at"]}),
        (
            _("Money"),
            {
                "fields": [
                    "subtotal",
                    "voucher_code",
                    "discount",
                    "shipping_method",
                    "shipping_cost",
                    "total",
                    "payment_provider",
                    "payment_reference",
                ]
            },
        ),
        (
            _("Shipping address"),
            {
                "fields": [
                    "ship_name",
                    "ship_line1",
                    "ship_line2",
                    "ship_city",
                    "ship_postal_code",
                    "ship_country",
                ]
            },
        ),
        (_("Other"), {"fields": ["share_to_followers", "idempotency_key"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_n=Count("lines"))

    @admin.display(description=_("lines"), ordering="lines_n")
    def line_count(self, order: Order) -> int:
        return order.lines_n  # type: ignore[attr-defined]  # annotated by get_queryset

    def has_add_permission(self, request) -> bool:
        return False  # orders come from checkout or group buys, never typed in
