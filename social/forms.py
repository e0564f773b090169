"""Page forms. They parse input; the services own the rules (and raise the errors shown here)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from social.services.posts import MAX_COMMENT_LENGTH, MAX_POST_IMAGES, MAX_POST_LENGTH


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        if len(files) > MAX_POST_IMAGES:
            raise forms.ValidationError(_("Add at most %(n)s pictures.") % {"n": MAX_POST_IMAGES})
        return list(files)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    bio = forms.CharField(
        label=_("About you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("What do you want to share?"),
        max_length=MAX_POST_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    images = MultipleImageField(
        label=_("Pictures (up to 6)"),
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    image_alt = forms.CharField(
        label=_("Describe the pictures (for screen readers)"), max_length=200, required=False
    )
    products = forms.TypedMultipleChoiceField(
        label=_("Tag products (up to 5)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, product_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p.pk, p.name) for p in product_choices]


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_POST_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    products = forms.TypedMultipleChoiceField(
        label=_("Tagged products"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, product_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p.pk, p.name) for p in product_choices]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


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


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my profile, posts, comments and likes are deleted for good."),
    )
