"""The "Agency staff" group and its model permissions, usable from data migrations.

Each app that adds models adds a data migration that calls ``grant_staff_permissions`` for its
label, so that the group always carries exactly what staff need.
"""

from django.contrib.auth.management import create_permissions

STAFF_GROUP = "Agency staff"
ALL_ACTIONS = ("add", "change", "delete", "view")


def grant_staff_permissions(apps, app_label: str, models: dict[str, tuple[str, ...]]) -> None:
    """Give the staff group ``actions`` on each named model of ``app_label`` (historical apps)."""
    app_config = apps.get_app_config(app_label)
    # Permissions are normally created after the whole migrate run; a data migration needs them
    # now. create_permissions skips historical app configs unless they claim a models module.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
