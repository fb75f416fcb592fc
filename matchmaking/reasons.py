"""The compatibility reasons (codes from ``scoring``) as sentences in the reader's language,
written for the reader's side: a firm reads "you look for distributors", the operator reads
"they look for distributors"."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import OperatorKind
from core.languages import languages_text
from missions.models import Objective

from .models import Side
from .scoring import POSITIVE, Match


@dataclass(frozen=True)
class Reason:
    text: str
    positive: bool  # something the two sides share; False: something they do not

    def __str__(self):
        return self.text


def _names(keys, names: dict[str, str]) -> str:
    return ", ".join(names.get(k, k) for k in keys)


def _objectives(params) -> dict:
    return {
        "objectives": ", ".join(str(Objective(o).label).lower() for o in params["objectives"]),
        "kind": OperatorKind(params["kind"]).label,
    }


def _sentence(code: str, params: dict, names: dict[str, str], firm: bool) -> str:
    """One reason for a reader of the firm's side (``firm``) or of the operator's."""
    if code == "sectors":
        count = len(params["sectors"])
        return ngettext("Shared sector: %(sectors)s", "Shared sectors: %(sectors)s", count) % {
            "sectors": _names(params["sectors"], names)
        }
    if code == "no_sectors":
        theirs = params["operator_sectors" if firm else "firm_sectors"]
        if not theirs:
            return _("No shared sector: they have named no sector")
        text = (
            _("No shared sector: they look for %(sectors)s")
            if firm
            else _("No shared sector: they offer %(sectors)s")
        )
        return text % {"sectors": _names(theirs, names)}
    if code == "objective":
        text = (
            _("You look for %(objectives)s: their kind answers it (%(kind)s)")
            if firm
            else _("They look for %(objectives)s: your kind answers it (%(kind)s)")
        )
        return text % _objectives(params)
    if code == "no_objective":
        text = (
            _("You look for %(objectives)s, not for their kind (%(kind)s)")
            if firm
            else _("They look for %(objectives)s, not for your kind (%(kind)s)")
        )
        return text % _objectives(params)
    if code == "words":
        text = (
            _("Their needs mention: %(words)s")
            if firm
            else _("Their offer mentions what you need: %(words)s")
        )
        return text % {"words": ", ".join(params["words"])}
    if code == "language":
        count = len(params["languages"])
        return ngettext(
            "A language you share: %(languages)s", "Languages you share: %(languages)s", count
        ) % {"languages": languages_text(params["languages"])}
    if code == "no_language":
        text = (
            _("No shared language: they speak %(theirs)s, your delegates %(yours)s")
            if firm
            else _("No shared language: their delegates speak %(theirs)s, you %(yours)s")
        )
        theirs, yours = (
            ("operator_languages", "firm_languages")
            if firm
            else ("firm_languages", "operator_languages")
        )
        return text % {
            "theirs": languages_text(params[theirs]),
            "yours": languages_text(params[yours]),
        }
    # languages_unknown
    if params["firm"] and params["operator"]:
        return _("Neither side has said which languages it speaks")
    if params["operator" if firm else "firm"]:
        return (
            _("They have not said which languages they speak")
            if firm
            else _("Their delegates have not said which languages they speak")
        )
    return (
        _("Your delegates' languages are not given: add them to your application")
        if firm
        else _("Your languages are not given: add them to your profile")
    )


def reasons_text(match: Match, sector_names: dict[str, str], side: str) -> list[Reason]:
    """The reasons of ``match`` for a reader of ``side`` ("company" or "operator"), what the
    two sides share first."""
    firm = side == Side.COMPANY
    reasons = [
        Reason(_sentence(code, params, sector_names, firm), code in POSITIVE)
        for code, params in match.reasons
    ]
    return sorted(reasons, key=lambda r: not r.positive)
