import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from .factories import (
    PASSWORD,
    CompanyMemberFactory,
    OperatorContactFactory,
    StaffFactory,
    UserFactory,
)


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres or redis are skipped, with the reason, where the service is absent."""
    on_sqlite = os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite")
    no_redis = not os.environ.get("REDIS_URL")
    for item in items:
        if on_sqlite and item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if no_redis and item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread: each test starts in French.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps its rate-limit counters in the cache, and the read cache its entries: each
    # test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.org")


@pytest.fixture
def member(db):
    return CompanyMemberFactory(email="member@example.org")


@pytest.fixture
def operator_contact(db):
    return OperatorContactFactory(email="operator@example.org")


@pytest.fixture
def plain_user(db):
    return UserFactory(email="plain@example.org")


@pytest.fixture
def vendor():
    return connection.vendor


@pytest.fixture
def queries():
    """``queries(lambda: client.get(url))``: how many SQL queries the call made."""

    def count(call) -> int:
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured.captured_queries)

    return count
