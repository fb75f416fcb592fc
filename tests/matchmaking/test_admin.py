"""The admin changes no state that a service owns: a meeting's time, place and status, a
mission's status and the decisions on firms and operators are shown read-only; a meeting's lock
goes through its service."""

import pytest
from django.test import Client
from django.urls import reverse

from matchmaking.models import MeetingStatus
from missions.models import Mission
from tests.factories import MeetingFactory, StaffFactory

from .test_read_path import _admin_edit

pytestmark = pytest.mark.django_db


def test_a_meeting_keeps_its_slot_and_status_and_its_lock_goes_through_the_service(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory()
    other_slot = meeting.mission.slots.exclude(pk=meeting.slot_id).first()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(meeting, locked=True, slot=str(other_slot.pk), status="cancelled")
    meeting.refresh_from_db()
    assert meeting.locked
    assert meeting.slot_id != other_slot.pk and meeting.status != MeetingStatus.CANCELLED


def test_meetings_are_neither_added_nor_deleted_in_the_admin():
    meeting = MeetingFactory()
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    assert client.get(reverse("admin:matchmaking_meeting_add")).status_code == 403
    delete = reverse("admin:matchmaking_meeting_delete", args=[meeting.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_a_missions_status_is_read_only_in_the_admin():
    mission = MeetingFactory().mission
    before = mission.status
    _admin_edit(mission, status=Mission.Status.CLOSED, title_fr="Mission TIC renommée")
    mission.refresh_from_db()
    assert mission.title == "Mission TIC renommée" and mission.status == before


def test_staff_give_a_contacts_and_a_delegates_languages_in_the_admin(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory()
    contact = meeting.operator.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(
            contact,
            job_title="DSI",
            languages=["ar", "fr"],
            other_languages="Hassaniya",
            # The admin splits the date into two inputs.
            date_joined_0=f"{contact.date_joined:%Y-%m-%d}",
            date_joined_1=f"{contact.date_joined:%H:%M:%S}",
        )
    contact.refresh_from_db()
    assert (contact.job_title, contact.languages, contact.other_languages) == (
        "DSI",
        ["fr", "ar"],
        "Hassaniya",
    )
    application = meeting.delegate.application
    application.submitted_by = meeting.company.members.get()
    application.save()
    with django_capture_on_commit_callbacks(execute=True):
        _admin_edit(application, **{"delegates-0-languages": ["en"]})
    meeting.delegate.refresh_from_db()
    assert meeting.delegate.languages == ["en"]
