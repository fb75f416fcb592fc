"""Meeting requests get ``updated_at`` (issue 20: the API lists them by "changed since"); a
request already answered takes the time of its answer, the others their creation."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    MeetingRequest = apps.get_model("matchmaking", "MeetingRequest")
    MeetingRequest.objects.update(updated_at=Coalesce("responded_at", "created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0008_proposals_and_feedback_move_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingrequest",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="updated"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
