"""Accounts: the user model, API tokens, saved shipping addresses and failed-login records for throttling."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A shopper, moderator or admin. Social profile and privacy settings live in `social.Profile`."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    # The interface language the shopper last used (a code from settings.LANGUAGES, set at sign-up and log-in):
    # emails are written in it. Empty: the site's default language.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"


class ApiToken(models.Model):
    """One API token of a shopper (`Authorization: Token <key>`), one row per sign-in from a client.

    Only the SHA-256 digest of the key is stored, so the table cannot be replayed. The token works while the
    account's password is the one it was issued under (`password_mark`) and, with `API_TOKEN_TTL_SECONDS`, until
    it is that old; `shop.services.accounts` owns these rules.
    """

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE
    )
    password_mark = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token of user {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"


class Address(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="addresses", on_delete=models.CASCADE
    )
    full_name = models.CharField(max_length=120)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="DE")
    phone = models.CharField(max_length=30, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at"]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.city}"


class LoginFailure(models.Model):
    """Failed login attempts, counted per account name and per client address for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address}"
