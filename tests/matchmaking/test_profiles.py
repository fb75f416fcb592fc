"""The profile pages a participant books from: the firm's page seen by an operator, the
operator's page seen by a firm, each with the compatibility score and its reasons for the
reader's side, the people met with their role and languages, and no contact data."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.services import user_profile_save
from companies.models import Sector
from matchmaking import services
from matchmaking.reasons import reasons_text
from matchmaking.scoring import FirmProfile, OperatorProfile, compatibility
from tests.factories import MeetingSessionFactory, participants

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def pair(settings, tmp_path):
    """A firm (software, looks for distributors; two delegates, French and Arabic speakers)
    and a bank (e-payment; its contact speaks English), confirmed in a mission in scheduling."""
    settings.MEDIA_ROOT = tmp_path
    session = MeetingSessionFactory(tables=2)
    owner, contact = participants(session.mission, delegates=2)
    company = owner.company
    company.trade_name = "Atlas Digital"
    company.offer = "Plateforme de gestion documentaire."
    company.references = "Banque Atlantique, Orange CI"
    company.website = "https://atlas.example.ma"
    company.logo.save("atlas.png", ContentFile(PNG), save=False)
    company.brochure.save("atlas.pdf", ContentFile(PDF), save=False)
    company.save()
    company.sectors.set([Sector.objects.get(slug="software")])
    application = company.applications.get()
    application.objectives = ["distributors"]
    application.save()
    first, second = application.delegates.all()
    first.full_name, first.role, first.languages = "Salma Idrissi", "CEO", ["fr", "ar"]
    first.save()
    second.full_name, second.role = "Omar Bennani", "Directeur commercial"
    second.languages, second.other_languages = ["fr"], "Tamazight, Soninké"
    second.save()
    operator = contact.operator
    operator.name, operator.kind, operator.country = "Banque Horizon", "bank", "BF"
    operator.needs = "Une solution de paiement mobile."
    operator.save()
    operator.sectors.set([Sector.objects.get(slug="e-payment-banking")])
    contact.full_name, contact.job_title = "Awa Ouédraogo", "DSI"
    contact.phone, contact.languages = "+226 70 00 00 00", ["en"]
    contact.save()
    return session.mission, owner, contact


def _page(client, user, mission, pk):
    client.force_login(user)
    response = client.get(reverse("matchmaking:party", args=[mission.slug, pk]))
    assert response.status_code == 200
    return response.content.decode()


def _reasons(body: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<li class="d-flex gap-1 reason-[^"]*">.*?<span>(.*?)</span>', body)
    ]


def test_firm_page_reads_like_a_profile_for_the_operator(client, pair):
    mission, owner, contact = pair
    body = _page(client, contact, mission, owner.company.pk)
    company = owner.company
    assert f'src="{company.logo.url}"' in body and 'alt="Logo de Atlas Digital"' in body
    assert f'href="{company.brochure.url}"' in body and "Brochure (PDF)" in body
    assert "Plateforme de gestion documentaire." in body
    assert "Banque Atlantique, Orange CI" in body
    assert "Édition de logiciels" in body  # the sector, in French
    people = re.search(r'id="party-people">(.*?)</ul>', body, re.S).group(1)
    assert "Salma Idrissi" in people and "· CEO" in people
    assert "Parle Français, Arabe" in people
    assert "Omar Bennani" in people and "· Directeur commercial" in people
    assert "Parle Français, Tamazight, Soninké" in people
    # Written for the operator's side: a 0 that says why.
    assert re.search(r'id="match-score">0/100<', body)
    assert _reasons(body) == [
        "Aucun secteur commun : ils proposent Édition de logiciels",
        "Ils cherchent des distributeurs, pas votre profil (Banque / paiement électronique)",
        "Aucune langue commune : leurs délégués parlent Français, Arabe, Tamazight, "
        "Soninké, vous Anglais",
    ]
    assert owner.email not in body


def test_operator_page_reads_like_a_profile_for_the_firm(client, pair):
    mission, owner, contact = pair
    body = _page(client, owner, mission, contact.operator.pk)
    assert re.search(r'id="party-kind">Banque / paiement électronique<', body)
    assert "Burkina Faso" in body
    assert "Une solution de paiement mobile." in body
    people = re.search(r'id="party-people">(.*?)</ul>', body, re.S).group(1)
    assert "Awa Ouédraogo" in people and "· DSI" in people and "Parle Anglais" in people
    # Contact data stays out of the profile: only the agenda and the e-mails carry it.
    assert contact.email not in body and contact.phone not in body
    assert _reasons(body) == [
        "Aucun secteur commun : ils recherchent Paiement électronique et banque",
        "Vous cherchez des distributeurs, pas leur profil (Banque / paiement électronique)",
        "Aucune langue commune : ils parlent Anglais, vos délégués Français, Arabe, Tamazight, "
        "Soninké",
    ]


def test_reasons_in_english_and_a_shared_language_counts(client, pair):
    mission, owner, contact = pair
    contact.language = "en"
    contact.languages = ["en", "fr"]
    user_profile_save(user=contact)  # as the profile page saves it: the cached page expires
    client.force_login(contact)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("matchmaking:party", args=[mission.slug, owner.company.pk]))
    body = response.content.decode()
    assert 'lang="en"' in body
    assert re.search(r'id="match-score">10/100<', body)
    assert _reasons(body)[0] == "A language you share: French"
    assert "No shared sector: they offer Software" in _reasons(body)


def test_directory_shows_each_score_with_its_reasons(client, pair):
    mission, owner, _contact = pair
    client.force_login(owner)
    body = client.get(reverse("matchmaking:directory", args=[mission.slug])).content.decode()
    assert "0/100" in body
    assert "Aucun secteur commun : ils recherchent Paiement électronique et banque" in body
    assert "Aucune langue commune" in body


def test_a_delegate_who_speaks_the_operators_language_is_sent(pair):
    """Two free delegates: the booking gives the meeting to the one who speaks a language of
    the operator's contacts, even if listed second."""
    mission, owner, contact = pair
    application = owner.company.applications.get()
    _first, second = application.delegates.all()
    second.languages = ["en"]
    second.save()
    meeting = services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        slot=mission.slots.order_by("starts_at").first(),
        by=contact,
    )
    assert meeting.delegate == second


def test_a_contact_editing_their_languages_shows_at_once_on_the_cached_page(
    client, pair, django_capture_on_commit_callbacks
):
    """The profile part of the page is a cached fragment: a contact's new role and languages,
    saved from their profile page, expire it when the change commits."""
    mission, owner, contact = pair
    body = _page(client, owner, mission, contact.operator.pk)
    assert "Parle Anglais" in body and "Aucune langue commune" in body
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:profile"),
            {
                "full_name": "Awa Ouédraogo",
                "job_title": "Directrice des systèmes d'information",
                "phone": "",
                "language": "fr",
                "languages": ["en", "fr"],
                "other_languages": "mooré",
            },
        )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.languages, contact.other_languages) == (["fr", "en"], "mooré")
    body = _page(client, owner, mission, contact.operator.pk)
    people = re.search(r'id="party-people">(.*?)</ul>', body, re.S).group(1)
    assert "· Directrice des systèmes d&#x27;information" in people
    assert "Parle Français, Anglais, mooré" in people
    assert "Langue commune : Français" in _reasons(body)


def test_profile_refuses_an_unknown_language_and_keeps_the_rest(client, pair):
    _mission, _owner, contact = pair
    client.force_login(contact)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Awa O.", "language": "fr", "languages": ["en", "klingon"]},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.full_name, contact.languages) == ("Awa Ouédraogo", ["en"])


def test_reasons_count_their_languages_in_french():
    match = compatibility(
        FirmProfile(frozenset(), frozenset(), languages=frozenset({"fr", "ar", "en"})),
        OperatorProfile(frozenset(), "other", languages=frozenset({"ar", "fr"})),
    )
    texts = [r.text for r in reasons_text(match, {}, "operator")]
    assert texts[0] == "Langues communes : Français, Arabe"
