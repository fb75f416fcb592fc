"""The release stamp in the read cache's keys: a release never reads what another cached."""

from core.release import stamp
from matchmaking import cache as mm_cache


def test_the_stamp_follows_code_templates_and_translations_only(tmp_path):
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text("x = 1\n")
    (tmp_path / "app" / "templates" / "page.html").write_text("<p>{{ x }}</p>")
    first = stamp(tmp_path)
    assert stamp(tmp_path) == first  # every process of a release agrees
    for ignored in (".venv/lib/django.py", "static/app.py", "app/notes.txt"):
        (tmp_path / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored).write_text("changed")
    assert stamp(tmp_path) == first
    (tmp_path / "app" / "templates" / "page.html").write_text("<p>{{ y }}</p>")
    second = stamp(tmp_path)
    assert second != first
    (tmp_path / "app" / "locale.mo").write_bytes(b"\x00")
    assert stamp(tmp_path) not in (first, second)


def test_cached_entries_are_keyed_by_the_release(monkeypatch):
    assert mm_cache.cached(1, "probe", lambda: "built by this release") == "built by this release"
    monkeypatch.setattr(mm_cache, "RELEASE", "another")
    mm_cache.recent.clear()
    assert mm_cache.cached(1, "probe", lambda: "rebuilt") == "rebuilt"
