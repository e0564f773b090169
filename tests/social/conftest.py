from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


@pytest.fixture
def ben(db):
    return UserFactory(username="ben")


@pytest.fixture
def cleo(db):
    return UserFactory(username="cleo")
