from __future__ import annotations

import pytest

from common.ratelimit import RateLimited, parse_rate, rate_limit_hit


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("30/hour", (30, 3600)), ("5/min", (5, 60)), ("2/s", (2, 1)), ("100/day", (100, 86400))],
)
def test_parse_rate(rate, expected):
    assert parse_rate(rate) == expected


def test_limit_counts_per_scope_and_key(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"report": "2/hour", "follow": "1/hour"},
    }
    rate_limit_hit(scope="report", key=1)
    rate_limit_hit(scope="report", key=1)
    rate_limit_hit(scope="report", key=2)  # another user has their own budget
    rate_limit_hit(scope="follow", key=1)  # another action too

    with pytest.raises(RateLimited) as excinfo:
        rate_limit_hit(scope="report", key=1)

    assert 0 < excinfo.value.retry_after <= 3600
    assert excinfo.value.message.startswith("You are doing that too often. Try again in")


def test_scope_without_rate_is_unlimited(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}

    for _ in range(50):
        assert rate_limit_hit(scope="anything", key=1) is None
