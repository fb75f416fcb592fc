from django.db import migrations

from accounts.permissions import ALL_ACTIONS, grant_staff_permissions


def grant(apps, schema_editor):
    grant_staff_permissions(
        apps,
        "missions",
        {
            "missiontransition": ("view",),
            "application": ALL_ACTIONS,
            "delegate": ALL_ACTIONS,
            "operatorregistration": ALL_ACTIONS,
        },
    )
    grant_staff_permissions(apps, "companies", {"companyinvitation": ("view", "delete")})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_group"),
        ("companies", "0003_companyinvitation"),
        ("missions", "0002_application_delegate_missiontransition_and_more"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
