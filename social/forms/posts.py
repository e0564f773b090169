"""Post forms: writing and editing a post (pictures, tagged products) and a comment. They parse input; the
services own the rules (and raise the errors shown here)."""

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


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("What do you want to share?"),
        max_length=MAX_POST_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    images = MultipleImageField(
        label=_("Photos (up to %(n)s)") % {"n": MAX_POST_IMAGES},
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    image_alt = forms.CharField(
        label=_("Describe the pictures (for screen readers)"), max_length=200, required=False
    )
    # Product tags placed on the photos, as JSON written by static/js/post_composer.js (parsed and checked
    # by `social.services.photo_tags_parse` and `post_create`).
    tags = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
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
