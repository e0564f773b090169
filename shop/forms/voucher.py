"""The voucher form of the cart and checkout: it only parses; `shop.services.voucher_apply` holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["VoucherForm"]

VOUCHER_NEXT = {"cart": "shop:cart", "checkout": "shop:checkout"}


class VoucherForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=32,
        strip=True,
        error_messages={
            "required": _("Enter a voucher code."),
            "max_length": _("There is no voucher with this code."),
        },
    )
    next = forms.ChoiceField(
        choices=[(key, key) for key in VOUCHER_NEXT], required=False, widget=forms.HiddenInput
    )
