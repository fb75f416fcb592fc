"""``{{ person.languages|spoken_names:person.other_languages }}``: the languages a delegate or a
contact can hold a meeting in, named in the reader's language ("French, Arabic, Soninké")."""

from django import template

from core import languages

register = template.Library()


@register.filter
def spoken_names(codes, other: str = "") -> str:
    return languages.spoken_names(codes, other)
