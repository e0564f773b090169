"""The shopper's return form: how many of each delivered line, and why. `shop.services.return_request_create`
holds the rules (window, counts, ownership); this only parses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.selectors.returns import ReturnableLine

__all__ = ["ReturnRequestForm", "ReturnDecisionForm"]


class ReturnRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you returning these items?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell us why you are returning these items.")},
    )

    def __init__(self, *args: Any, lines: list[ReturnableLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for entry in lines:
            self.fields[f"line_{entry.line.id}"] = forms.IntegerField(
                label=entry.line.product_name,
                min_value=0,
                max_value=entry.returnable,
                initial=0,
                required=False,
                disabled=entry.returnable == 0,
                error_messages={
                    "invalid": _("Enter a whole number."),
                    "max_value": _("You can return at most %(limit_value)s of this item."),
                    "min_value": _("Enter 0 or more."),
                },
            )

    def line_fields(self) -> list[tuple[ReturnableLine, forms.BoundField]]:
        return [(entry, self[f"line_{entry.line.id}"]) for entry in self.lines]

    def chosen(self) -> dict[int, int]:
        return {
            entry.line.id: self.cleaned_data.get(f"line_{entry.line.id}") or 0
            for entry in self.lines
        }


class ReturnDecisionForm(forms.Form):
    """Staff's decision in admin."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve and refund")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(label=_("Note to the shopper"), max_length=300, required=False)
    refund_amount = forms.DecimalField(
        label=_("Refund amount"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the full value of the returned items."),
    )
    restock = forms.BooleanField(
        label=_("Put the items back in stock"), required=False, initial=True
    )
