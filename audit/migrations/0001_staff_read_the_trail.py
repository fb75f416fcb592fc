from django.db import migrations

from accounts.permissions import grant_staff_permissions


def grant(apps, schema_editor):
    # Staff read the audit trail in the admin too; nobody edits it there.
    grant_staff_permissions(apps, "auditlog", {"logentry": ("view",)})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_group"), ("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
