"""The read path of the busiest pages (booking page, agenda, directory): what is cached for many
readers never carries one reader's name, meetings, requests or CSRF token, and an edit made
anywhere (a service, the admin) shows on the next request."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from companies.models import Sector
from matchmaking import services
from tests.factories import (
    CompanyMemberFactory,
    MeetingSessionFactory,
    StaffFactory,
    participants,
)

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def session():
    return MeetingSessionFactory(tables=3)


def _reader(user) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _book(session, owner, contact, index=0):
    return services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.get(index=index),
        by=owner,
    )


def _ask(session, contact, company):
    participant = services.Participant(
        mission=session.mission, side="operator", operator=contact.operator
    )
    services.request_create(
        participant=participant, counterpart=company, priority=1, message="", by=contact
    )


def test_two_operators_on_one_firms_booking_page_see_only_their_own(
    session, django_capture_on_commit_callbacks
):
    owner, first = participants(session.mission)
    _other_owner, second = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        _book(session, owner, first)  # the first operator meets the firm
        _ask(session, second, owner.company)  # the second asked to meet it
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    readers = {first: _reader(first), second: _reader(second)}
    pages = {user: client.get(url).content.decode() for user, client in readers.items()}
    pages = {user: client.get(url).content.decode() for user, client in readers.items()}  # cached
    for user, other in ((first, second), (second, first)):
        assert user.email in pages[user] and other.email not in pages[user]
        assert other.operator.name not in pages[user]
        assert owner.company.display_name in pages[user]  # the profile, shared
    assert "You meet on" in pages[first] and "You meet on" not in pages[second]
    assert "Requested" in pages[second] and "Requested" not in pages[first]
    assert 'name="slot"' in pages[second] and 'name="slot"' not in pages[first]
    # Each reader's forms carry a token of their own session: the other's is refused.
    book_url = reverse("matchmaking:book", args=[session.mission.slug, owner.company.pk])
    slot = session.slots.get(index=1)
    own = TOKEN_RE.findall(pages[second])[-1]
    theirs = TOKEN_RE.findall(pages[first])[-1]
    refused = readers[second].post(book_url, {"slot": slot.pk, "csrfmiddlewaretoken": theirs})
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        booked = readers[second].post(book_url, {"slot": slot.pk, "csrfmiddlewaretoken": own})
    assert booked["Location"] == reverse("matchmaking:agenda", args=[session.mission.slug])


def test_two_firms_agendas_show_each_its_own_name_and_meetings(
    session, django_capture_on_commit_callbacks
):
    first_owner, first_operator = participants(session.mission)
    second_owner, second_operator = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        _book(session, first_owner, first_operator, index=0)
        _book(session, second_owner, second_operator, index=1)
    url = reverse("matchmaking:agenda", args=[session.mission.slug])
    cases = [
        (first_owner, first_operator, second_owner, second_operator),
        (second_owner, second_operator, first_owner, first_operator),
    ]
    readers = {owner: _reader(owner) for owner, *_rest in cases}
    for _ in range(2):  # built, then cached
        for owner, met, other_owner, other_met in cases:
            page = readers[owner].get(url).content.decode()
            assert f"My agenda · {owner.company.display_name}" in page
            assert other_owner.company.display_name not in page
            assert met.operator.name in page and other_met.operator.name not in page
            assert owner.email in page and other_owner.email not in page
            assert TOKEN_RE.search(page)


def test_two_members_of_one_firm_share_its_agenda_not_their_token_and_cancel_from_a_page(
    session, django_capture_on_commit_callbacks
):
    """The agenda is cached once for the whole firm (it holds no form); each member's page still
    carries their own name and CSRF token, and cancelling asks on a page of its own."""
    owner, contact = participants(session.mission)
    colleague = CompanyMemberFactory(company=owner.company, company_role="member")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _book(session, owner, contact)
    url = reverse("matchmaking:agenda", args=[session.mission.slug])
    readers = {owner: _reader(owner), colleague: _reader(colleague)}
    pages = {user: client.get(url).content.decode() for user, client in readers.items()}
    for user, other in ((owner, colleague), (colleague, owner)):
        assert contact.operator.name in pages[user] and "1 meeting" in pages[user]
        assert user.email in pages[user] and other.email not in pages[user]
    tokens = {user: TOKEN_RE.findall(page)[-1] for user, page in pages.items()}
    cancel_url = reverse("matchmaking:meeting_cancel", args=[session.mission.slug, meeting.pk])
    assert f'href="{cancel_url}"' in pages[colleague] and 'name="reason"' not in pages[colleague]
    asked = readers[colleague].get(cancel_url).content.decode()
    assert contact.operator.name in asked and 'name="reason"' in asked
    refused = readers[colleague].post(
        cancel_url, {"reason": "Vol annulé", "csrfmiddlewaretoken": tokens[owner]}
    )
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        done = readers[colleague].post(
            cancel_url, {"reason": "Vol annulé", "csrfmiddlewaretoken": TOKEN_RE.findall(asked)[-1]}
        )
    assert done["Location"] == url
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Vol annulé")
    after = readers[owner].get(url).content.decode()
    assert contact.operator.name not in after and "0 meetings" in after


def test_two_firms_directories_show_each_its_own_requests(
    session, django_capture_on_commit_callbacks
):
    first_owner, contact = participants(session.mission)
    second_owner, _contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(session, contact, first_owner.company)
    url = reverse("matchmaking:directory", args=[session.mission.slug])
    first, second = _reader(first_owner), _reader(second_owner)
    for _ in range(2):
        mine = first.get(url).content.decode()
        theirs = second.get(url).content.decode()
        assert "Wants to meet you" in mine and "Wants to meet you" not in theirs
        assert first_owner.email in mine and first_owner.email not in theirs
        assert second_owner.email in theirs and second_owner.email not in mine


# --- Edits in the admin -----------------------------------------------------------------------


def _form_data(form) -> dict:
    """What a browser posts back for ``form`` as it is shown."""
    data = {}
    for name in form.fields:
        field, value = form[name], form[name].value()
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is True:
            data[field.html_name] = "on"
        elif value is not None and value is not False:
            data[field.html_name] = str(value)
    return data


def _admin_edit(obj, **changes):
    """Save ``obj`` through its admin change form, as staff would, with ``changes``."""
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    page = client.get(url).context
    data = _form_data(page["adminform"].form)
    for inline in page["inline_admin_formsets"]:
        data.update(_form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_data(form))
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_an_admin_edit_of_a_meeting_shows_on_the_next_request(
    session, django_capture_on_commit_callbacks
):
    owner, contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _book(session, owner, contact)
    reader = _reader(owner)
    url = reverse("matchmaking:agenda", args=[session.mission.slug])
    assert "Locked" not in reader.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(meeting, locked=True)
    assert "Locked" in reader.get(url).content.decode()


def test_an_admin_edit_of_a_company_shows_on_the_next_request(
    session, django_capture_on_commit_callbacks
):
    owner, contact = participants(session.mission)
    owner.company.sectors.set([Sector.objects.get(slug="software")])
    reader = _reader(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    directory = reverse("matchmaking:directory", args=[session.mission.slug])
    for page in (url, directory):
        assert "Atlas Monétique" not in reader.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(owner.company, trade_name="Atlas Monétique")
    for page in (url, directory):
        assert "Atlas Monétique" in reader.get(page).content.decode()


def test_an_admin_edit_of_a_sector_shows_on_the_next_request(
    session, django_capture_on_commit_callbacks
):
    owner, contact = participants(session.mission)
    sector = Sector.objects.get(slug="e-payment-banking")
    owner.company.sectors.set([sector])
    contact.operator.sectors.set([sector])
    reader = _reader(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    assert "E-payment and banking" in reader.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(sector, name_en="Mobile money and banking")
    page = reader.get(url).content.decode()
    assert "Mobile money and banking" in page and "E-payment and banking" not in page


def test_the_directory_follows_new_parties_and_its_filters_on_the_cached_list(
    session, django_capture_on_commit_callbacks
):
    """The unfiltered other side is read once per mission for every reader: a firm approved
    later shows at once, and the filters still narrow it (firms filter by country)."""
    owner, contact = participants(session.mission)
    owner.company.trade_name = "Atlas Monétique"
    owner.company.save()
    contact.operator.country = "SN"
    contact.operator.save()
    url = reverse("matchmaking:directory", args=[session.mission.slug])
    operator_reader, firm_reader = _reader(contact), _reader(owner)
    assert "Atlas Monétique" in operator_reader.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        later, _contact = participants(session.mission)
        later.company.trade_name = "Sahara Cloud"
        later.company.save()
    page = operator_reader.get(url).content.decode()
    assert "Atlas Monétique" in page and "Sahara Cloud" in page
    assert "Sahara Cloud" in operator_reader.get(url, {"q": "sahara"}).content.decode()
    assert "Atlas Monétique" not in operator_reader.get(url, {"q": "sahara"}).content.decode()
    firm_page = firm_reader.get(url).content.decode()
    assert contact.operator.name in firm_page and '<option value="SN">' in firm_page
    elsewhere = firm_reader.get(url, {"country": "SN"}).content.decode()
    assert contact.operator.name in elsewhere and _contact.operator.name not in elsewhere
    assert '<option value="SN">' not in operator_reader.get(url).content.decode()
