"""Account forms: privacy settings and deleting the account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["DeleteAccountForm", "PrivacyForm"]


class PrivacyForm(forms.Form):
    is_private = forms.BooleanField(
        label=_("Private profile (approve who follows you; only followers see your posts)"),
        required=False,
    )
    share_purchases_default = forms.BooleanField(
        label=_("Share my purchases with my followers by default"), required=False
    )
    personalise_recommendations = forms.BooleanField(
        label=_("Use my activity and follows to personalise recommendations"), required=False
    )
    show_in_suggestions = forms.BooleanField(
        label=_("Show me in “people you may know”"), required=False
    )
    show_wishlist = forms.BooleanField(label=_("Show my wishlist on my profile"), required=False)
    email_optional = forms.BooleanField(
        label=_("Email me when a product I wait for is back in stock and about my group buys"),
        required=False,
    )
    answer_questions = forms.BooleanField(
        label=_("Invite me to answer shoppers' questions about products I bought"),
        required=False,
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my profile, posts, comments and likes are deleted for good."),
    )
