"""The read cache (core/cache.py) by its behaviour: an entry is served until what it depends on
changes, and a change shows once its transaction commits, never before, never if it rolls back."""

from contextlib import contextmanager

import pytest
from django.core.cache import cache as django_cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import translation

from core import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds():
    """``value(name, **kwargs)``: the entry, with the number of times it has been built."""
    counts: dict[str, int] = {}

    def value(name, **kwargs):
        def build():
            counts[name] = counts.get(name, 0) + 1
            return f"{name} #{counts[name]}"

        return cache.cached(name, build, **kwargs)

    return value


def test_an_entry_is_built_once_until_its_mission_changes(
    builds, django_capture_on_commit_callbacks
):
    assert builds("slots", mission_id=1) == "slots #1"
    assert builds("slots", mission_id=1) == "slots #1"
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire(2)  # another mission
    assert builds("slots", mission_id=1) == "slots #1"
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire(1)
    assert builds("slots", mission_id=1) == "slots #2"


def test_a_scope_expires_its_entries_only_and_the_mission_expires_every_scope(
    builds, django_capture_on_commit_callbacks
):
    firm, operator = cache.party("company", 3), cache.party("operator", 3)
    assert builds("firm", mission_id=1, scopes=[firm]) == "firm #1"
    assert builds("operator", mission_id=1, scopes=[operator]) == "operator #1"
    assert builds("tables", mission_id=1, scopes=[cache.ACTIVITY]) == "tables #1"
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire(1, cache.ACTIVITY, firm)  # a booking of the firm
    assert builds("firm", mission_id=1, scopes=[firm]) == "firm #2"
    assert builds("operator", mission_id=1, scopes=[operator]) == "operator #1"
    assert builds("tables", mission_id=1, scopes=[cache.ACTIVITY]) == "tables #2"
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire(1)
    assert builds("operator", mission_id=1, scopes=[operator]) == "operator #2"


def test_a_site_change_expires_every_mission(builds, django_capture_on_commit_callbacks):
    assert builds("names") == "names #1"
    assert builds("slots", mission_id=1) == "slots #1"
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire()
    assert builds("names") == "names #2"
    assert builds("slots", mission_id=1) == "slots #2"


def test_a_change_shows_after_its_commit_and_never_after_a_rollback(
    builds, django_capture_on_commit_callbacks
):
    assert builds("slots", mission_id=1) == "slots #1"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cache.expire(1)
        raise RuntimeError
    assert builds("slots", mission_id=1) == "slots #1"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cache.expire(1)
        assert builds("slots", mission_id=1) == "slots #1"  # not committed yet
    callbacks[0]()
    assert builds("slots", mission_id=1) == "slots #2"


def test_a_lost_counter_never_brings_back_an_older_entry(
    builds, django_capture_on_commit_callbacks
):
    assert builds("slots", mission_id=1) == "slots #1"
    django_cache.delete("version:1")  # evicted
    with django_capture_on_commit_callbacks(execute=True):
        cache.expire(1)  # nothing to bump: the next read starts the counter again
    assert builds("slots", mission_id=1) == "slots #2"


def test_entries_per_language_follow_the_reader(builds):
    with translation.override("en"):
        assert builds("names", per_language=True) == "names #1"
    with translation.override("fr"):
        assert builds("names", per_language=True) == "names #2"
    with translation.override("en"):
        assert builds("names", per_language=True) == "names #1"


def test_falsy_values_are_kept_too():
    calls = []
    for _ in range(2):
        assert cache.cached("none", lambda: calls.append(1), mission_id=1) is None
    assert len(calls) == 1


@pytest.fixture
def in_request():
    """The body runs as if inside one request: Django's request signals around it, without
    closing the test's database connection (as the test client does)."""

    @contextmanager
    def request():
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            request_started.send(sender=None)
            yield
        finally:
            request_finished.send(sender=None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return request


def test_a_request_reads_each_version_once_and_the_next_request_sees_changes(builds, in_request):
    with in_request():
        assert builds("slots", mission_id=1) == "slots #1"
        django_cache.incr("version:1")  # another process's booking, committed meanwhile
        assert builds("slots", mission_id=1) == "slots #1"  # the versions of the request's start
    with in_request():
        assert builds("slots", mission_id=1) == "slots #2"


def test_a_change_committed_by_the_request_itself_shows_in_that_request(
    builds, in_request, django_capture_on_commit_callbacks
):
    firm, operator = cache.party("company", 3), cache.party("operator", 3)
    with in_request():
        assert builds("firm", mission_id=1, scopes=[firm]) == "firm #1"
        assert builds("operator", mission_id=1, scopes=[operator]) == "operator #1"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            cache.expire(1, firm)  # a booking of the firm, in this request
            assert builds("firm", mission_id=1, scopes=[firm]) == "firm #1"  # not committed yet
        callbacks[0]()
        assert builds("firm", mission_id=1, scopes=[firm]) == "firm #2"
        assert builds("operator", mission_id=1, scopes=[operator]) == "operator #1"
        with django_capture_on_commit_callbacks(execute=True):
            cache.expire()  # a sector renamed: every mission
        assert builds("operator", mission_id=1, scopes=[operator]) == "operator #2"


def test_outside_a_request_every_read_sees_the_latest_versions(builds):
    assert builds("slots", mission_id=1) == "slots #1"
    django_cache.incr("version:1")
    assert builds("slots", mission_id=1) == "slots #2"
