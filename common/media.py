"""Serving stored files over HTTP, in production as in development.

Django serves no `/media/` with DEBUG off and WhiteNoise serves static files only, so `public_media` answers
`MEDIA_URL` itself, on every node, from whichever store is configured (`common.storage`): a picture uploaded
through one node is read from the shared store by any other. Only names under MEDIA_PUBLIC_PREFIXES are
public; pictures go out with their real type, `nosniff`, a sandboxing CSP and a year-long immutable cache (a
stored name is never reused), so a proxy or CDN in front keeps them and the app sees each file about once.

`private_media` answers the signed links made by `common.storage.private_file_url`; `private_file_response`
is what an app's own authorising view returns after its access check. Both say `private, no-store` and answer
a single HTTP Range (206/416), read by seeking the stored file, so an `<audio>` player can seek a recording.
`UploadFaultsMiddleware` turns `StorageUnavailable` raised by a page view into a 503 with the message (the API's
exception handler maps it already, as a `ServiceError`) and a body over Django's size limits into a 413.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.storage import (
    PRIVATE_URL_SALT,
    StorageUnavailable,
    private_storage,
    public_storage,
)

__all__ = [
    "ByteRange",
    "RangeNotSatisfiable",
    "UploadFaultsMiddleware",
    "byte_range_parse",
    "private_file_response",
    "private_media",
    "public_media",
]

# Types a browser may render inline (pictures; recordings for an <audio> player); anything else is a download.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "image/avif",
        "audio/webm",
        "audio/ogg",
        "audio/wav",
        "audio/mpeg",
        "audio/mp4",
    }
)
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _clean_name(path: str) -> str:
    parts = PurePosixPath(path).parts
    if (
        not parts
        or any(part in {"..", "."} or part.startswith("/") for part in parts)
        or "\x00" in path
    ):
        raise Http404
    return "/".join(parts)


def _read(storage_open: Callable[[], object]) -> bytes:
    try:
        handle = storage_open()
    except FileNotFoundError:
        raise Http404 from None
    with handle:  # type: ignore[attr-defined]
        return handle.read()  # type: ignore[attr-defined]


def _file_response(
    name: str,
    content: bytes,
    *,
    cache_control: str,
    download: bool,
    content_type: str | None = None,
) -> HttpResponse:
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES and not download
    response = HttpResponse(
        content, content_type=content_type if inline else "application/octet-stream"
    )
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    filename = PurePosixPath(name).name.replace('"', "")
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    )
    return response


@require_safe
def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """A public picture from the default storage, cacheable for a year by browsers and proxies."""
    name = _clean_name(path)
    prefixes = tuple(settings.MEDIA_PUBLIC_PREFIXES)
    if not name.startswith(prefixes):
        raise Http404
    storage = public_storage()
    content = _read(lambda: storage.open(name, "rb"))
    etag = '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    seconds = int(settings.MEDIA_CACHE_SECONDS)
    response = _file_response(
        name, content, cache_control=f"public, max-age={seconds}, immutable", download=False
    )
    response["ETag"] = etag
    return response


@dataclass(frozen=True)
class ByteRange:
    """An inclusive byte range `start`..`end` of a file of `size` bytes (HTTP Range, RFC 9110 §14)."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RangeNotSatisfiable(Exception):
    pass


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range_parse(header: str | None, size: int) -> ByteRange | None:
    """The single range a `Range` header asks for, clipped to `size`; None to send the whole file (no header,
    a malformed one, several ranges: all allowed to be ignored). Raises RangeNotSatisfiable when the range
    starts past the end (or asks for the last 0 bytes, or the file is empty)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # bytes=-n: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(start=max(size - suffix, 0), end=size - 1, size=size)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignored
    if start >= size:
        raise RangeNotSatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start=start, end=end, size=size)


def private_file_response(
    name: str,
    *,
    request: HttpRequest | None = None,
    download: bool = True,
    content_type: str | None = None,
) -> HttpResponse:
    """The file `name` from the private storage, for an app's view that has already checked access
    (`<entity>_access(...)` then `return private_file_response(obj.file.name, request=request)`). Never cached
    by proxies. `content_type` is the type the app checked on upload (a voice message's sniffed type), else
    guessed from the name; only INLINE_TYPES are served inline with `download=False`.

    With `request`, a single `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` is answered with 206 and only those
    bytes (an `<audio>` player seeks this way), an unsatisfiable one with 416 and `Content-Range: bytes */size`;
    the bytes are read by seeking the storage's file, so it works the same on the local disk and on S3."""
    storage = private_storage()
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    with handle:
        size = handle.size
        header = request.headers.get("Range") if request is not None else None
        if request is not None and request.headers.get("If-Range"):
            header = None  # no validator to compare against: send the whole, current file
        try:
            wanted = byte_range_parse(header, size)
        except RangeNotSatisfiable:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            refused["Accept-Ranges"] = "bytes"
            refused["Cache-Control"] = "private, no-store"
            return refused
        if wanted is None:
            content = handle.read()
        else:
            handle.seek(wanted.start)
            content = handle.read(wanted.length)
    response = _file_response(
        name,
        content,
        cache_control="private, no-store",
        download=download,
        content_type=content_type,
    )
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    return response


@require_safe
def private_media(request: HttpRequest, token: str) -> HttpResponse:
    """A private file behind a link signed by `private_file_url`; refused once the link has expired."""
    try:
        # The signature first, then the age against the lifetime the link was issued with.
        payload = signing.loads(token, salt=PRIVATE_URL_SALT)
        signing.loads(token, salt=PRIVATE_URL_SALT, max_age=int(payload["s"]))
        name = str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    return private_file_response(_clean_name(name), request=request, download=True)


class UploadFaultsMiddleware:
    """Two upload faults answered with a status and a message instead of a 500 or a bare 400 page: the file
    store unreachable (`StorageUnavailable`, 503 with Retry-After) and a request body over Django's limits
    (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FILES: 413, as the proxy answers above its own).
    JSON for the API and for callers that accept JSON, plain text otherwise. Async-capable (no thread hop);
    `process_exception` runs only when a view raised."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StorageUnavailable):
            response = _fault_response(request, exception.message, 503)
            response["Retry-After"] = "30"
            return response
        if isinstance(exception, RequestDataTooBig | TooManyFilesSent):
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            message = _("The request is too large: at most %(limit)s of data per request.") % {
                "limit": limit
            }
            return _fault_response(request, message, 413)
        return None


def _fault_response(request: HttpRequest, message: str, status: int) -> HttpResponse:
    accepts_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if accepts_json:
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
