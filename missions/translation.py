"""Mission content in every language of the interface (django-modeltranslation).

Each field below gets one column per language of ``MODELTRANSLATION_LANGUAGES`` (``title_fr``,
``title_en``, ``title_ar``); reading ``mission.title`` gives the reader's language, or the first
language filled in ``MODELTRANSLATION_FALLBACK_LANGUAGES``. Staff write them side by side
(``missions.forms``, the admin)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Mission, ProgrammeItem


@register(Mission)
class MissionTranslation(TranslationOptions):
    fields = ("title", "description", "city")
    # The original columns stay required where they were: the form asks for one language at least.
    required_languages = ()


@register(ProgrammeItem)
class ProgrammeItemTranslation(TranslationOptions):
    fields = ("title", "place", "description")
    required_languages = ()
