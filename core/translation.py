"""Reading translated model fields (django-modeltranslation) where no model instance is at hand.

``mission.title`` gives the reader's language with fallback by itself; ``values()`` across a
relation (``slot__session__place`` from a meeting) reads raw columns instead. ``translated``
makes the same choice in SQL: the active language, else the first one written in the order of
``MODELTRANSLATION_FALLBACK_LANGUAGES``."""

from django.conf import settings
from django.db.models import TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def reading_order() -> list[str]:
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    fallback = settings.MODELTRANSLATION_FALLBACK_LANGUAGES["default"]
    languages = settings.MODELTRANSLATION_LANGUAGES
    return [lang for lang in dict.fromkeys([current, *fallback]) if lang in languages]


def translated(path: str) -> Coalesce:
    """The translated field at ``path`` in the reader's language, as an expression for
    ``values()`` or ``annotate()``; an empty string when no language is written."""
    return Coalesce(
        *(NullIf(f"{path}_{lang}", Value("")) for lang in reading_order()),
        Value(""),
        output_field=TextField(),
    )
