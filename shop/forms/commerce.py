"""Forms for the cart and checkout. They parse and validate input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop.forms.accounts import PlainTextMixin
from shop.selectors.commerce import SHIPPING_METHODS, shipping_options
from shop.services import payments
from shop.services.accounts import ADDRESS_FIELDS

__all__ = ["CartAddForm", "CartQuantityForm", "CheckoutForm"]


def _quantity_field() -> forms.IntegerField:
    limit = settings.SHOP_MAX_LINE_QUANTITY
    return forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=limit,
        error_messages={
            "required": _("Enter a quantity."),
            "invalid": _("Enter a whole number for the quantity."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("You can buy at most %(limit_value)s of one product."),
        },
    )


class CartAddForm(forms.Form):
    product_id = forms.IntegerField(
        min_value=1,
        max_value=2**62,
        error_messages={
            "required": _("This product is not available."),
            "invalid": _("This product is not available."),
            "min_value": _("This product is not available."),
            "max_value": _("This product is not available."),
        },
    )

    # The option (size, colour...) chosen; may be left out for a product with a single one. Prices and stock
    # are never read from the form.
    variant_id = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={
            "invalid": _("This option is not available."),
            "min_value": _("This option is not available."),
            "max_value": _("This option is not available."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = _quantity_field()


class CartQuantityForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = _quantity_field()


class CheckoutForm(PlainTextMixin, forms.Form):
    address_id = forms.ChoiceField(label=_("Ship to"), widget=forms.RadioSelect, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=120, required=False)
    line1 = forms.CharField(label=_("Address line 1"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, required=False, initial="DE")
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    save_address = forms.BooleanField(label=_("Save this address"), required=False, initial=True)
    shipping_method = forms.ChoiceField(
        label=_("Shipping"), widget=forms.RadioSelect, initial="standard"
    )
    payment_provider = forms.ChoiceField(
        label=_("Payment"), widget=forms.RadioSelect, initial=payments.DEFAULT_PROVIDER
    )
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )
    share_to_followers = forms.BooleanField(
        label=_("Share this purchase with my followers"), required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    NEW = "new"

    def __init__(self, *args, addresses=(), subtotal=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(address.id), str(address)) for address in addresses]
        choices.append((self.NEW, _("A new address")))
        self.fields["address_id"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("address_id", choices[0][0])
        if subtotal is not None:
            self.fields["shipping_method"].choices = [
                (option.code, f"{option.label} · {option.cost}")
                for option in shipping_options(subtotal=subtotal)
            ]
        else:
            self.fields["shipping_method"].choices = [
                (code, label) for code, (label, _cost) in SHIPPING_METHODS.items()
            ]
        self.fields["payment_provider"].choices = payments.provider_choices()

    def clean_card_number(self):
        number = self.cleaned_data.get("card_number", "")
        if number and not all(ch.isdigit() or ch in " -" for ch in number):
            raise ValidationError(_("A card number has only digits and spaces."))
        return number

    def clean(self):
        data = super().clean()
        if data.get("address_id", self.NEW) in ("", self.NEW):
            for field in ("full_name", "line1", "city", "postal_code", "country"):
                if not data.get(field):
                    self.add_error(field, _("This field is required for a new address."))
        if (
            data.get("payment_provider")
            and payments.get_provider(data["payment_provider"]).requires_card
            and not data.get("card_number")
        ):
            self.add_error("card_number", _("Enter your card number."))
        return data

    def address_data(self) -> dict | None:
        if self.cleaned_data.get("address_id") not in ("", self.NEW):
            return None
        return {field: self.cleaned_data.get(field, "") for field in ADDRESS_FIELDS}

    def chosen_address_id(self):
        value = self.cleaned_data.get("address_id")
        return None if value in ("", self.NEW, None) else value
