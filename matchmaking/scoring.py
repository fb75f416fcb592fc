"""How well a Moroccan firm and a foreign operator fit, with the reasons in words.

A pure function of the two profiles (no Django import), so that it can be tested alone:

- each sector both sides share: 30 points (at most 60);
- each of the firm's objectives that the operator's kind answers: 25 points (at most 25)
  (clients <- buyers, CIOs, banks, telecom operators, public bodies, IT services firms;
  distributors <- distributors/importers; partners <- IT services firms, telecom operators;
  investors <- investors);
- words of at least five letters that the operator's needs share with the firm's offer:
  5 points each (at most 15).

The score is capped at 100. Reasons are returned as codes with their parameters: the page
turns them into sentences in the reader's language.
"""

import re
import unicodedata
from dataclasses import dataclass, field

SECTOR_POINTS, SECTOR_CAP = 30, 60
OBJECTIVE_POINTS = 25
WORD_POINTS, WORD_CAP = 5, 15

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


@dataclass(frozen=True)
class FirmProfile:
    sectors: frozenset[str]
    objectives: frozenset[str]
    offer: str = ""


@dataclass(frozen=True)
class OperatorProfile:
    sectors: frozenset[str]
    kind: str
    needs: str = ""


@dataclass
class Match:
    score: int
    reasons: list[tuple[str, dict]] = field(default_factory=list)


def _words(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return {w for w in re.findall(r"[a-z]{5,}", plain) if w not in STOPWORDS}


def compatibility(firm: FirmProfile, operator: OperatorProfile) -> Match:
    match = Match(score=0)
    shared = sorted(firm.sectors & operator.sectors)
    if shared:
        match.score += min(SECTOR_POINTS * len(shared), SECTOR_CAP)
        match.reasons.append(("sectors", {"sectors": shared}))
    answered = sorted(firm.objectives & ANSWERS.get(operator.kind, set()))
    if answered:
        match.score += OBJECTIVE_POINTS
        match.reasons.append(("objective", {"objectives": answered, "kind": operator.kind}))
    common = sorted(_words(firm.offer) & _words(operator.needs))
    if common:
        match.score += min(WORD_POINTS * len(common), WORD_CAP)
        match.reasons.append(("words", {"words": common[:3]}))
    match.score = min(match.score, 100)
    return match
