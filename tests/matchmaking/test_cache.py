"""The per-mission read cache: one version read per request, and a write within the request
is seen at once."""

from unittest import mock

from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from matchmaking import cache as mm_cache


def version(mission_id: int) -> int:
    return mm_cache.versions([mm_cache._version_key(mission_id)])[0]


def test_a_request_reads_each_mission_version_once_and_sees_its_own_writes():
    seen = []

    def view(request):
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
            first = version(7)
            assert version(7) == first
            assert get_many.call_count == 1
            mm_cache._bump([mm_cache._version_key(7)])  # what a write in this request does
            seen.append((first, version(7), get_many.call_count))
        return HttpResponse()

    mm_cache.RequestVersionsMiddleware(view)(RequestFactory().get("/"))
    first, after, reads = seen[0]
    assert after == first + 1 and reads == 2
    assert mm_cache._versions.get() is None  # nothing leaks to the next request


def test_outside_a_request_every_read_asks_the_cache():
    first = version(8)
    mm_cache._bump([mm_cache._version_key(8)])
    assert version(8) == first + 1


def test_an_entry_reads_all_its_versions_in_one_round_trip():
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        mm_cache.cached(10, "busy", lambda: 1, activity=True, party=("company", 3))
    assert get_many.call_count == 1
    (keys,), _kwargs = get_many.call_args
    assert keys == ["mm:version:10", "mm:version:10:activity", "mm:version:10:company:3"]


def test_the_process_copy_is_served_until_a_change_and_cannot_be_altered():
    builds = []

    def build():
        builds.append(1)
        return {"rows": [1, 2]}

    first = mm_cache.cached(9, "page", build)
    first["rows"].append(3)  # a caller altering its value alters nobody else's
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        assert mm_cache.cached(9, "page", build) == {"rows": [1, 2]}
        # The entry itself is not asked of the shared cache: the copy of this process serves it.
        assert not [c for c in get.call_args_list if c.args[0].startswith("mm:9:")]
    mm_cache._bump([mm_cache._version_key(9)])
    assert mm_cache.cached(9, "page", build) == {"rows": [1, 2]} and len(builds) == 2


def test_process_copies_expire_with_the_shared_entries_and_stay_within_their_budget():
    copies = mm_cache._Recent(max_bytes=300, timeout=60)
    copies.put("a", b"x" * 100)
    with mock.patch.object(mm_cache.time, "monotonic", return_value=mm_cache.time.monotonic() + 61):
        assert copies.get("a") is None  # older than the shared entry's lifetime
    for key in "bcdef":
        copies.put(key, b"y" * 100)
    assert copies.get("b") is None and copies.get("f") == b"y" * 100  # oldest dropped first
    assert copies.bytes <= 300
