"""The languages people speak: one comparable set from the boxes ticked and the free text, and
the database's refusal of a malformed list."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from core.languages import clean_languages, languages_text, speakers_first, spoken
from missions.models import Delegate
from tests.factories import ApplicationFactory, UserFactory


def test_spoken_merges_codes_and_free_text_whatever_the_reader_language():
    with translation.override("en"):
        english = spoken(["fr"], "arabe, Soninké; wolof / Moore")
    with translation.override("fr"):
        french = spoken(["fr"], "Arabic, soninké, Wolof, mooré")
    # "arabe"/"Arabic", "wolof" and "Moore"/"mooré" are on the list: their codes.
    assert english == french == frozenset({"fr", "ar", "soninké", "wo", "mos"})
    assert spoken([], "") == frozenset()
    assert spoken(["xx", "fr", "fr"]) == frozenset({"fr"})  # unknown codes are not counted
    # A name in Arabic is known too (the Arabic catalogue); one off the list is kept as typed.
    assert spoken([], "العربية , Hassaniya") == frozenset({"ar", "hassaniya"})


def test_clean_languages_keeps_the_lists_order_once_each():
    assert clean_languages(["ar", "en", "fr", "ar", "zz"]) == ["fr", "en", "ar"]


def test_languages_text_names_codes_then_free_text():
    with translation.override("fr"):
        assert languages_text({"soninké", "ar", "fr"}) == "Français, Arabe, Soninké"


def test_speakers_first_sends_who_speaks_the_language():
    class Person:
        def __init__(self, name, languages, other=""):
            self.name, self.languages, self.other_languages = name, languages, other

    people = [Person("a", ["fr"]), Person("b", [], "English"), Person("c", ["en"])]
    assert [p.name for p in speakers_first(people, frozenset({"en"}))] == ["b", "c", "a"]
    assert [p.name for p in speakers_first(people, frozenset())] == ["a", "b", "c"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["fr", ["French"], ["fr", 3], {"fr": True}, ["f"], None])
def test_database_refuses_a_malformed_languages_list(bad):
    application = ApplicationFactory(delegates=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegate.objects.create(application=application, full_name="X", role="Y", languages=bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(languages=bad)
    Delegate.objects.create(application=application, full_name="X", role="Y", languages=["fr"])
    assert UserFactory(languages=["fr", "zgh"]).languages == ["fr", "zgh"]
