from django.db.models import QuerySet

from .models import Mission

PUBLIC_STATUSES = [
    Mission.Status.OPEN,
    Mission.Status.SELECTION,
    Mission.Status.SCHEDULING,
    Mission.Status.PUBLISHED,
    Mission.Status.RUNNING,
]


def missions_public() -> QuerySet[Mission]:
    """Missions that anybody may see, soonest first: open, upcoming or under way."""
    return Mission.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related("sectors")


def mission_for_viewer(*, slug: str, user) -> Mission:
    """The mission of this slug if the viewer may see it (drafts and closed ones: staff only)."""
    qs = Mission.objects.prefetch_related("sectors", "programme")
    if not (user.is_authenticated and user.is_staff):
        qs = qs.filter(status__in=[*PUBLIC_STATUSES, Mission.Status.CLOSED])
    return qs.get(slug=slug)
