"""The per-mission read cache: one version read per request, and a write within the request
is seen at once."""

from unittest import mock

from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from matchmaking import cache as mm_cache


def test_a_request_reads_each_mission_version_once_and_sees_its_own_writes():
    seen = []

    def view(request):
        with mock.patch.object(cache, "get", wraps=cache.get) as get:
            first = mm_cache.mission_version(7)
            assert mm_cache.mission_version(7) == first
            assert get.call_count <= 3  # the first read only (with its fresh-start fallback)
            calls = get.call_count
            mm_cache._bump(7)  # what a write in this request does once it commits
            seen.append((first, mm_cache.mission_version(7), get.call_count - calls))
        return HttpResponse()

    mm_cache.RequestVersionsMiddleware(view)(RequestFactory().get("/"))
    first, after, reads = seen[0]
    assert after == first + 1 and reads == 1
    assert mm_cache._versions.get() is None  # nothing leaks to the next request


def test_outside_a_request_every_read_asks_the_cache():
    first = mm_cache.mission_version(8)
    mm_cache._bump(8)
    assert mm_cache.mission_version(8) == first + 1
