from django.core.paginator import Paginator
from django.shortcuts import render

from core.ids import parse_search
from core.permissions import staff_required

from . import selectors


@staff_required
def trail(request):
    """Who changed what on missions, decisions, meetings (and the other followed models)."""
    kind = request.GET.get("kind", "")
    search = parse_search(request.GET.get("q", ""))
    page = Paginator(selectors.trail_entries(kind=kind, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "rows": selectors.trail_rows(page.object_list),
            "kinds": selectors.trail_kinds(),
            "filters": {"kind": kind, "search": search},
        },
    )
