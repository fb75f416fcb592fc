from django.db import migrations

from accounts.permissions import ALL_ACTIONS, grant_staff_permissions


def grant(apps, schema_editor):
    grant_staff_permissions(apps, "matchmaking", {"meetingfeedback": ALL_ACTIONS})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_group"), ("matchmaking", "0006_meeting_feedback")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
