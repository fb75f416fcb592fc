"""The compatibility score on hand-made profiles, with a known expected order."""

from matchmaking.scoring import LANGUAGE_POINTS, FirmProfile, OperatorProfile, compatibility

PAYMENT_FIRM = FirmProfile(
    sectors=frozenset({"e-payment-banking", "cybersecurity"}),
    objectives=frozenset({"clients", "distributors"}),
    offer="Plateforme de paiement mobile et monétique pour les banques.",
)


def test_score_known_order():
    bank = OperatorProfile(
        sectors=frozenset({"e-payment-banking", "cybersecurity"}),
        kind="bank",
        needs="Nous cherchons une solution de paiement mobile sécurisée.",
    )
    distributor = OperatorProfile(sectors=frozenset({"e-payment-banking"}), kind="distributor")
    investor = OperatorProfile(sectors=frozenset({"cybersecurity"}), kind="investor")
    telecom_other_sector = OperatorProfile(sectors=frozenset({"cloud-datacentres"}), kind="telecom")
    public_nothing = OperatorProfile(sectors=frozenset({"training"}), kind="other")
    scores = {
        name: compatibility(PAYMENT_FIRM, profile).score
        for name, profile in {
            "bank": bank,
            "distributor": distributor,
            "investor": investor,
            "telecom": telecom_other_sector,
            "nothing": public_nothing,
        }.items()
    }
    # 60 (two sectors) + 25 (clients <- bank) + 10 ("paiement", "mobile")
    assert scores == {"bank": 95, "distributor": 55, "investor": 30, "telecom": 25, "nothing": 0}
    assert sorted(scores, key=scores.get, reverse=True) == [
        "bank",
        "distributor",
        "investor",
        "telecom",
        "nothing",
    ]


def test_score_reasons_say_why():
    distributor = OperatorProfile(sectors=frozenset({"e-payment-banking"}), kind="distributor")
    match = compatibility(PAYMENT_FIRM, distributor)
    assert match.reasons == [
        ("sectors", {"sectors": ["e-payment-banking"]}),
        ("objective", {"objectives": ["distributors"], "kind": "distributor"}),
        ("languages_unknown", {"firm": True, "operator": True}),
    ]


def test_zero_score_still_says_why():
    """A bank that looks for nothing the firm offers: 0/100, and the reasons say what is missing
    (no shared sector, an objective its kind does not answer, no shared language)."""
    firm = FirmProfile(
        sectors=frozenset({"software"}),
        objectives=frozenset({"distributors"}),
        languages=frozenset({"fr", "ar"}),
    )
    bank = OperatorProfile(
        sectors=frozenset({"e-payment-banking"}), kind="bank", languages=frozenset({"en"})
    )
    match = compatibility(firm, bank)
    assert match.score == 0
    assert match.reasons == [
        ("no_sectors", {"firm_sectors": ["software"], "operator_sectors": ["e-payment-banking"]}),
        ("no_objective", {"objectives": ["distributors"], "kind": "bank"}),
        ("no_language", {"firm_languages": ["ar", "fr"], "operator_languages": ["en"]}),
    ]
    assert match.shared_language is False


def test_shared_language_raises_the_score_and_is_a_reason():
    firm = FirmProfile(sectors=frozenset({"software"}), objectives=frozenset({"clients"}))
    cio = OperatorProfile(sectors=frozenset({"software"}), kind="cio")
    unknown = compatibility(firm, cio)
    assert unknown.score == 55 and unknown.shared_language is None
    both = compatibility(
        FirmProfile(**{**firm.__dict__, "languages": frozenset({"fr", "ar"})}),
        OperatorProfile(**{**cio.__dict__, "languages": frozenset({"fr", "wolof"})}),
    )
    assert both.score == 55 + LANGUAGE_POINTS
    assert ("language", {"languages": ["fr"]}) in both.reasons
    assert both.shared_language is True
    none = compatibility(
        FirmProfile(**{**firm.__dict__, "languages": frozenset({"ar"})}),
        OperatorProfile(**{**cio.__dict__, "languages": frozenset({"en"})}),
    )
    assert none.score == 55 and none.shared_language is False


def test_score_is_capped_and_ignores_common_words():
    firm = FirmProfile(
        sectors=frozenset({"a", "b", "c", "d"}),
        objectives=frozenset({"clients", "partners"}),
        offer="solutions services entreprise cloud souverain hebergement securise donnees",
    )
    operator = OperatorProfile(
        sectors=frozenset({"a", "b", "c", "d"}),
        kind="it_services",
        needs="Solutions et services : hébergement sécurisé des données, cloud souverain",
    )
    match = compatibility(firm, operator)
    assert match.score == 100
    words = dict(match.reasons)["words"]["words"]
    assert "solutions" not in words and "services" not in words
    assert len(words) == 3


def test_scoring_module_has_no_django_import():
    import ast
    from pathlib import Path

    import matchmaking.scoring as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith("django") for name in imported)
