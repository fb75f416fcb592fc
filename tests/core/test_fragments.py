"""Fragments rendered once for many readers (the navigation bar, a participant's agenda, the
tabs): each reader still gets their own CSRF token, path and name, and what a user types can
never pass for a stand-in."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.fragments import CSRF_STAND_IN, fill, render_fragment
from matchmaking.models import Meeting, MeetingStatus
from tests.factories import MeetingFactory, MeetingSessionFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_the_navigation_bar_follows_the_reader_and_the_page(client, member):
    client.force_login(member)
    page = client.get(reverse("missions:list")).content.decode()
    assert member.get_short_name() in page and member.email in page
    assert (
        'name="next" value="/missions/?q=a&amp;b"'
        in client.get(reverse("missions:list") + "?q=a&b").content.decode()
    )
    member.full_name = "Nadia Berrada-Alaoui"
    member.save()
    assert "Nadia" in client.get(reverse("missions:list")).content.decode()
    client.logout()
    anonymous = client.get(reverse("missions:list")).content.decode()
    assert member.email not in anonymous and reverse("account_login") in anonymous


def test_each_reader_posts_with_their_own_token_from_a_shared_fragment(member, plain_user):
    """The language menu of the navigation bar is rendered once; both readers can use it."""
    for user in (member, plain_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = client.get(reverse("missions:list")).content.decode()
        tokens = set(TOKEN_RE.findall(page))
        assert tokens and CSRF_STAND_IN not in page
        response = client.post(
            reverse("set_language"),
            {"language": "en", "next": "/missions/", "csrfmiddlewaretoken": tokens.pop()},
        )
        assert response.status_code == 302 and response["Location"] == "/missions/"


def test_a_participant_cancels_from_the_cached_agenda(django_capture_on_commit_callbacks):
    meeting = MeetingFactory(session=MeetingSessionFactory())
    owner = meeting.company.members.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("matchmaking:agenda", args=[meeting.mission.slug])
    client.get(url)  # cached from now on
    page = client.get(url).content.decode()
    token = TOKEN_RE.findall(page)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matchmaking:meeting_cancel", args=[meeting.mission.slug, meeting.pk]),
            {"reason": "", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED
    assert meeting.operator.name in page
    assert meeting.operator.name not in client.get(url).content.decode()  # gone at once


def test_typed_text_cannot_pass_for_a_stand_in():
    meeting = MeetingFactory(session=MeetingSessionFactory())
    meeting.company.trade_name = str(CSRF_STAND_IN)
    meeting.company.save()
    contact = meeting.operator.contacts.get()
    client = Client()
    client.force_login(contact)
    page = client.get(reverse("matchmaking:agenda", args=[meeting.mission.slug])).content.decode()
    assert "&lt;csrf-token&gt;" in page  # escaped, hence never replaced by a token


def test_a_fragment_without_a_request_has_no_token():
    html = render_fragment("matchmaking/_agenda_days.html", {"days": []})
    assert fill(None, html) == html.replace(str(CSRF_STAND_IN), "")
