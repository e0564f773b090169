"""Onboarding: a few favourite categories and a few people to follow, the cold-start signals."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

MAX_CATEGORIES = 5
MAX_PEOPLE = 10


def suggested_people(*, user, limit: int = 12):
    """Visible shoppers to follow: opted into suggestions, not blocked either way, not already followed,
    most-followed first."""
    from social.models import Follow
    from social.selectors import blocked_pair_ids

    excluded = blocked_pair_ids(user_id=user.pk) | {user.pk}
    excluded |= set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False)
        .filter(Q(profile__isnull=True) | Q(profile__show_in_suggestions=True))
        .exclude(pk__in=excluded)
        .annotate(followers=Count("follower_set", filter=Q(follower_set__status="active")))
        .select_related("profile")
        .order_by("-followers", "username")[:limit]
    )


class OnboardingForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Categories you like"),
        help_text=_("Pick up to %(n)d.") % {"n": MAX_CATEGORIES},
    )
    people = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("People to follow"),
        help_text=_("Pick up to %(n)d.") % {"n": MAX_PEOPLE},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from shop.models import Category

        self.fields["categories"].queryset = Category.objects.order_by(
            "parent_id", "position", "name"
        )
        suggestions = list(suggested_people(user=user).values_list("pk", flat=True))
        self.fields["people"].queryset = (
            get_user_model()
            .objects.filter(pk__in=suggestions)
            .select_related("profile")
            .order_by("username")
        )
        self.fields["people"].label_from_instance = lambda person: (
            getattr(getattr(person, "profile", None), "display_name", "") or f"@{person.username}"
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
