"""Badges and printed agendas carry QR codes that open the check-in pages."""

import pytest
from django.core import signing
from django.urls import reverse

from dashboard.printing import agendas, badges
from matchmaking.models import Side
from onsite.codes import BADGE_SALT, badge_token

pytestmark = pytest.mark.django_db


def test_badges_carry_a_signed_code_with_no_personal_data(day):
    meeting = day.book(1)
    sheets = badges(mission=day.mission)
    people = [b for sheet in sheets for b in sheet]
    assert len(people) == 2
    assert all(b.qr.startswith("<svg") and 'class="qr"' in b.qr for b in people)
    # The code of the delegate's badge opens that delegate's page of the mission.
    token = badge_token(mission_id=day.mission.pk, delegate_id=meeting.delegate_id)
    assert signing.loads(token, salt=BADGE_SALT) == {
        "s": day.mission.pk,
        "d": meeting.delegate_id,
    }
    # No name, e-mail or phone in the payload, whatever the person.
    for value in (meeting.delegate.full_name, meeting.operator.name, "@"):
        assert value not in str(signing.loads(token, salt=BADGE_SALT))


def test_printed_agenda_has_one_code_per_meeting(day):
    first = day.book(1)
    day.book(2, pair=(first.company.members.first(), day.pair()[1]))
    (agenda,) = agendas(mission=day.mission, side=Side.COMPANY, pk=first.company_id)
    lines = [line for _day, lines in agenda.days for line in lines]
    assert len(lines) == 2
    assert len({line.qr for line in lines}) == 2
    assert all(line.qr.startswith("<svg") for line in lines)


def test_badges_pdf_prints_with_codes(client, day):
    day.book(1)
    client.force_login(day.staff)
    response = client.get(reverse("dashboard:print_badges", args=[day.mission.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(response.content) > 2000
