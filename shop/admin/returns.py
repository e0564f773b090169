"""Admin for returns. Staff decide on a return's own page (`<id>/decide/`): approve (and refund at once,
optionally partly and without restocking) or refuse with a note. The decision and the refund go through
`shop.services` (the same rules as the API); a refused decision shows the message on the form."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import ServiceError
from shop import services
from shop.forms.returns import ReturnDecisionForm
from shop.models import Refund, ReturnLine, ReturnRequest, User


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = ("order_line", "quantity", "amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("amount", "provider", "reference", "manual", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


_FIELDS: tuple[str, ...] = (
    "order",
    "user",
    "status",
    "reason",
    "staff_note",
    "restock",
    "refund_amount",
    "decided_by",
    "decided_at",
    "created_at",
    "decide_link",
)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "order", "user", "status", "created_at", "decide_link"]
    list_filter = ["status"]
    search_fields = ["order__number", "user__username", "reason"]
    list_select_related = ["order", "user"]
    fields = _FIELDS
    readonly_fields = _FIELDS
    inlines = [ReturnLineInline, RefundInline]
    actions = ["retry_refund"]

    def has_add_permission(self, request) -> bool:
        return False  # shoppers ask; staff decide

    @admin.display(description=_("decision"))
    def decide_link(self, obj: ReturnRequest) -> str:
        if obj.status != ReturnRequest.Status.REQUESTED:
            return "-"
        url = reverse("admin:shop_returnrequest_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Decide"))

    def get_urls(self):
        return [
            path(
                "<int:return_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="shop_returnrequest_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, return_id: int) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        found = get_object_or_404(ReturnRequest.objects.select_related("order"), id=return_id)
        form = ReturnDecisionForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if data["decision"] == "approve":
                        services.return_approve(
                            return_request=found,
                            actor=request.user,
                            note=data["note"],
                            refund_amount=data["refund_amount"],
                            restock=data["restock"],
                        )
                    else:
                        services.return_refuse(
                            return_request=found, actor=request.user, note=data["note"]
                        )
                except ServiceError as exc:
                    field = exc.field if exc.field in form.fields else None
                    form.add_error(field, exc.message)
                    status = exc.status_code
                else:
                    self.message_user(request, _("Decision saved."), messages.SUCCESS)
                    return redirect("admin:shop_returnrequest_change", found.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide on return R%(id)d") % {"id": found.pk},
            "return_request": found,
            "lines": list(found.lines.select_related("order_line")),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "shop/admin/return_decide.html", context, status=status)

    @admin.action(description=_("Retry the refund of approved returns"))
    def retry_refund(self, request: HttpRequest, queryset) -> None:
        for found in queryset.filter(status=ReturnRequest.Status.APPROVED):
            try:
                staff = request.user if isinstance(request.user, User) else None
                services.refund_issue(return_request=found, actor=staff)
            except ServiceError as exc:
                self.message_user(request, f"R{found.pk}: {exc.message}", messages.WARNING)
