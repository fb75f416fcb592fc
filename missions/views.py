from django.http import Http404
from django.shortcuts import render

from .models import Mission
from .selectors import mission_for_viewer, missions_public


def home(request):
    return render(request, "missions/home.html", {"missions": missions_public()[:6]})


def mission_list(request):
    return render(request, "missions/mission_list.html", {"missions": missions_public()})


def mission_detail(request, slug):
    try:
        mission = mission_for_viewer(slug=slug, user=request.user)
    except Mission.DoesNotExist:
        raise Http404 from None
    return render(request, "missions/mission_detail.html", {"mission": mission})
