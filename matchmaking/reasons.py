"""The compatibility reasons (codes from ``scoring``) as sentences in the reader's language."""

from django.utils.translation import gettext as _

from companies.models import OperatorKind
from missions.models import Objective

from .scoring import Match


def reasons_text(match: Match, sector_names: dict[str, str]) -> list[str]:
    sentences = []
    for code, params in match.reasons:
        if code == "sectors":
            names = ", ".join(sector_names.get(s, s) for s in params["sectors"])
            sentences.append(_("Both: %(sectors)s") % {"sectors": names})
        elif code == "objective":
            wanted = ", ".join(str(Objective(o).label).lower() for o in params["objectives"])
            sentences.append(
                _("Looking for %(objectives)s: this operator is a match (%(kind)s)")
                % {"objectives": wanted, "kind": OperatorKind(params["kind"]).label}
            )
        elif code == "words":
            sentences.append(
                _("Their needs mention: %(words)s") % {"words": ", ".join(params["words"])}
            )
    return sentences
