"""``{{ person.languages|spoken_names:person.other_languages }}``: the languages a delegate or a
contact can hold a meeting in, named in the reader's language ("French, Arabic, Soninké")."""

from django import template

from core.languages import SpokenLanguage, clean_languages, other_words

register = template.Library()


@register.filter
def spoken_names(codes, other: str = "") -> str:
    names = [str(SpokenLanguage(code).label) for code in clean_languages(codes or [])]
    return ", ".join(names + other_words(other))
