"""Group-buy pages: the list of open groups, opening a group for a product, a group's page with live progress,
join and leave. Forms parse input; the rules live in social.services.groupbuy."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.models import Product
from shop.selectors import VariantChoice, product_get_active, variant_choice, variant_id_parse
from social.forms import CommitForm, OpenForm
from social.selectors import (
    group_buy_get,
    group_buy_list_open,
    group_buy_members,
    group_buy_membership,
)
from social.services import (
    GroupBuyError,
    group_buy_join,
    group_buy_leave,
    group_buy_open,
)
from social.views.helpers import PageRequest, SignedInRequest, add_service_error


def _initial_address(user) -> dict:
    address = user.addresses.first() if user.is_authenticated else None
    if address is None:
        return {"full_name": user.get_full_name()} if user.is_authenticated else {}
    return {
        name: getattr(address, name)
        for name in ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")
    }


def _variant_picker(product: Product, form: CommitForm | None = None) -> VariantChoice:
    """The product page's picker (sold-out options disabled, the chosen option's price and picture); a form sent
    back with errors keeps the option it chose."""
    chosen = (
        variant_id_parse(form["variant"].value()) if form is not None and form.is_bound else None
    )
    return variant_choice(product=product, variant_id=chosen)


@require_GET
def groupbuy_list(request: PageRequest) -> HttpResponse:
    product_id = request.GET.get("product", "")
    if product_id and not product_id.isdigit():
        return HttpResponseBadRequest(_("The product must be a number."))
    groups = group_buy_list_open(product_id=int(product_id) if product_id else None)[:50]
    return render(request, "social/groupbuy/list.html", {"groups": groups})


@login_required
@require_http_methods(["GET", "POST"])
def groupbuy_start(request: SignedInRequest, slug: str) -> HttpResponse:
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
                    variant_id=form.cleaned_data["variant"],
                    notify_followers=form.cleaned_data["notify_followers"],
                )
            except GroupBuyError as error:
                add_service_error(form, error)
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
        {"product": product, "form": form, "choice": _variant_picker(product, form)},
        status=status,
    )


def _detail_context(
    request: PageRequest, pk: int, form: CommitForm | None = None, *, picker: bool = True
) -> dict:
    group = group_buy_get(group_id=pk)
    membership = group_buy_membership(group=group, user=request.user)
    if form is None and membership is None and request.user.is_authenticated:
        form = CommitForm(initial=_initial_address(request.user))
    return {
        "choice": _variant_picker(group.product, form) if form is not None and picker else None,
        "product": group.product,
        "group": group,
        "members": group_buy_members(group=group),
        "membership": membership,
        "form": form,
        "invite_url": request.build_absolute_uri(group.get_absolute_url()),
        "is_joinable": group.status == "open" and group.deadline > timezone.now(),
    }


@require_GET
def groupbuy_detail(request: PageRequest, pk: int) -> HttpResponse:
    return render(request, "social/groupbuy/detail.html", _detail_context(request, pk))


@require_GET
def groupbuy_progress(request: PageRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by htmx on the group page."""
    context = _detail_context(request, pk, picker=False)
    return render(request, "social/groupbuy/partials/progress.html", context)


@login_required
@require_POST
def groupbuy_join(request: SignedInRequest, pk: int) -> HttpResponse:
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
                variant_id=form.cleaned_data["variant"],
            )
        except GroupBuyError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("You are in. We place your order when the group is full."))
            return redirect(group.get_absolute_url())
    context = _detail_context(request, pk, form=form)
    return render(request, "social/groupbuy/detail.html", context, status=400)


@login_required
@require_POST
def groupbuy_leave(request: SignedInRequest, pk: int) -> HttpResponse:
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
