"""Forms for product questions and answers (the service checks the rules again; these give the page's errors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models.qa import ANSWER_MAX_CHARS, QUESTION_MAX_CHARS

__all__ = ["AnswerForm", "QuestionForm"]


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": QUESTION_MAX_CHARS}),
        error_messages={"required": _("Write your question first.")},
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": ANSWER_MAX_CHARS}),
        error_messages={"required": _("Write your answer first.")},
    )
    as_buyer = forms.BooleanField(label=_("I bought this product"), required=False)
