"""What every staff page of a mission starts with."""

from django.http import Http404

from missions.models import Mission
from missions.selectors import mission_for_staff


def mission_or_404(slug: str) -> Mission:
    try:
        return mission_for_staff(slug=slug)
    except Mission.DoesNotExist:
        raise Http404 from None
