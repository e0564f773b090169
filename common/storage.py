"""Files on shared storage: which backend, what an outage of the store means, and who may read what.

Every file goes through Django's storage API. `config/settings.py` picks the backends from the environment:
the local filesystem (the embedded default) or an S3-speaking object store through `django-storages`. Two
storages are configured, never more:

- `default` holds *public* media (product, post and review pictures, avatars). Its URLs are `MEDIA_URL` +
  name, answered on every node by `common.media.public_media` from the store (so no node needs the file on its
  own disk), or the CDN/bucket domain when `AWS_S3_CUSTOM_DOMAIN` is set.
- `private` holds files only some people may read (privacy exports, voice messages, chat attachments). An app
  hands one out either from its own authorising view (`private_file_response`) or as a short-lived signed
  URL (`private_file_url`), a presigned S3 URL or a signed link to `common.media.private_media`.

An unreachable store (connection refused, timeout, S3 5xx, a full or read-only disk) raises
`StorageUnavailable`, a `ServiceError` with code `unavailable`: the API answers 503 (`common.api`), pages too
(`common.media.UploadFaultsMiddleware`). A model's file is written in `pre_save`, before its row is
inserted, so a failed write leaves no row pointing at a missing file; services that save a file and then a
row in a second step do both inside one `transaction.atomic()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse
from django.utils.encoding import filepath_to_uri
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage

from common.errors import ServiceError

__all__ = [
    "PRIVATE_URL_SALT",
    "StorageUnavailable",
    "private_file_url",
    "private_storage",
    "public_storage",
    "storage_guard",
    "storage_is_reachable",
]

PRIVATE_URL_SALT = "common.storage.private-url"
T = TypeVar("T")


class StorageUnavailable(ServiceError):
    """The file store cannot be reached; nothing was written. Answered as 503 with this message."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("File storage is unavailable right now; nothing was saved. Try again shortly."),
            code="unavailable",
        )


def _is_missing(exc: BaseException) -> bool:
    if isinstance(exc, FileNotFoundError):
        return True
    response = getattr(exc, "response", None)  # botocore ClientError
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}
    return False


def _is_unreachable(exc: BaseException) -> bool:
    """Whether an exception from a storage call means "the store is down" (as opposed to a missing file or a
    programming error). OSError covers sockets and disks; botocore's errors cover S3."""
    if _is_missing(exc):
        return False
    if isinstance(exc, OSError):
        return True
    return isinstance(exc, BotoCoreError | ClientError)


@contextmanager
def storage_guard() -> Iterator[None]:
    """Turn "the store is unreachable" raised inside the block into `StorageUnavailable`; a missing file
    stays `FileNotFoundError`. The storages configured here guard themselves; this is for other calls
    (a boto3 client of your own, a copy between storages)."""
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as exc:
        if _is_missing(exc):
            raise FileNotFoundError(str(exc)) from exc
        if _is_unreachable(exc):
            raise StorageUnavailable() from exc
        raise


def _guarded(call: Callable[[], T]) -> T:
    with storage_guard():
        return call()


class GuardedStorageMixin:
    """Wraps the calls that touch the store so that an outage is `StorageUnavailable` everywhere."""

    def _save(self, name: str, content: Any) -> str:
        return _guarded(lambda: super(GuardedStorageMixin, self)._save(name, content))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> Any:
        return _guarded(lambda: super(GuardedStorageMixin, self)._open(name, mode))  # type: ignore[misc]

    def exists(self, name: str) -> bool:
        return _guarded(lambda: super(GuardedStorageMixin, self).exists(name))  # type: ignore[misc]

    def delete(self, name: str) -> None:
        _guarded(lambda: super(GuardedStorageMixin, self).delete(name))  # type: ignore[misc]

    def size(self, name: str) -> int:
        return _guarded(lambda: super(GuardedStorageMixin, self).size(name))  # type: ignore[misc]


class MediaFileSystemStorage(GuardedStorageMixin, FileSystemStorage):
    """Public media on a local (or shared network) disk under MEDIA_ROOT, served at MEDIA_URL."""


class PrivateFileSystemStorage(GuardedStorageMixin, FileSystemStorage):
    """Private files on disk, outside MEDIA_ROOT so no public route or proxy location reaches them. Its folder
    is PRIVATE_MEDIA_ROOT, or `private-media` beside MEDIA_ROOT (which keeps tests' temporary folders apart)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        self._private_location = kwargs.get("location")
        super().__init__(**kwargs)

    @cached_property
    def base_location(self) -> str:
        configured = getattr(settings, "PRIVATE_MEDIA_ROOT", "") or ""
        default = Path(settings.MEDIA_ROOT).parent / "private-media"
        return str(self._private_location or configured or default)

    def url(self, name: str | None) -> str:
        return private_file_url(name or "")


class MediaS3Storage(GuardedStorageMixin, S3Storage):
    """Public media in a bucket. Never overwrites a name (so a long cache is safe). Unless a custom domain (a
    CDN, a public bucket's website) is configured, URLs are this site's MEDIA_URL, answered from the bucket by
    `common.media.public_media`: browsers never need to reach the store itself."""

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "file_overwrite": False,
            "querystring_auth": False,
        }

    def url(
        self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None
    ) -> str:
        if self.custom_domain:
            return super().url(name, parameters, expire, http_method)
        return f"{settings.MEDIA_URL}{filepath_to_uri(name).lstrip('/')}"


class PrivateS3Storage(GuardedStorageMixin, S3Storage):
    """Private files in a bucket (under the `private/` prefix unless a location is set): URLs are presigned and
    expire after PRIVATE_MEDIA_URL_SECONDS; the objects are never public."""

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "file_overwrite": False,
            "querystring_auth": True,
            "custom_domain": None,
            "default_acl": "private",
            "location": "private",
            "querystring_expire": int(getattr(settings, "PRIVATE_MEDIA_URL_SECONDS", 300)),
        }


def public_storage() -> Storage:
    return storages["default"]


def private_storage() -> Storage:
    """Where exports, voice messages and chat attachments go: `FileField(storage=private_storage)` (a
    callable, so the field follows settings) or `private_storage().save(name, content)`."""
    return storages["private"]


def private_file_url(name: str, *, seconds: int | None = None) -> str:
    """A link to a private file that works for `seconds` (PRIVATE_MEDIA_URL_SECONDS by default) for whoever
    holds it. Call it only after the caller's own access check, and hand it to that person alone: a presigned
    URL on S3, else a signed link to `common.media.private_media` on this site."""
    lifetime = int(seconds or settings.PRIVATE_MEDIA_URL_SECONDS)
    storage = private_storage()
    if isinstance(storage, S3Storage):
        return _guarded(lambda: storage.url(name, expire=lifetime))
    token = signing.dumps({"n": name, "s": lifetime}, salt=PRIVATE_URL_SALT, compress=True)
    return reverse("private-media", kwargs={"token": token})


def storage_is_reachable(storage: Storage | None = None) -> bool:
    """One cheap round trip to the store (readiness probes): a HEAD on a name that need not exist."""
    try:
        (storage or public_storage()).exists(".readyz-probe")
    except StorageUnavailable:
        return False
    return True
