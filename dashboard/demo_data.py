"""Fictional demo content for ``seed_demo``: the missions of the seed articles (Ouagadougou,
Abidjan, Dakar and Nouakchott, San Francisco), and invented firms and operators (no real
company is named; web sites and contacts use the reserved ``.example`` domain, except the three
demo logins). Mission texts are written in French, English and Arabic."""

import random
from datetime import date, time, timedelta

# Each text of a mission in the three content languages (missions/translation.py).
T = dict[str, str]


def _t(fr: str, en: str, ar: str) -> T:
    return {"fr": fr, "en": en, "ar": ar}


def working_days(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5]


def past_mission_start(today: date) -> date:
    """The closed mission took place about nine months ago (a Monday): its 6-month follow-up
    survey is already due, whatever day the demo is loaded."""
    start = today - timedelta(days=280)
    return start - timedelta(days=start.weekday())


MISSIONS = [
    {
        "slug": "ouagadougou-2027",
        "title": _t(
            "Mission B2B TIC à Ouagadougou",
            "ICT B2B mission to Ouagadougou",
            "بعثة أعمال في تكنولوجيا المعلومات والاتصال إلى واغادوغو",
        ),
        "city": _t("Ouagadougou", "Ouagadougou", "واغادوغو"),
        "country": "BF",
        "timezone": "Africa/Ouagadougou",
        "start_date": date(2027, 3, 8),
        "end_date": date(2027, 3, 12),
        "capacity": 13,
        "deadline": date(2027, 2, 1),
        "partners": "Chambre de commerce et d'industrie du Burkina Faso\nFédération marocaine "
        "des technologies de l'information (APEBI)",
        "sectors": ["e-payment-banking", "devices-telecom", "it-consulting"],
        "description": _t(
            "Treize entreprises marocaines des TIC rencontrent une soixantaine d'opérateurs "
            "burkinabè : banques et paiement électronique, fabricants de terminaux, sociétés de "
            "conseil. Au programme, une présentation croisée des deux marchés, des visites sur "
            "site et deux journées de rencontres B2B individualisées, pour nouer des contacts "
            "qui mèneront à des partenariats durables.",
            "Thirteen Moroccan ICT firms meet some sixty operators from Burkina Faso: banks and "
            "e-payment, device makers, consulting firms. The programme offers a joint "
            "presentation of both markets, site visits and two days of one-to-one B2B meetings, "
            "to build contacts that lead to lasting partnerships.",
            "تلتقي ثلاث عشرة شركة مغربية في قطاع تكنولوجيا المعلومات والاتصال بنحو ستين فاعلاً "
            "من بوركينا فاسو: بنوك وشركات الأداء الإلكتروني ومصنّعو الأجهزة ومكاتب الاستشارة. "
            "يتضمن البرنامج عرضاً مشتركاً لسوقي البلدين وزيارات ميدانية ويومين من اللقاءات "
            "الثنائية، من أجل ربط علاقات تفضي إلى شراكات دائمة.",
        ),
        "venue": _t(
            "Centre de conférences Ouaga 2000, salle Yennenga",
            "Ouaga 2000 conference centre, Yennenga room",
            "مركز المؤتمرات واغا 2000، قاعة ينينغا",
        ),
        "status": "scheduling",
        "firms": 13,
        "operators": 60,
    },
    {
        "slug": "abidjan-2027",
        "title": _t(
            "Mission TIC Maroc – Côte d'Ivoire à Abidjan",
            "Morocco – Côte d'Ivoire ICT mission to Abidjan",
            "البعثة المغربية الإيفوارية لتكنولوجيا المعلومات في أبيدجان",
        ),
        "city": _t("Abidjan", "Abidjan", "أبيدجان"),
        "country": "CI",
        "timezone": "Africa/Abidjan",
        "start_date": date(2027, 5, 17),
        "end_date": date(2027, 5, 20),
        "capacity": 20,
        "deadline": date(2027, 4, 1),
        "partners": "ASTEC – Association des sociétés technologiques\nAmbassade du Maroc à Abidjan",
        "sectors": ["software", "e-government", "cloud-datacentres", "offshoring-bpo"],
        "description": _t(
            "Quatre jours avec vingt entreprises marocaines des TIC : un séminaire sur le "
            "potentiel du marché ouest-africain, deux journées de rencontres B2B avec les DSI, "
            "SSII et distributeurs ivoiriens, et des pistes de coentreprises pour aborder "
            "ensemble les quinze pays de la région.",
            "Four days with twenty Moroccan ICT firms: a seminar on the potential of the West "
            "African market, two days of B2B meetings with Ivorian CIOs, IT services firms and "
            "distributors, and joint-venture leads to address the fifteen countries of the "
            "region together.",
            "أربعة أيام مع عشرين شركة مغربية في تكنولوجيا المعلومات: ندوة حول إمكانات سوق غرب "
            "إفريقيا، ويومان من اللقاءات الثنائية مع مديري أنظمة المعلومات وشركات الخدمات "
            "المعلوماتية والموزعين الإيفواريين، وآفاق لمشاريع مشتركة لولوج بلدان المنطقة "
            "الخمسة عشر معاً.",
        ),
        "venue": _t(
            "Palais des congrès du Plateau, salle Lagune",
            "Plateau conference centre, Lagoon room",
            "قصر المؤتمرات بلاتو، قاعة لاغون",
        ),
        "status": "scheduling",
        "firms": 20,
        "operators": 80,
        "requests": True,
    },
    {
        "slug": "dakar-nouakchott",
        "title": _t(
            "Mission TIC à Dakar et Nouakchott",
            "ICT mission to Dakar and Nouakchott",
            "بعثة تكنولوجيا المعلومات إلى داكار ونواكشوط",
        ),
        "city": _t("Dakar et Nouakchott", "Dakar and Nouakchott", "داكار ونواكشوط"),
        "country": "SN",
        "timezone": "Africa/Dakar",
        "start_date": None,  # past_mission_start(today)
        "capacity": 12,
        "partners": "Fédération marocaine des technologies de l'information (APEBI)\n"
        "Ambassade du Maroc à Dakar",
        "sectors": ["e-payment-banking", "it-consulting", "cybersecurity", "e-government"],
        "description": _t(
            "Rencontres individualisées avec les directeurs des achats, DSI, SSII et "
            "distributeurs sénégalais et mauritaniens, un atelier de présentation du marché des "
            "TIC dans les deux pays et des visites d'institutions et d'opérateurs. Le Sénégal "
            "offre un cadre réglementaire avancé, la Mauritanie un marché jeune et en pleine "
            "expansion.",
            "One-to-one meetings with Senegalese and Mauritanian purchasing directors, CIOs, IT "
            "services firms and distributors, a workshop presenting the ICT market of both "
            "countries, and visits to institutions and operators. Senegal offers an advanced "
            "regulatory framework, Mauritania a young and fast-growing market.",
            "لقاءات ثنائية مع مديري المشتريات ومديري أنظمة المعلومات وشركات الخدمات المعلوماتية "
            "والموزعين في السنغال وموريتانيا، وورشة لتقديم سوق تكنولوجيا المعلومات في البلدين، "
            "وزيارات لمؤسسات وفاعلين في القطاع. تتميز السنغال بإطار تنظيمي متقدم، وموريتانيا "
            "بسوق فتية في توسع سريع.",
        ),
        "venue": _t(
            "Centre international de conférences, salle Gorée, Dakar",
            "International conference centre, Gorée room, Dakar",
            "المركز الدولي للمؤتمرات، قاعة غوري، داكار",
        ),
        # The second leg of the mission: Nouakchott.
        "visit": {
            "title": _t(
                "Nouakchott : atelier marché et visites d'opérateurs mauritaniens",
                "Nouakchott: market workshop and visits to Mauritanian operators",
                "نواكشوط: ورشة السوق وزيارات لفاعلين موريتانيين",
            ),
            "place": _t(
                "Chambre de commerce de Mauritanie, Nouakchott",
                "Chamber of Commerce of Mauritania, Nouakchott",
                "غرفة التجارة الموريتانية، نواكشوط",
            ),
            "description": _t(
                "Vol matinal Dakar – Nouakchott, présentation du marché mauritanien des TIC, "
                "puis visites de l'opérateur télécom historique et de l'agence de l'état civil.",
                "Early flight from Dakar to Nouakchott, a presentation of the Mauritanian ICT "
                "market, then visits to the telecom operator and the civil registry agency.",
                "رحلة صباحية من داكار إلى نواكشوط، وتقديم لسوق تكنولوجيا المعلومات الموريتانية، "
                "ثم زيارة متعهد الاتصالات ووكالة الحالة المدنية.",
            ),
        },
        "status": "closed",
        "firms": 12,
        "operators": 40,
    },
    {
        "slug": "san-francisco-2027",
        "title": _t(
            "Mission TIC marocaine à San Francisco",
            "Moroccan ICT mission to San Francisco",
            "البعثة المغربية لتكنولوجيا المعلومات إلى سان فرانسيسكو",
        ),
        "city": _t("San Francisco", "San Francisco", "سان فرانسيسكو"),
        "country": "US",
        "timezone": "America/Los_Angeles",
        "start_date": date(2027, 11, 15),
        "end_date": date(2027, 11, 19),
        "capacity": 10,
        "deadline": date(2027, 9, 30),
        "partners": "ASTEC – Association des sociétés technologiques",
        "sectors": ["ai-data", "cybersecurity", "software"],
        "description": _t(
            "Dix entreprises marocaines des TIC rencontrent les investisseurs de la Silicon "
            "Valley (capital-risque, business angels), des importateurs, des distributeurs et "
            "des partenaires technologiques, avec des ateliers sur le marché américain des TIC "
            "et le Maroc comme plateforme vers l'Afrique et le Moyen-Orient.",
            "Ten Moroccan ICT firms meet Silicon Valley investors (venture capital, business "
            "angels), importers, distributors and technology partners, with workshops on the US "
            "ICT market and on Morocco as a hub to Africa and the Middle East.",
            "تلتقي عشر شركات مغربية في تكنولوجيا المعلومات بمستثمري وادي السيليكون (رأس المال "
            "المخاطر والمستثمرين الأفراد) وبمستوردين وموزعين وشركاء تكنولوجيين، مع ورشات حول "
            "السوق الأمريكية والمغرب كمنصة نحو إفريقيا والشرق الأوسط.",
        ),
        "venue": _t(
            "Centre de conférences Union Square, salle Golden Gate",
            "Union Square conference centre, Golden Gate room",
            "مركز مؤتمرات يونيون سكوير، قاعة غولدن غيت",
        ),
        "status": "open",
        "firms": 10,
        "operators": 40,
    },
]

SITE_VISIT = {
    "title": _t(
        "Visites sur site : opérateurs télécoms et institutions TIC",
        "Site visits: telecom operators and ICT institutions",
        "زيارات ميدانية: متعهدو الاتصالات ومؤسسات تكنولوجيا المعلومات",
    ),
    "place": _t("Départ de l'hôtel", "Leaving from the hotel", "الانطلاق من الفندق"),
    "description": _t(
        "Un centre de données, l'autorité de régulation et un opérateur de paiement mobile.",
        "A data centre, the regulator and a mobile payment operator.",
        "مركز بيانات وهيئة التقنين ومتعهد للأداء عبر الهاتف المحمول.",
    ),
}

# The B2B sessions of every mission: mornings and afternoons of its 2nd and 3rd working days.
B2B_HOURS = [(time(9, 0), time(12, 30)), (time(14, 0), time(17, 30))]
SLOT_MINUTES, BREAK_MINUTES, TABLES = 25, 5, 12


def b2b_days(spec: dict) -> list[date]:
    return working_days(spec["start_date"], spec["end_date"])[1:3]


def b2b_sessions(spec: dict) -> list[dict]:
    return [
        {
            "day": day,
            "start_time": start,
            "end_time": end,
            "slot_minutes": SLOT_MINUTES,
            "break_minutes": BREAK_MINUTES,
            "tables": TABLES,
            **{f"place_{language}": text for language, text in spec["venue"].items()},
        }
        for day in b2b_days(spec)
        for start, end in B2B_HOURS
    ]


def programme(spec: dict) -> list[dict]:
    """The programme: opening seminar and market workshop on the first working day, the B2B
    sessions (the same hours as their slots), site visits, closing networking."""
    days = working_days(spec["start_date"], spec["end_date"])
    venue, city = spec["venue"], spec["city"]["fr"]
    items = [
        {
            "kind": "seminar",
            "day": days[0],
            "start": time(9, 0),
            "end": time(12, 30),
            "title": _t(
                "Séminaire d'ouverture : présentation croisée des marchés TIC",
                "Opening seminar: the ICT markets of both countries",
                "الندوة الافتتاحية: تقديم متبادل لسوقي تكنولوجيا المعلومات",
            ),
            "place": venue,
            "description": _t(
                "Allocutions de Maroc Export et des partenaires, puis tour d'horizon du marché "
                f"des TIC à {city} et de l'offre marocaine.",
                "Addresses by Maroc Export and its partners, then an overview of the local ICT "
                "market and of what Moroccan firms offer.",
                "كلمات المغرب تصدير والشركاء، ثم لمحة عن سوق تكنولوجيا المعلومات المحلية وعن "
                "العرض المغربي.",
            ),
        },
        {
            "kind": "workshop",
            "day": days[0],
            "start": time(14, 30),
            "end": time(17, 0),
            "title": _t(
                "Atelier marché : réglementation, achats publics et distribution",
                "Market workshop: regulation, public procurement and distribution",
                "ورشة السوق: التنظيم والصفقات العمومية والتوزيع",
            ),
            "place": venue,
            "description": _t(
                "Comment répondre aux appels d'offres, choisir un distributeur et protéger ses "
                "données, avec des juristes et des acheteurs locaux.",
                "How to answer tenders, choose a distributor and protect data, with local "
                "lawyers and buyers.",
                "كيفية الاستجابة لطلبات العروض واختيار موزع وحماية المعطيات، مع قانونيين "
                "ومشترين محليين.",
            ),
        },
    ]
    for n, day in enumerate(b2b_days(spec), start=1):
        for start, end in B2B_HOURS:
            morning = start.hour < 12
            items.append(
                {
                    "kind": "b2b",
                    "day": day,
                    "start": start,
                    "end": end,
                    "title": _t(
                        f"Rencontres B2B individualisées, jour {n} ("
                        + ("matin" if morning else "après-midi")
                        + ")",
                        f"One-to-one B2B meetings, day {n} ("
                        + ("morning" if morning else "afternoon")
                        + ")",
                        f"اللقاءات الثنائية، اليوم {n} ("
                        + ("صباحاً" if morning else "بعد الظهر")
                        + ")",
                    ),
                    "place": venue,
                    "description": _t(
                        "Rendez-vous de 25 minutes, 5 minutes pour changer de table.",
                        "25-minute meetings, 5 minutes to change tables.",
                        "لقاءات مدتها 25 دقيقة، و5 دقائق لتغيير الطاولة.",
                    ),
                }
            )
    visit_day = days[3] if len(days) > 3 else days[-1]
    items.append({"kind": "site_visit", "day": visit_day, "start": time(9, 30),
                  "end": time(16, 0), **spec.get("visit", SITE_VISIT)})  # fmt: skip
    items.append(
        {
            "kind": "networking",
            "day": days[-1],
            "start": time(19, 0),
            "end": time(21, 0),
            "title": _t("Cocktail de clôture", "Closing reception", "حفل الاختتام"),
            "place": _t(
                "Résidence de l'ambassadeur du Maroc",
                "Residence of the Moroccan ambassador",
                "إقامة سفير المغرب",
            ),
            "description": _t("", "", ""),
        }
    )
    return items


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
    "CI": ["Abidjan", "Yamoussoukro", "San-Pédro"],
    "SN": ["Dakar", "Thiès"],
    "MR": ["Nouakchott", "Nouadhibou"],
    "US": ["San Francisco", "Palo Alto", "Oakland", "San Jose"],
}
FIRST_NAMES = ["Youssef", "Nadia", "Omar", "Salma", "Karim", "Leïla", "Mehdi", "Imane", "Hamza",
               "Sara", "Anas", "Zineb"]  # fmt: skip
LAST_NAMES = ["Benali", "Alaoui", "Tazi", "El Idrissi", "Berrada", "Chraibi", "Bennani", "Lahlou",
              "Fassi", "Sqalli"]  # fmt: skip
ROLES = ["Directeur général", "Directrice commerciale", "Responsable export", "Directeur technique"]
CONTACT_NAMES = {
    "BF": ["Aminata Ouédraogo", "Issouf Sawadogo", "Mariam Kaboré", "Abdoulaye Compaoré",
           "Fatimata Zongo", "Boukary Ilboudo", "Rasmata Traoré", "Salif Kiemdé"],
    "CI": ["Aya Kouassi", "Koffi N'Guessan", "Adjoua Yao", "Yao Konan", "Mariam Bamba",
           "Serge Kouamé", "Awa Coulibaly", "Didier Gnagne"],
    "SN": ["Fatou Diop", "Mamadou Ndiaye", "Aïssatou Sow", "Ousmane Fall", "Khady Sarr",
           "Cheikh Mbaye", "Ndèye Faye", "Ibrahima Gueye"],
    "MR": ["Mohamed Ould Ahmed", "Mariem Mint Sidi", "Sidi Ould Cheikh", "Aïcha Mint Brahim"],
    "US": ["Emily Carter", "Daniel Kim", "Sofia Alvarez", "Michael Chen", "Rachel Green",
           "David Patel", "Laura Nguyen", "James O'Brien"],
}  # fmt: skip

# What a firm of each sector sells, and for whom it has worked (invented references).
FIRM_OFFERS = {
    "e-payment-banking": (
        "Plateforme de paiement mobile et monétique (émission de cartes, switch, portefeuille "
        "électronique) certifiée PCI DSS, déployée en marque blanche pour les banques et les "
        "opérateurs.",
        "Trois banques marocaines et deux établissements de microfinance en Afrique de l'Ouest ; "
        "1,2 million de portefeuilles actifs.",
    ),
    "devices-telecom": (
        "Conception et assemblage de terminaux de paiement, de smartphones robustes et de "
        "passerelles IoT, avec maintenance sur place.",
        "Fournisseur d'un opérateur télécom national et de la poste marocaine ; 40 000 "
        "terminaux en service.",
    ),
    "software": (
        "Progiciel de gestion (ERP) pour les PME et les administrations, en français et en "
        "arabe, disponible en mode SaaS ou sur site.",
        "Plus de 300 clients au Maroc, au Sénégal et en Côte d'Ivoire, dont une grande "
        "mutuelle et deux communes.",
    ),
    "it-consulting": (
        "Conseil en systèmes d'information : schéma directeur, conduite du changement, "
        "assistance à maîtrise d'ouvrage pour les banques et le secteur public.",
        "Schémas directeurs d'un ministère, d'une caisse de retraite et de deux banques "
        "régionales.",
    ),
    "offshoring-bpo": (
        "Centres de relation client multilingues (français, arabe, anglais, wolof) et "
        "traitement de back-office pour les télécoms et l'assurance.",
        "600 positions à Casablanca et Rabat ; clients télécoms en France et en Afrique de "
        "l'Ouest.",
    ),
    "cybersecurity": (
        "Centre opérationnel de sécurité (SOC) managé, tests d'intrusion et mise en conformité "
        "ISO 27001 et protection des données personnelles.",
        "Surveillance 24 h sur 24 de deux banques, d'un port et d'un opérateur d'énergie.",
    ),
    "cloud-datacentres": (
        "Hébergement souverain et cloud privé dans des centres de données Tier III au Maroc, "
        "avec reprise d'activité et migration des applications existantes.",
        "Hébergeur d'une agence gouvernementale et de cinquante PME exportatrices.",
    ),
    "ai-data": (
        "Analyse de données et intelligence artificielle : scoring de crédit, détection de "
        "fraude, traitement automatique de l'arabe et du français.",
        "Modèles de scoring en production dans deux banques et un opérateur de microcrédit.",
    ),
    "e-government": (
        "Guichets numériques pour les administrations : état civil, permis, paiement des "
        "taxes en ligne, signature électronique.",
        "Portail de démarches en ligne de trois communes et d'une chambre de commerce.",
    ),
    "training": (
        "Plateforme d'apprentissage en ligne et académies de formation aux métiers du "
        "numérique, en présentiel et à distance.",
        "12 000 apprenants formés pour des banques, des opérateurs et des universités.",
    ),
    "fintech-insurance": (
        "Logiciel de gestion des sinistres et d'assurance inclusive distribuée par mobile.",
        "Deux assureurs marocains et un assureur sénégalais ; 200 000 contrats gérés.",
    ),
}
DEFAULT_OFFER = FIRM_OFFERS["software"]

_KIND_BY_PREFIX = {"Banque": "bank", "Agence": "public", "Cabinet": "it_services",
                   "Réseau": "telecom", "Groupe": "buyer", "Société": "distributor",
                   "Compagnie": "cio", "Office": "public"}  # fmt: skip
_KIND_BY_SUFFIX = {"Ventures": "investor", "Capital": "investor", "Partners": "investor",
                   "Distribution": "distributor", "Systems": "it_services", "Labs": "cio",
                   "Group": "buyer"}  # fmt: skip
# What an operator of each kind looks for, and the sectors it looks in.
NEEDS = {
    "bank": ("Nous modernisons notre monétique et lançons un portefeuille mobile : nous cherchons "
             "un éditeur certifié et un partenaire pour la lutte contre la fraude.",
             ["e-payment-banking", "cybersecurity", "ai-data"]),
    "public": ("Dématérialisation des démarches (état civil, fiscalité locale) et hébergement "
               "souverain des données : nous cherchons des références dans l'administration.",
               ["e-government", "cloud-datacentres", "it-consulting"]),
    "it_services": ("Intégrateur local, nous cherchons des éditeurs à représenter et des "
                    "partenaires pour répondre ensemble aux appels d'offres.",
                    ["software", "cloud-datacentres", "cybersecurity"]),
    "telecom": ("Nous cherchons des terminaux, des solutions de paiement mobile et un centre de "
                "relation client pour accompagner notre croissance.",
                ["devices-telecom", "e-payment-banking", "offshoring-bpo"]),
    "buyer": ("Direction des achats d'un groupe régional : ERP, sécurité et externalisation de "
              "la relation client pour nos filiales.", ["software", "offshoring-bpo", "training"]),
    "distributor": ("Distributeur de solutions informatiques, nous voulons ajouter des logiciels "
                    "et des terminaux marocains à notre catalogue.",
                    ["software", "devices-telecom", "training"]),
    "cio": ("DSI d'un grand compte : nous préparons notre schéma directeur et cherchons du "
            "conseil, du cloud et des données.", ["it-consulting", "cloud-datacentres", "ai-data"]),
    "investor": ("We invest in B2B software and fintech start-ups at seed and series A, and "
                 "help them enter the US market.", ["ai-data", "fintech-insurance", "software"]),
}  # fmt: skip
US_NEEDS = {
    "distributor": "We distribute enterprise software across North America and look for "
    "security and data products with references.",
    "it_services": "Systems integrator looking for offshore development partners with "
    "strong security practices.",
    "cio": "Our innovation lab looks for AI and cybersecurity partners for joint pilots.",
    "buyer": "Procurement for a multi-site group: we look for near-shore customer service and "
    "software development.",
}


def _slug(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())


def firm_rows(count: int, seed: int = 2027) -> list[dict]:
    """``count`` invented Moroccan firms, the same every run; the first is Atlas Digital, whose
    owner is the demo's firm login."""
    rng = random.Random(seed)
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND if f"{a} {b}" != "Atlas Digital"]
    rng.shuffle(names)
    names.insert(0, "Atlas Digital")
    sectors = list(FIRM_OFFERS)
    rows = []
    for i in range(count):
        name, slug = names[i], _slug(names[i])
        first = sectors[i % len(sectors)]
        second = sectors[(i * 7 + 3) % len(sectors)]
        offer, references = FIRM_OFFERS[first]
        owner_first, owner_last = FIRST_NAMES[i % 12], LAST_NAMES[(i * 3) % 10]
        rows.append(
            {
                "profile": {
                    "legal_name": f"{name} SARL",
                    "trade_name": name,
                    "ice": f"{100000000 + i:09d}0001{i % 100:02d}",
                    "city": rng.choice(_CITIES_MA),
                    "website": f"https://www.{slug}.example",
                    "size_band": rng.choice(["micro", "small", "small", "medium", "large"]),
                    "founded": rng.randint(1995, 2022),
                    "offer": offer,
                    "references": references,
                },
                "sectors": [first] if first == second else [first, second],
                "owner": (
                    "owner@atlas-digital.ma" if i == 0 else f"direction@{slug}.example",
                    "Youssef Benali" if i == 0 else f"{owner_first} {owner_last}",
                ),
            }
        )
    return rows


def operator_rows(country: str, count: int, seed: int) -> list[dict]:
    """``count`` invented operators of ``country`` with their contact, the same every run; the
    first of Burkina Faso is Banque Horizon, whose CIO is the demo's operator login."""
    rng = random.Random(seed)
    if country == "US":
        names = [f"{a} {b}" for a in _US_WORDS for b in _US_SUFFIX]
    else:
        names = [
            f"{p} {w}" for p in _ORG_PREFIX for w in _ORG_WORDS if f"{p} {w}" != "Banque Horizon"
        ]
    rng.shuffle(names)
    if country == "BF":
        names.insert(0, "Banque Horizon")
    rows = []
    for i in range(count):
        name = names[i]
        first, last = name.split(" ", 1)[0], name.rsplit(" ", 1)[-1]
        kind = _KIND_BY_SUFFIX.get(last) if country == "US" else _KIND_BY_PREFIX.get(first)
        kind = kind or "other"
        needs, sectors = NEEDS.get(kind, NEEDS["buyer"])
        if country == "US":
            needs = US_NEEDS.get(kind, NEEDS["investor"][0])
        domain = f"{_slug(name)}-{country.lower()}.example"
        login = name == "Banque Horizon"
        people = CONTACT_NAMES[country]
        rows.append(
            {
                "name": name,
                "kind": kind,
                "country": country,
                "city": rng.choice(CITY_BY_COUNTRY[country]),
                "website": f"https://www.{domain}",
                "needs": needs,
                "sectors": sectors[: 2 + i % 2],
                "full_name": "Aminata Ouédraogo" if login else people[i % len(people)],
                "email": "cio@banque-horizon.bf" if login else f"contact@{domain}",
                "language": {"US": "en", "MR": "ar"}.get(country, "fr"),
                "job_title": "DSI" if login else JOB_TITLES[country == "US"].get(kind, ""),
                "languages": spoken_by(country, i),
            }
        )
    return rows


OBJECTIVES = [["clients", "distributors"], ["partners"], ["clients", "investors"],
              ["distributors", "partners"]]  # fmt: skip
MOTIVATIONS = [
    "Nous voulons trouver un distributeur local et deux ou trois banques pilotes pour notre "
    "solution, après de premiers succès au Maroc.",
    "Notre objectif est de nouer un partenariat avec un intégrateur local pour répondre aux "
    "appels d'offres publics de la région.",
    "Nous cherchons des clients grands comptes et des investisseurs pour financer notre "
    "implantation dans la sous-région.",
    "Nous souhaitons ouvrir une filiale et recruter un partenaire commercial qui connaît les "
    "acheteurs du pays.",
]
REQUEST_MESSAGES = {
    "company": [
        "Notre solution répond à vos besoins ; nous aimerions vous la présenter en 25 minutes.",
        "Nous travaillons déjà avec des acteurs comme vous au Maroc : parlons-en sur place.",
        "",
    ],
    "operator": [
        "Votre offre nous intéresse pour notre projet de cette année.",
        "Nous cherchons un partenaire de votre profil : rencontrons-nous.",
        "",
    ],
}


# The contact's role, by the operator's kind (French-speaking markets; San Francisco's in English).
JOB_TITLES = {
    False: {"buyer": "Directeur des achats", "cio": "DSI", "it_services": "Directeur technique",
            "distributor": "Directeur commercial", "telecom": "Responsable des partenariats",
            "bank": "DSI", "investor": "Chargé d'investissement", "public": "Directeur général",
            "other": "Directeur général"},
    True: {"buyer": "Head of Procurement", "cio": "CIO", "it_services": "CTO",
           "distributor": "VP Sales", "telecom": "Head of Partnerships", "bank": "CIO",
           "investor": "Partner", "public": "Director", "other": "Managing Director"},
}  # fmt: skip


def spoken_by(country: str, index: int) -> list[str]:
    """The languages an operator's contact can hold a meeting in. The third of Burkina Faso
    speaks English only: Atlas Digital's meeting with them needs an interpreter."""
    if country == "BF" and index == 2:
        return ["en"]
    local = {"BF": ["mos"], "CI": ["dyu"], "SN": ["wo"], "MR": [], "US": ["es"]}[country]
    base = {"MR": ["ar", "fr"], "US": ["en"]}.get(country, ["fr"])
    extra = local if index % 3 == 1 else []
    return base + extra + (["en"] if country in ("CI", "SN") and index % 4 == 3 else [])


def delegates(index: int) -> list[dict]:
    """One or two invented delegates for the firm of rank ``index`` (every third sends two),
    with the languages they speak (French and Arabic; some English, one Tamazight)."""
    count = 2 if index % 3 == 0 else 1
    spoken = [["fr", "ar"], ["fr", "ar", "en"], ["fr", "en"]]
    return [
        {
            "full_name": f"{FIRST_NAMES[(index + k) % 12]} {LAST_NAMES[(index * 3 + k) % 10]}",
            "role": ROLES[(index + k) % len(ROLES)],
            "languages": ["fr", "ar"] if index == 0 else spoken[(index + k) % 3],
            "other_languages": "Tamazight" if (index, k) == (0, 1) else "",
        }
        for k in range(count)
    ]


FEEDBACK_COMMENTS = {
    "after": ["Échange très concret, besoin bien identifié.", "Bon contact, à suivre.",
              "Peu d'intérêt pour notre offre actuelle.", ""],
    "3_months": ["Démonstration faite à distance en juin.", "Proposition envoyée, en attente.", ""],
    "6_months": ["Contrat signé pour un pilote de six mois.", "Toujours en discussion.", ""],
}  # fmt: skip
