"""The compatibility score on hand-made profiles, with a known expected order."""

from matchmaking.scoring import FirmProfile, OperatorProfile, compatibility

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
    ]


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
