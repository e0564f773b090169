"""Private files answer a single HTTP Range (an `<audio>` player seeks this way): 206 with Content-Range, 416
for a range past the end, the whole file for no range or one we may ignore; the same on the disk and on S3."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory, override_settings

from common.media import ByteRange, RangeNotSatisfiable, byte_range_parse, private_file_response
from common.storage import private_file_url, private_storage
from tests.common.test_storage import _unreachable_s3

CONTENT = bytes(range(100))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", ByteRange(start=0, end=9, size=100)),
        ("bytes=90-", ByteRange(start=90, end=99, size=100)),
        ("bytes=-10", ByteRange(start=90, end=99, size=100)),
        ("bytes=-500", ByteRange(start=0, end=99, size=100)),
        ("bytes=95-500", ByteRange(start=95, end=99, size=100)),
        ("bytes=0-1,5-6", None),  # several ranges: allowed to send the whole file
        ("bytes=9-3", None),  # invalid: ignored
        ("items=0-9", None),
        ("bytes=-", None),
    ],
)
def test_byte_range_parse(header, expected):
    assert byte_range_parse(header, 100) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_byte_range_parse_unsatisfiable(header, size):
    with pytest.raises(RangeNotSatisfiable):
        byte_range_parse(header, size)


@pytest.mark.parametrize(
    ("header", "content_range", "body"),
    [
        ("bytes=10-19", "bytes 10-19/100", CONTENT[10:20]),
        ("bytes=98-", "bytes 98-99/100", CONTENT[98:]),
        ("bytes=-3", "bytes 97-99/100", CONTENT[97:]),
    ],
)
def test_a_range_of_a_private_file_is_206_with_those_bytes(client, header, content_range, body):
    url = private_file_url(private_storage().save("voice/1/a.webm", ContentFile(CONTENT)))

    response = client.get(url, headers={"Range": header})

    assert (response.status_code, response["Content-Range"], response.content) == (
        206,
        content_range,
        body,
    )
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(body))
    assert response["Cache-Control"] == "private, no-store"


def test_no_range_sends_the_whole_file_and_says_ranges_are_accepted(client):
    url = private_file_url(private_storage().save("voice/1/b.webm", ContentFile(CONTENT)))

    response = client.get(url)

    assert (response.status_code, response.content, response["Accept-Ranges"]) == (
        200,
        CONTENT,
        "bytes",
    )
    assert not response.has_header("Content-Range")


def test_a_range_past_the_end_is_416_with_the_size(client):
    url = private_file_url(private_storage().save("voice/1/c.webm", ContentFile(CONTENT)))

    response = client.get(url, headers={"Range": "bytes=100-"})

    assert (response.status_code, response["Content-Range"], response.content) == (
        416,
        "bytes */100",
        b"",
    )


def test_a_range_is_read_from_the_s3_bucket():
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="media")
        overrides = _unreachable_s3(0)
        overrides.pop("AWS_S3_ENDPOINT_URL")
        with override_settings(AWS_S3_ENDPOINT_URL=None, **overrides):
            name = private_storage().save("voice/1/d.webm", ContentFile(CONTENT))
            request = RequestFactory().get("/", headers={"Range": "bytes=50-59"})
            response = private_file_response(
                name, request=request, download=False, content_type="audio/webm"
            )

    assert (response.status_code, response["Content-Range"], response.content) == (
        206,
        "bytes 50-59/100",
        CONTENT[50:60],
    )
    assert response["Content-Type"] == "audio/webm"
