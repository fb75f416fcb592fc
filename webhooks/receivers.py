"""Where the events come from: the saves of the product's rows, read here so that no service
has to know about webhooks (the services are the only writers, and each event is one save):

- a meeting created by a booking or by staff: ``meeting.booked`` (those created by publishing a
  schedule are told by ``schedule.published``);
- a meeting saved with a new slot: ``meeting.moved``; saved with the status cancelled:
  ``meeting.cancelled`` (each keyed by the meeting's revision, its SEQUENCE);
- a schedule proposal saved as published: ``schedule.published``;
- an application saved with a decision time: ``application.decided``;
- a feedback answer saved: ``feedback.received``.

The delivery rows are written in the transaction of the change: a change rolled back sends
nothing. Models are matched by name, so that a model moved to another app is still heard.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Event
from .services import event_record


def _stamp(when) -> str:
    return when.isoformat() if when else ""


def _meeting(meeting, created: bool, update_fields) -> None:
    from api.serializers import meeting as meeting_data

    fields = set(update_fields or ())
    if created and meeting.origin != "scheduled":
        event, event_id = Event.MEETING_BOOKED, f"meeting.booked:{meeting.pk}"
    elif "status" in fields and meeting.status == "cancelled":
        event, event_id = Event.MEETING_CANCELLED, f"meeting.cancelled:{meeting.pk}"
    elif "slot" in fields and not created:
        event = Event.MEETING_MOVED
        event_id = f"meeting.moved:{meeting.pk}:{meeting.sequence}"
    else:
        return
    event_record(
        event=event,
        event_id=event_id,
        mission=meeting.mission,
        data=lambda: meeting_data(meeting),
    )


def _proposal(proposal, update_fields) -> None:
    if "status" not in set(update_fields or ()) or proposal.status != "published":
        return
    rows = proposal.result.get("meetings", []) if isinstance(proposal.result, dict) else []
    event_record(
        event=Event.SCHEDULE_PUBLISHED,
        event_id=f"schedule.published:{proposal.pk}",
        mission=proposal.mission,
        data={
            "mission": proposal.mission.slug,
            "proposal_id": proposal.pk,
            "published_at": proposal.decided_at,
            "meetings_added": sum(r.get("change") == "added" for r in rows),
            "meetings_moved": sum(r.get("change") == "moved" for r in rows),
        },
    )


def _application(application, update_fields) -> None:
    if "decided_at" not in set(update_fields or ()) or application.decided_at is None:
        return
    event_record(
        event=Event.APPLICATION_DECIDED,
        event_id=f"application.decided:{application.pk}:{_stamp(application.decided_at)}",
        mission=application.mission,
        data={
            "application_id": application.pk,
            "mission": application.mission.slug,
            "firm_id": application.company_id,
            "status": application.status,
            "decided_at": application.decided_at,
        },
    )


def _feedback(feedback) -> None:
    from api.serializers import feedback as feedback_data

    event_record(
        event=Event.FEEDBACK_RECEIVED,
        event_id=f"feedback.received:{feedback.pk}:{_stamp(feedback.updated_at)}",
        mission=feedback.meeting.mission,
        data=lambda: feedback_data(feedback),
    )


@receiver(post_save, dispatch_uid="webhooks-events")
def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    name = sender._meta.model_name
    if name == "meeting":
        _meeting(instance, created, update_fields)
    elif name == "scheduleproposal":
        _proposal(instance, update_fields)
    elif name == "application":
        _application(instance, update_fields)
    elif name == "meetingfeedback":
        _feedback(instance)
