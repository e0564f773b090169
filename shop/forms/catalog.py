"""Forms for the catalogue: a shopper's review, a product picture (staff). They parse and validate input;
services hold the rules."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from common.uploads import clean_image_upload
from shop.models import ProductImage

__all__ = ["PRODUCT_IMAGE_MAX_SIDE", "ProductImageForm", "ReviewForm"]

# Product pictures are kept up to the largest rendition (common.pictures): sharp on the 2x zoom.
PRODUCT_IMAGE_MAX_SIDE = 2048


class ProductImageForm(forms.ModelForm):
    """A product picture as staff upload it (admin): the file passes the one upload gate (type from content,
    size, sides, animation, metadata; EXIF stripped), so a bad file is a form error and nothing is stored."""

    class Meta:
        model = ProductImage
        fields = ("image", "alt_text", "position")
        # A plain file field: the type check is common.uploads', by content, with its messages.
        field_classes = {"image": forms.FileField}

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            return clean_image_upload(image, max_side=PRODUCT_IMAGE_MAX_SIDE)
        return image


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
