"""Moderation forms: a shopper's report, and a moderator's action on a reported target."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from social.models import ModerationAction, Report

__all__ = ["ActionForm", "ReportForm"]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Anything a moderator should know (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionForm(forms.Form):
    content_type_id = forms.IntegerField(widget=forms.HiddenInput)
    object_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=gettext_lazy("Action"), choices=ModerationAction.Kind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    suspended_until = forms.DateTimeField(
        label=gettext_lazy("Suspend until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
