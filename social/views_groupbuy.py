"""Group-buy pages: the list of open groups, opening a group for a product, a group's page with live progress,
join and leave. Forms parse input; the rules live in social.services.groupbuy."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.selectors import product_get_active
from shop.services import provider_choices
from social.models_groupbuy import GROUP_BUY_MAX_SIZE, GROUP_BUY_MIN_SIZE
from social.selectors import (
    group_buy_get,
    group_buy_list_open,
    group_buy_members,
    group_buy_membership,
)
from social.services import (
    GROUP_BUY_MAX_QUANTITY,
    GroupBuyError,
    ShippingAddress,
    group_buy_join,
    group_buy_leave,
    group_buy_open,
)


class CommitForm(forms.Form):
    """Address and payment: what every member commits with."""

    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=GROUP_BUY_MAX_QUANTITY, initial=1
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=120)
    line1 = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    line2 = forms.CharField(label=gettext_lazy("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20)
    country = forms.CharField(label=gettext_lazy("Country (2 letters)"), max_length=2, initial="DE")
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    payment_provider = forms.ChoiceField(
        label=gettext_lazy("Payment"),
        choices=provider_choices,
        widget=forms.RadioSelect,
        initial="cod",
    )
    card_number = forms.CharField(
        label=gettext_lazy("Card number"),
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )

    def address(self) -> ShippingAddress:
        data = self.cleaned_data
        return ShippingAddress(
            full_name=data["full_name"],
            line1=data["line1"],
            line2=data["line2"],
            city=data["city"],
            postal_code=data["postal_code"],
            country=data["country"].upper(),
            phone=data["phone"],
        )


class OpenForm(CommitForm):
    target_size = forms.IntegerField(
        label=gettext_lazy("People in the group"),
        min_value=GROUP_BUY_MIN_SIZE,
        max_value=GROUP_BUY_MAX_SIZE,
        initial=3,
    )
    deadline = forms.DateTimeField(
        label=gettext_lazy("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    notify_followers = forms.BooleanField(
        label=gettext_lazy("Invite my followers"), required=False, initial=True
    )

    field_order = ["target_size", "deadline", "notify_followers"]


def _initial_address(user) -> dict:
    address = user.addresses.first() if user.is_authenticated else None
    if address is None:
        return {"full_name": user.get_full_name()} if user.is_authenticated else {}
    return {
        name: getattr(address, name)
        for name in ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")
    }


def _form_error(form: forms.Form, error: GroupBuyError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@require_GET
def groupbuy_list(request: HttpRequest) -> HttpResponse:
    product_id = request.GET.get("product", "")
    if product_id and not product_id.isdigit():
        return HttpResponseBadRequest(_("The product must be a number."))
    groups = group_buy_list_open(product_id=int(product_id) if product_id else None)[:50]
    return render(request, "social/groupbuy/list.html", {"groups": groups})


@login_required
@require_http_methods(["GET", "POST"])
def groupbuy_start(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_get_active(slug=slug)
    status = 200
    if request.method == "POST":
        form = OpenForm(request.POST)
        if form.is_valid():
            try:
                group = group_buy_open(
                    creator=request.user,
                    product=product,
                    target_size=form.cleaned_data["target_size"],
                    deadline=form.cleaned_data["deadline"],
                    address=form.address(),
                    payment_provider=form.cleaned_data["payment_provider"],
                    card_number=form.cleaned_data["card_number"],
                    quantity=form.cleaned_data["quantity"],
                    notify_followers=form.cleaned_data["notify_followers"],
                )
            except GroupBuyError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Your group is open. Share the link to fill it."))
                return redirect(group.get_absolute_url())
        status = 400
    else:
        deadline = timezone.localtime() + timedelta(days=2)
        form = OpenForm(initial={**_initial_address(request.user), "deadline": deadline})
    return render(
        request,
        "social/groupbuy/start.html",
        {"product": product, "form": form},
        status=status,
    )


def _detail_context(request: HttpRequest, pk: int, form: CommitForm | None = None) -> dict:
    group = group_buy_get(group_id=pk)
    membership = group_buy_membership(group=group, user=request.user)
    if form is None and membership is None and request.user.is_authenticated:
        form = CommitForm(initial=_initial_address(request.user))
    return {
        "group": group,
        "members": group_buy_members(group=group),
        "membership": membership,
        "form": form,
        "invite_url": request.build_absolute_uri(group.get_absolute_url()),
        "is_joinable": group.status == "open" and group.deadline > timezone.now(),
    }


@require_GET
def groupbuy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "social/groupbuy/detail.html", _detail_context(request, pk))


@require_GET
def groupbuy_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by htmx on the group page."""
    return render(request, "social/groupbuy/partials/progress.html", _detail_context(request, pk))


@login_required
@require_POST
def groupbuy_join(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_buy_get(group_id=pk)
    form = CommitForm(request.POST)
    if form.is_valid():
        try:
            group_buy_join(
                group_id=group.id,
                user=request.user,
                address=form.address(),
                payment_provider=form.cleaned_data["payment_provider"],
                card_number=form.cleaned_data["card_number"],
                quantity=form.cleaned_data["quantity"],
            )
        except GroupBuyError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("You are in. We place your order when the group is full."))
            return redirect(group.get_absolute_url())
    context = _detail_context(request, pk, form=form)
    return render(request, "social/groupbuy/detail.html", context, status=400)


@login_required
@require_POST
def groupbuy_leave(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_buy_get(group_id=pk)
    try:
        group_buy_leave(group_id=group.id, user=request.user)
    except GroupBuyError as error:
        messages.error(request, error.message)
        return render(
            request, "social/groupbuy/detail.html", _detail_context(request, pk), status=400
        )
    messages.success(request, _("You left the group. Nothing will be charged."))
    return redirect(reverse("social:groupbuy_detail", kwargs={"pk": group.id}))


urlpatterns = [
    path("shop-together/", groupbuy_list, name="groupbuy_list"),
    path("shop-together/start/<slug:slug>/", groupbuy_start, name="groupbuy_start"),
    path("shop-together/<int:pk>/", groupbuy_detail, name="groupbuy_detail"),
    path("shop-together/<int:pk>/progress/", groupbuy_progress, name="groupbuy_progress"),
    path("shop-together/<int:pk>/join/", groupbuy_join, name="groupbuy_join"),
    path("shop-together/<int:pk>/leave/", groupbuy_leave, name="groupbuy_leave"),
]
