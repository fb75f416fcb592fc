from django.db import migrations

from accounts.permissions import grant_staff_permissions


def grant(apps, schema_editor):
    # Staff read the messages and send failed ones again; rows are written by the code only.
    grant_staff_permissions(apps, "outbox", {"email": ("view", "change")})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_group"), ("outbox", "0001_initial")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
