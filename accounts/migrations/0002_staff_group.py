from django.db import migrations

from accounts.permissions import ALL_ACTIONS, grant_staff_permissions


def create_staff_group(apps, schema_editor):
    grant_staff_permissions(apps, "accounts", {"user": ("view", "change")})
    grant_staff_permissions(
        apps, "companies", dict.fromkeys(("sector", "company", "operator"), ALL_ACTIONS)
    )
    grant_staff_permissions(
        apps, "missions", dict.fromkeys(("mission", "programmeitem"), ALL_ACTIONS)
    )


def remove_staff_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Agency staff").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("companies", "0001_initial"),
        ("missions", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_staff_group, remove_staff_group)]
