"""Forms for the catalogue: a shopper's review. They parse and validate input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

__all__ = ["ReviewForm"]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        choices=[(n, n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, required=False)
    body = forms.CharField(
        label=gettext_lazy("Your review"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False)
    remove_photo = forms.BooleanField(label=gettext_lazy("Remove my photo"), required=False)
    share = forms.BooleanField(label=gettext_lazy("Publish to my feed"), required=False)
