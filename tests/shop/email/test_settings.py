"""EMAIL_URL: one setting says where mail goes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.env import email_settings


def test_console_is_the_default_backend():
    assert email_settings("console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_smtp_with_starttls_and_quoted_credentials():
    assert email_settings("smtp://shop%40example.com:p%3Ass@mail.example.com:587?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "shop@example.com",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 10.0,
    }


def test_smtps_is_implicit_tls_on_465():
    config = email_settings("smtps://mail.example.com?timeout=3")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert config["EMAIL_TIMEOUT"] == 3.0


@pytest.mark.parametrize(
    ("url", "backend"),
    [("locmem://", "locmem"), ("dummy://", "dummy"), ("file:///tmp/mail", "filebased")],
)
def test_other_backends(url, backend):
    assert (
        email_settings(url)["EMAIL_BACKEND"] == f"django.core.mail.backends.{backend}.EmailBackend"
    )


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings("sendgrid://key")
