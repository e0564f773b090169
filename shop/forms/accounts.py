"""Forms for accounts: log-in with the failure throttle, sign-up and saved addresses. They parse and validate
input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop.models import Address
from shop.services.accounts import (
    ADDRESS_FIELDS,
    EMAIL_TAKEN_MESSAGE,
    LoginThrottled,
    login_authenticate,
    text_problem,
    user_email_taken,
)
from shop.services.email import password_reset_email_send

__all__ = [
    "AddressForm",
    "PasswordResetForm",
    "PlainTextMixin",
    "SignupForm",
    "ThrottledAuthenticationForm",
]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, with the failure throttle of `shop.services.login_authenticate`."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login_authenticate(
                    request=self.request, username=username, password=password
                )
            except LoginThrottled as exc:
                raise ValidationError(exc.message, code="throttled") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form (it finds the accounts and makes the token); the mail is the shop's."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        password_reset_email_send(user=context["user"], uid=context["uid"], token=context["token"])


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), required=True, max_length=254)

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if user_email_taken(email=email):
            raise ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email


class PlainTextMixin:
    """Refuse control characters in every text field, with the field's own error."""

    def _post_clean(self):
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                problem = text_problem(value)
                if problem:
                    self.add_error(name, problem)
        super()._post_clean()


class AddressForm(PlainTextMixin, forms.ModelForm):
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Address
        fields = [*ADDRESS_FIELDS]
        labels = {
            "full_name": _("Full name"),
            "line1": _("Address line 1"),
            "line2": _("Address line 2"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "country": _("Country code"),
            "phone": _("Phone"),
        }
        help_texts = {"country": _("Two letters, for example DE or CN.")}

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if len(country) != 2 or not country.isascii() or not country.isalpha():
            raise ValidationError(_("Enter a two-letter country code, for example DE."))
        return country
