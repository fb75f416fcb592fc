"""The languages people can hold a meeting in: delegates of the firms and operators' contacts.

A person's languages are a list of codes from ``SpokenLanguage`` (stored as a JSON list,
``LANGUAGES_SHAPE`` checked by the database) plus, for a language the list lacks, free text
("other languages", comma separated). ``spoken`` turns both into one set that the pure score
(``matchmaking.scoring``) and the instance builder compare: codes as they are, free text
in lower case, so that "Soninké" and "soninké" match.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.db.models.lookups import Regex
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SpokenLanguage(models.TextChoices):
    """The languages of the agency's markets, French, English and Arabic first."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    GERMAN = "de", _("German")
    ITALIAN = "it", _("Italian")
    CHINESE = "zh", _("Chinese")
    TURKISH = "tr", _("Turkish")
    RUSSIAN = "ru", _("Russian")
    TAMAZIGHT = "zgh", _("Tamazight")
    WOLOF = "wo", _("Wolof")
    BAMBARA = "bm", _("Bambara")
    DIOULA = "dyu", _("Dioula")
    MOORE = "mos", _("Mooré")
    FULA = "ff", _("Fula (Pulaar)")
    HAUSA = "ha", _("Hausa")
    SWAHILI = "sw", _("Swahili")


# What the database accepts in a ``languages`` column: a JSON list of lower-case codes (the
# forms and services keep them to SpokenLanguage; the database refuses anything else in shape).
LANGUAGES_SHAPE = r'^\[("[a-z]{2,3}"(, ?"[a-z]{2,3}")*)?\]$'
OTHER_MAX_LENGTH = 100


def languages_model_fields() -> tuple[models.JSONField, models.CharField]:
    """The two columns of a person who meets: ``languages`` (codes) and ``other_languages``."""
    return (
        models.JSONField(
            _("languages spoken"), default=list, blank=True, validators=[validate_languages]
        ),
        models.CharField(
            _("other languages"),
            max_length=OTHER_MAX_LENGTH,
            blank=True,
            help_text=_("Languages missing from the list, separated by commas."),
        ),
    )


def languages_shape_check(name: str) -> models.CheckConstraint:
    """The database's check of a ``languages`` column: a JSON list of codes. Read as text, which
    is how SQLite stores JSON and how PostgreSQL prints jsonb (``["fr", "en"]``)."""
    return models.CheckConstraint(
        condition=Regex(Cast("languages", models.TextField()), LANGUAGES_SHAPE), name=name
    )


def clean_languages(codes: Iterable[str]) -> list[str]:
    """The known codes among ``codes``, once each, in the order of ``SpokenLanguage``."""
    chosen = set(codes or ())
    return [code for code in SpokenLanguage.values if code in chosen]


def validate_languages(value) -> None:
    """Model validator (admin, model forms): a list of known codes."""
    if not isinstance(value, list) or any(code not in SpokenLanguage.values for code in value):
        raise ValidationError(_("Choose languages from the list."), code="invalid_languages")


def _fold(word: str) -> str:
    """Lower case, spaces collapsed: how free-text languages are compared and kept."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", word.strip().casefold()))


def _plain(word: str) -> str:
    """Without accents (nor Arabic short vowels), to recognise a language of the list."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def other_words(other: str) -> list[str]:
    """The free-text languages, as typed (trimmed), one per comma, semicolon or slash."""
    return [w.strip() for w in re.split(r"[,;/]", other or "") if w.strip()]


@functools.cache
def _names() -> dict[str, str]:
    """Each code by itself and by its name in every language of the interface, folded."""
    names = {code: code for code in SpokenLanguage.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update(
                (_plain(_fold(str(label))), code) for code, label in SpokenLanguage.choices
            )
    return names


def spoken(codes: Iterable[str], other: str = "") -> frozenset[str]:
    """One comparable set: the codes, and each free-text language in lower case (a language of
    the list named in words, "arabe", "English" or "Moore", counts as its code, whatever the
    reader's language)."""
    names = _names()
    found = set(clean_languages(codes))
    for word in other_words(other):
        folded = _fold(word)
        if folded:
            found.add(names.get(_plain(folded), folded))
    return frozenset(found)


def language_label(key: str) -> str:
    """The name of a code of ``spoken`` in the active language (free text as it was folded)."""
    if key in SpokenLanguage.values:
        return str(SpokenLanguage(key).label)
    return key.capitalize()


def languages_text(keys: Iterable[str]) -> str:
    """Names of ``keys`` (from ``spoken``), the list's order first, then free text."""
    keys = set(keys)
    known = [str(label) for code, label in SpokenLanguage.choices if code in keys]
    others = sorted(language_label(k) for k in keys if k not in SpokenLanguage.values)
    return ", ".join(known + others)


class LanguagesField(forms.MultipleChoiceField):
    """The form field of a ``languages`` column: boxes to tick, kept in the list's order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Languages you can hold a meeting in"))
        kwargs.setdefault("required", False)
        super().__init__(choices=SpokenLanguage.choices, **kwargs)

    def clean(self, value):
        return clean_languages(super().clean(value))


def other_languages_field(**kwargs) -> forms.CharField:
    kwargs.setdefault("label", _("Other languages"))
    kwargs.setdefault("help_text", _("Languages missing from the list, separated by commas."))
    return forms.CharField(max_length=OTHER_MAX_LENGTH, required=False, **kwargs)


def speakers_first(people: list, languages: frozenset[str]) -> list:
    """``people`` (delegates or contacts, with ``languages`` and ``other_languages``), those who
    speak one of ``languages`` first, in their order otherwise: whom to send to a meeting."""
    return sorted(people, key=lambda p: not (spoken(p.languages, p.other_languages) & languages))


def spoken_names(codes, other: str = "") -> str:
    """What a person ticked and typed, named in the reader's language ("French, Arabic,
    Soninké"), free text as they typed it."""
    names = [str(SpokenLanguage(code).label) for code in clean_languages(codes or [])]
    return ", ".join(names + other_words(other))
