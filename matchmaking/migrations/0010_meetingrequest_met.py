"""A request whose pair an active meeting holds is "met" (``RequestStatus.MET``): the new status,
its check constraint, and the requests already met marked so (a booked or scheduled meeting left
them pending or accepted until now)."""

from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Value, When


def _held(apps):
    Meeting = apps.get_model("matchmaking", "Meeting")
    return Exists(
        Meeting.objects.filter(
            mission_id=OuterRef("mission_id"),
            company_id=OuterRef("company_id"),
            operator_id=OuterRef("operator_id"),
        ).exclude(status="cancelled")
    )


def mark_met(apps, schema_editor):
    MeetingRequest = apps.get_model("matchmaking", "MeetingRequest")
    MeetingRequest.objects.filter(_held(apps), status__in=["pending", "accepted"]).update(
        status="met"
    )


def unmark_met(apps, schema_editor):
    MeetingRequest = apps.get_model("matchmaking", "MeetingRequest")
    MeetingRequest.objects.filter(status="met").update(
        status=Case(
            When(responded_at__isnull=False, then=Value("accepted")), default=Value("pending")
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0009_meetingrequest_updated_at"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="meetingrequest",
            name="request_status_valid",
        ),
        migrations.AlterField(
            model_name="meetingrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("withdrawn", "Withdrawn"),
                    ("met", "Meeting arranged"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["pending", "accepted", "declined", "withdrawn", "met"])
                ),
                name="request_status_valid",
            ),
        ),
        migrations.RunPython(mark_met, unmark_met),
    ]
