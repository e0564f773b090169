"""Group-buy forms: the address and payment every member commits with, and opening a group."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from shop.services import provider_choices
from social.models import GROUP_BUY_MAX_SIZE, GROUP_BUY_MIN_SIZE
from social.services import GROUP_BUY_MAX_QUANTITY, ShippingAddress

__all__ = ["CommitForm", "OpenForm"]


class CommitForm(forms.Form):
    """The variant, address and payment: what every member commits with."""

    # Rendered as the size/colour picker (templates/social/groupbuy/partials/variant_fields.html); optional
    # for a product with one variant, the service decides.
    variant = forms.IntegerField(
        label=gettext_lazy("Size / colour"), required=False, min_value=1, max_value=2**62
    )
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
