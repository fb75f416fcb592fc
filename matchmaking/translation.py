"""The place of a B2B session (the venue staff type) in every content language, like the
mission's texts (missions/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import MeetingSession


@register(MeetingSession)
class MeetingSessionTranslation(TranslationOptions):
    fields = ("place",)
    required_languages = ()
