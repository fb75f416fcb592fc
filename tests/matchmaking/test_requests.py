import pytest
from django.utils import translation

from matchmaking import services
from matchmaking.models import MeetingRequest
from tests.factories import MeetingSessionFactory, participants

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _p(mission, owner=None, contact=None):
    if owner:
        app = owner.company.applications.get(mission=mission)
        return services.Participant(
            mission=mission, side="company", company=owner.company, application=app
        )
    return services.Participant(mission=mission, side="operator", operator=contact.operator)


def test_requests_both_ways_make_a_mutual_wish(django_capture_on_commit_callbacks, mailoutbox):
    mission = MeetingSessionFactory().mission
    owner, contact = participants(mission)
    firm, operator = _p(mission, owner=owner), _p(mission, contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_create(
            participant=firm,
            counterpart=contact.operator,
            priority=3,
            message="Paiement mobile",
            by=owner,
        )
    assert mailoutbox[-1].to == [contact.email] and "Paiement mobile" in mailoutbox[-1].body
    services.request_create(
        participant=operator, counterpart=owner.company, priority=2, message="", by=contact
    )
    assert set(MeetingRequest.objects.values_list("side", flat=True)) == {"company", "operator"}
    with pytest.raises(services.MatchmakingError, match="already asked"):
        services.request_create(
            participant=firm, counterpart=contact.operator, priority=1, message="", by=owner
        )


def test_only_the_asked_side_answers_and_only_the_asker_withdraws(
    django_capture_on_commit_callbacks, mailoutbox
):
    mission = MeetingSessionFactory().mission
    owner, contact = participants(mission)
    firm, operator = _p(mission, owner=owner), _p(mission, contact=contact)
    request = services.request_create(
        participant=firm, counterpart=contact.operator, priority=2, message="", by=owner
    )
    with pytest.raises(services.MatchmakingError, match="Only the party that was asked"):
        services.request_respond(request=request, participant=firm, accept=True)
    with pytest.raises(services.MatchmakingError, match="Only the party that asked"):
        services.request_withdraw(request=request, participant=operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_respond(request=request, participant=operator, accept=True)
    assert (
        mailoutbox[-1].to == [owner.email] and "acceptée" in mailoutbox[-1].subject
    )  # the owner reads French
    with pytest.raises(services.MatchmakingError, match="already been answered"):
        services.request_respond(request=request, participant=operator, accept=False)
    services.request_withdraw(request=request, participant=firm)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    # Asking again re-opens the same request.
    again = services.request_create(
        participant=firm, counterpart=contact.operator, priority=1, message="Encore", by=owner
    )
    assert again.pk == request.pk and again.status == "pending"


def test_requests_only_between_participants():
    mission = MeetingSessionFactory().mission
    owner, _contact = participants(mission)
    _outsider, outsider_contact = participants(MeetingSessionFactory().mission)
    with pytest.raises(services.MatchmakingError, match="not confirmed"):
        services.request_create(
            participant=_p(mission, owner=owner),
            counterpart=outsider_contact.operator,
            priority=2,
            message="",
            by=owner,
        )
