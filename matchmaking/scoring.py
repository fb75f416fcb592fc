"""How well a Moroccan firm and a foreign operator fit, with the reasons in words.

A pure function of the two profiles (no Django import), so that it can be tested alone:

- each sector both sides share: 30 points (at most 60);
- each of the firm's objectives that the operator's kind answers: 25 points (at most 25)
  (clients <- buyers, CIOs, banks, telecom operators, public bodies, IT services firms;
  distributors <- distributors/importers; partners <- IT services firms, telecom operators;
  investors <- investors);
- words of at least five letters that the operator's needs share with the firm's offer:
  5 points each (at most 15);
- a language both sides can hold the meeting in (the firm's delegates, the operator's
  contacts): 10 points.

The score is capped at 100. Every score comes with its reasons, a low one too: what the two
sides share, and what they do not (no shared sector, an objective the operator's kind does not
answer, no shared language, languages not given). Reasons are codes with their parameters:
``matchmaking.reasons`` turns them into sentences in the reader's language, for the reader's
side.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

SECTOR_POINTS, SECTOR_CAP = 30, 60
OBJECTIVE_POINTS = 25
WORD_POINTS, WORD_CAP = 5, 15
LANGUAGE_POINTS = 10

# operator kind -> the firm objectives it answers
ANSWERS = {
    "buyer": {"clients"},
    "cio": {"clients"},
    "bank": {"clients"},
    "public": {"clients"},
    "telecom": {"clients", "partners"},
    "it_services": {"clients", "partners"},
    "distributor": {"distributors"},
    "investor": {"investors"},
    "other": set(),
}

STOPWORDS = {
    "notre", "votre", "nous", "vous", "leurs", "entre", "aussi", "avons", "dans", "pour",
    "avec", "about", "their", "which", "these", "those", "would", "could", "other", "there",
    "solutions", "services", "société", "company", "entreprise", "clients",
}  # fmt: skip

# Reasons that tell what the two sides share (the others tell what they do not).
POSITIVE = frozenset({"sectors", "objective", "words", "language"})


@dataclass(frozen=True)
class FirmProfile:
    sectors: frozenset[str]
    objectives: frozenset[str]
    offer: str = ""
    languages: frozenset[str] = frozenset()  # what its delegates speak (core.languages.spoken)


@dataclass(frozen=True)
class OperatorProfile:
    sectors: frozenset[str]
    kind: str
    needs: str = ""
    languages: frozenset[str] = frozenset()  # what its contacts speak


@dataclass
class Match:
    score: int
    reasons: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def shared_language(self) -> bool | None:
        """True or False when both sides gave their languages, None when one did not."""
        codes = {code for code, _params in self.reasons}
        if "language" in codes:
            return True
        return False if "no_language" in codes else None


@lru_cache(maxsize=4096)  # a directory scores each offer against many needs
def _words(text: str) -> frozenset[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return frozenset(w for w in re.findall(r"[a-z]{5,}", plain) if w not in STOPWORDS)


def shared_languages(firm: frozenset[str], operator: frozenset[str]) -> frozenset[str] | None:
    """The languages both sides speak; None when a side has not said."""
    return firm & operator if firm and operator else None


def compatibility(firm: FirmProfile, operator: OperatorProfile) -> Match:
    match = Match(score=0)
    shared = sorted(firm.sectors & operator.sectors)
    if shared:
        match.score += min(SECTOR_POINTS * len(shared), SECTOR_CAP)
        match.reasons.append(("sectors", {"sectors": shared}))
    else:
        match.reasons.append(
            (
                "no_sectors",
                {
                    "firm_sectors": sorted(firm.sectors),
                    "operator_sectors": sorted(operator.sectors),
                },
            )
        )
    answered = sorted(firm.objectives & ANSWERS.get(operator.kind, set()))
    if answered:
        match.score += OBJECTIVE_POINTS
        match.reasons.append(("objective", {"objectives": answered, "kind": operator.kind}))
    elif firm.objectives:
        match.reasons.append(
            ("no_objective", {"objectives": sorted(firm.objectives), "kind": operator.kind})
        )
    common = sorted(_words(firm.offer) & _words(operator.needs))
    if common:
        match.score += min(WORD_POINTS * len(common), WORD_CAP)
        match.reasons.append(("words", {"words": common[:3]}))
    languages = shared_languages(firm.languages, operator.languages)
    if languages:
        match.score += LANGUAGE_POINTS
        match.reasons.append(("language", {"languages": sorted(languages)}))
    elif languages is not None:
        match.reasons.append(
            (
                "no_language",
                {
                    "firm_languages": sorted(firm.languages),
                    "operator_languages": sorted(operator.languages),
                },
            )
        )
    else:
        match.reasons.append(
            (
                "languages_unknown",
                {"firm": not firm.languages, "operator": not operator.languages},
            )
        )
    match.score = min(match.score, 100)
    return match
