"""Onboarding: a few favourite categories and a few people to follow, the cold-start signals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import Category, User
from social.selectors import people_to_follow

__all__ = ["MAX_CATEGORIES", "MAX_PEOPLE", "OnboardingForm"]

MAX_CATEGORIES = 5
MAX_PEOPLE = 10


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """People offered by their display name, else @username."""

    def label_from_instance(self, obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return getattr(profile, "display_name", "") or f"@{obj.username}"


class OnboardingForm(forms.Form):
    categories: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Categories you like"),
        help_text=_("Pick up to %(n)d.") % {"n": MAX_CATEGORIES},
    )
    people: PeopleChoiceField = PeopleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("People to follow"),
        help_text=_("Pick up to %(n)d.") % {"n": MAX_PEOPLE},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories: forms.ModelMultipleChoiceField = self.fields["categories"]  # type: ignore[assignment]
        people: forms.ModelMultipleChoiceField = self.fields["people"]  # type: ignore[assignment]
        categories.queryset = Category.objects.order_by("parent_id", "position", "name")
        # Suggestions are social's rule (social.selectors.people_to_follow); the form offers them by name.
        suggested = [person.pk for person in people_to_follow(user=user)]
        people.queryset = (
            User.objects.filter(pk__in=suggested).select_related("profile").order_by("username")
        )

    def clean_categories(self):
        categories = self.cleaned_data["categories"]
        if len(categories) > MAX_CATEGORIES:
            raise forms.ValidationError(_("Pick at most %(n)d categories.") % {"n": MAX_CATEGORIES})
        return categories

    def clean_people(self):
        people = self.cleaned_data["people"]
        if len(people) > MAX_PEOPLE:
            raise forms.ValidationError(_("Pick at most %(n)d people.") % {"n": MAX_PEOPLE})
        return people

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("categories") and not cleaned.get("people"):
            raise forms.ValidationError(_("Pick at least one category or one person."))
        return cleaned
