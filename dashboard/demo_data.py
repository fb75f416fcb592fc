"""Fictional demo content for ``seed_demo``: the missions of the seed articles, and invented
firms and operators (no real company is named)."""

import random
from datetime import date, datetime, time, timedelta

MISSIONS = [
    {
        "slug": "ouagadougou-2027",
        "title": "Mission B2B TIC à Ouagadougou",
        "city": "Ouagadougou",
        "country": "BF",
        "timezone": "Africa/Ouagadougou",
        "start_date": date(2027, 3, 5),
        "end_date": date(2027, 3, 9),
        "capacity": 13,
        "deadline": date(2027, 2, 1),
        "partners": "Chambre de commerce et d'industrie du Burkina Faso\nFédération marocaine des technologies de l'information (APEBI)",
        "sectors": ["e-payment-banking", "devices-telecom", "it-consulting"],
        "description": (
            "Une délégation d'entreprises marocaines des TIC rencontre les opérateurs burkinabè: "
            "banques et paiement électronique, fabricants de terminaux, sociétés de conseil. "
            "Présentation croisée des marchés, visites sur site et rencontres B2B individualisées."
        ),
        "status": "scheduling",
        "firms": 13,
        "operators": 60,
    },
    {
        "slug": "abidjan-2027",
        "title": "Mission TIC Maroc – Côte d'Ivoire à Abidjan",
        "city": "Abidjan",
        "country": "CI",
        "timezone": "Africa/Abidjan",
        "start_date": date(2027, 5, 17),
        "end_date": date(2027, 5, 20),
        "capacity": 20,
        "deadline": date(2027, 4, 1),
        "partners": "ASTEC – Association des sociétés technologiques\nAmbassade du Maroc à Abidjan",
        "sectors": ["software", "e-government", "cloud-datacentres", "offshoring-bpo"],
        "description": (
            "Quatre jours avec vingt entreprises marocaines des TIC: séminaire sur le potentiel du "
            "marché ouest-africain, rencontres B2B avec les DSI, SSII et distributeurs ivoiriens, "
            "et pistes de coentreprises."
        ),
        "status": "scheduling",
        "firms": 20,
        "operators": 80,
    },
    {
        "slug": "san-francisco-2027",
        "title": "Moroccan ICT mission to San Francisco",
        "city": "San Francisco",
        "country": "US",
        "timezone": "America/Los_Angeles",
        "start_date": date(2027, 11, 13),
        "end_date": date(2027, 11, 17),
        "capacity": 10,
        "deadline": date(2027, 9, 30),
        "partners": "ASTEC – Association des sociétés technologiques",
        "sectors": ["ai-data", "cybersecurity", "software"],
        "description": (
            "Ten Moroccan ICT firms meet Silicon Valley investors (venture capital, business "
            "angels), importers, distributors and technology partners, with workshops on the US "
            "ICT market."
        ),
        "status": "open",
        "firms": 10,
        "operators": 40,
    },
]

_FIRST = [
    "Atlas",
    "Sahara",
    "Medina",
    "Argan",
    "Rif",
    "Souss",
    "Tafilalet",
    "Oasis",
    "Zellige",
    "Kasbah",
    "Majorelle",
    "Ifrane",
    "Toubkal",
    "Draa",
    "Moulouya",
    "Anfa",
    "Noor",
    "Amazigh",
    "Chefchaouen",
    "Oudaya",
    "Menara",
    "Tiznit",
    "Dakhla",
    "Saïss",
]
_SECOND = [
    "Digital",
    "Systems",
    "Pay",
    "Cloud",
    "Data",
    "Soft",
    "Tech",
    "Labs",
    "Networks",
    "Consulting",
    "Secure",
    "Mobile",
]
_CITIES_MA = ["Casablanca", "Rabat", "Tanger", "Marrakech", "Fès", "Agadir", "Oujda", "Kénitra"]
_ORG_PREFIX = ["Groupe", "Société", "Banque", "Agence", "Cabinet", "Compagnie", "Office", "Réseau"]
_ORG_WORDS = [
    "Horizon",
    "Savane",
    "Lagune",
    "Baobab",
    "Sahel",
    "Niger",
    "Volta",
    "Plateau",
    "Comoé",
    "Bandama",
    "Mossi",
    "Yennenga",
    "Cocody",
    "Plateau Vert",
    "Harmattan",
    "Soleil",
    "Karité",
    "Akwaba",
    "Faso",
    "Djoliba",
]
_US_WORDS = [
    "Golden Gate",
    "Mission",
    "Presidio",
    "Embarcadero",
    "Sierra",
    "Pacific",
    "Bayview",
    "Redwood",
    "Sequoia",
    "Castro",
    "Marina",
    "Sunset",
    "Twin Peaks",
    "Alcatraz",
]
_US_SUFFIX = ["Ventures", "Capital", "Partners", "Distribution", "Systems", "Labs", "Group"]
CITY_BY_COUNTRY = {
    "BF": ["Ouagadougou", "Bobo-Dioulasso"],
    "CI": ["Abidjan", "Yamoussoukro"],
    "US": ["San Francisco", "Palo Alto", "Oakland", "San Jose"],
}


def firm_rows(count: int, seed: int = 2027):
    """``count`` invented Moroccan firms, the same every run."""
    rng = random.Random(seed)
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    for i in range(count):
        yield {
            "legal_name": f"{names[i]} SARL",
            "trade_name": names[i],
            "ice": f"{100000000 + i:09d}0001{i % 100:02d}",
            "city": rng.choice(_CITIES_MA),
            "size_band": rng.choice(["micro", "small", "small", "medium", "large"]),
            "founded": rng.randint(1995, 2022),
        }


def operator_rows(country: str, count: int, seed: int):
    """``count`` invented operators of ``country``, the same every run."""
    rng = random.Random(seed)
    if country == "US":
        names = [f"{a} {b}" for a in _US_WORDS for b in _US_SUFFIX]
    else:
        names = [f"{p} {w}" for p in _ORG_PREFIX for w in _ORG_WORDS]
    rng.shuffle(names)
    kinds = [
        "buyer",
        "cio",
        "it_services",
        "distributor",
        "telecom",
        "bank",
        "investor",
        "public",
        "other",
    ]
    for i in range(count):
        yield {
            "name": names[i],
            "kind": rng.choice(kinds),
            "country": country,
            "city": rng.choice(CITY_BY_COUNTRY[country]),
        }


OBJECTIVES = [
    ["clients", "distributors"],
    ["partners"],
    ["clients", "investors"],
    ["distributors", "partners"],
]
ROLES = ["Directeur général", "Directrice commerciale", "Responsable export", "CTO"]
FIRST_NAMES = [
    "Youssef",
    "Nadia",
    "Omar",
    "Salma",
    "Karim",
    "Leïla",
    "Mehdi",
    "Imane",
    "Hamza",
    "Sara",
    "Anas",
    "Zineb",
]
LAST_NAMES = [
    "Benali",
    "Alaoui",
    "Tazi",
    "El Idrissi",
    "Berrada",
    "Chraibi",
    "Bennani",
    "Lahlou",
    "Fassi",
    "Sqalli",
]


def delegates(index: int) -> list[dict]:
    """One or two invented delegates for the firm of rank ``index`` (every third firm sends two)."""
    count = 2 if index % 3 == 0 else 1
    return [
        {
            "full_name": f"{FIRST_NAMES[(index + k) % len(FIRST_NAMES)]} {LAST_NAMES[(index * 3 + k) % len(LAST_NAMES)]}",
            "role": ROLES[(index + k) % len(ROLES)],
        }
        for k in range(count)
    ]


def b2b_sessions(start: date):
    """The B2B days of the programme: mornings and afternoons of days 2 and 3."""
    sessions = []
    for offset in (1, 2):
        day = start + timedelta(days=offset)
        sessions.append(
            {
                "day": day,
                "start_time": time(9, 0),
                "end_time": time(12, 30),
                "slot_minutes": 25,
                "break_minutes": 5,
                "tables": 12,
                "place": "Salle des rencontres",
            }
        )
        sessions.append(
            {
                "day": day,
                "start_time": time(14, 0),
                "end_time": time(17, 30),
                "slot_minutes": 25,
                "break_minutes": 5,
                "tables": 12,
                "place": "Salle des rencontres",
            }
        )
    return sessions


def programme(start: date):
    """A typical programme: opening seminar, two B2B days, site visits, closing networking."""
    day = timedelta(days=1)
    return [
        (
            "seminar",
            "Séminaire d'ouverture : présentation croisée des marchés TIC",
            datetime.combine(start, time(9, 0)),
            datetime.combine(start, time(12, 30)),
            "Hôtel du centre",
        ),
        (
            "b2b",
            "Rencontres B2B individualisées (1re journée)",
            datetime.combine(start + day, time(9, 0)),
            datetime.combine(start + day, time(17, 0)),
            "Salle des rencontres",
        ),
        (
            "b2b",
            "Rencontres B2B individualisées (2e journée)",
            datetime.combine(start + 2 * day, time(9, 0)),
            datetime.combine(start + 2 * day, time(17, 0)),
            "Salle des rencontres",
        ),
        (
            "site_visit",
            "Visites sur site : opérateurs et institutions TIC",
            datetime.combine(start + 3 * day, time(9, 30)),
            datetime.combine(start + 3 * day, time(16, 0)),
            "Départ de l'hôtel",
        ),
        (
            "networking",
            "Cocktail de clôture",
            datetime.combine(start + 3 * day, time(19, 0)),
            datetime.combine(start + 3 * day, time(21, 0)),
            "Résidence de l'ambassadeur",
        ),
    ]
