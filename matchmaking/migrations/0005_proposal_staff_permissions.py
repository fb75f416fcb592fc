from django.db import migrations

from accounts.permissions import grant_staff_permissions


def grant(apps, schema_editor):
    grant_staff_permissions(apps, "matchmaking", {"scheduleproposal": ("view",)})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_group"), ("matchmaking", "0004_schedule_proposal")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
