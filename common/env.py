"""Reading settings from the environment: typed getters and the one-URL mail configuration.

Used by `config/settings.py` only; kept here so the settings module reads as a list of settings.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = ["email_settings", "env_bool", "env_float", "env_int", "env_list"]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# One URL says where mail goes: console:// (default: printed), locmem://, dummy://, file:///dir,
# smtp://user:password@host:587?tls=1 (STARTTLS), smtps://user:password@host:465 (implicit TLS);
# ?timeout=SECONDS (default 10). User and password are percent-decoded.
def email_settings(url: str) -> dict[str, Any]:
    """The EMAIL_* settings for `url` (see above); ImproperlyConfigured for an unknown scheme."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    flag = {"1", "true", "yes", "on"}.__contains__
    backends = {
        "console": "console",
        "locmem": "locmem",
        "dummy": "dummy",
        "file": "filebased",
        "smtp": "smtp",
        "smtps": "smtp",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r}")
    config: dict[str, Any] = {
        "EMAIL_BACKEND": f"django.core.mail.backends.{backends[parts.scheme]}.EmailBackend"
    }
    if parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    if parts.scheme in {"smtp", "smtps"}:
        use_ssl = parts.scheme == "smtps" or flag(query.get("ssl", "").lower())
        config |= {
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if use_ssl else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": use_ssl,
            "EMAIL_USE_TLS": not use_ssl and flag(query.get("tls", "").lower()),
            "EMAIL_TIMEOUT": float(query.get("timeout", "10")),
        }
    return config
