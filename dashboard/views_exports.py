"""Exports (CSV, XLSX) and print-outs (PDF) of a mission, for staff."""

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.ids import MAX_ID
from core.permissions import staff_required
from matchmaking.models import MeetingSession, MeetingStatus, Side
from missions.models import Application, Mission, OperatorRegistration

from . import exports, printing
from .common import mission_or_404


def _kind(kind: str) -> exports.Kind:
    try:
        return exports.KINDS[kind]
    except KeyError:
        raise Http404 from None


def _side(side: str) -> str:
    if side not in Side.values:
        raise Http404
    return side


def _file(content, *, filename: str, content_type: str, attachment: bool = True):
    response_class = HttpResponse if isinstance(content, bytes) else StreamingHttpResponse
    response = response_class(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


# The meetings of a session that are still planned, for the page's counts.
ACTIVE_MEETINGS = ~Q(slots__meetings__status=MeetingStatus.CANCELLED)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_required
def exports_page(request, slug):
    mission = mission_or_404(slug)
    firms = (
        Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
        .select_related("company")
        .order_by(Lower("company__legal_name"))
    )
    operators = (
        OperatorRegistration.objects.filter(
            mission=mission, status=OperatorRegistration.Status.CONFIRMED
        )
        .select_related("operator")
        .order_by(Lower("operator__name"))
    )
    sessions = MeetingSession.objects.filter(mission=mission).annotate(
        meeting_count=Count("slots__meetings", filter=ACTIVE_MEETINGS)
    )
    return render(
        request,
        "dashboard/exports.html",
        {
            "mission": mission,
            "kinds": [(key, kind.label(), kind.help()) for key, kind in exports.KINDS.items()],
            "firms": [a.company for a in firms],
            "operators": [r.operator for r in operators],
            "sessions": sessions,
        },
    )


@never_cache
@staff_required
def export_csv(request, slug, kind):
    mission = mission_or_404(slug)
    export = _kind(kind).build(mission)
    # Streamed: a mission of thousands of meetings starts downloading at once.
    return _file(
        exports.csv_chunks(export, delimiter=exports.csv_delimiter()),
        filename=exports.export_filename(mission, export.name, "csv"),
        content_type="text/csv; charset=utf-8",
    )


@never_cache
@staff_required
def export_xlsx(request, slug, kind):
    mission = mission_or_404(slug)
    if kind == "all":
        built = [k.build(mission) for k in exports.KINDS.values()]
        name = _("exports")
    else:
        built = [_kind(kind).build(mission)]
        name = built[0].name
    return _file(
        exports.xlsx_bytes(built),
        filename=exports.export_filename(mission, name, "xlsx"),
        content_type=XLSX,
    )


def _pdf(mission: Mission, template: str, name: str, context: dict) -> HttpResponse:
    content = printing.render_pdf(template, {"mission": mission, **context})
    # Inline: the browser opens its PDF viewer, one click from the printer.
    return _file(
        content,
        filename=exports.export_filename(mission, name, "pdf"),
        content_type="application/pdf",
        attachment=False,
    )


@never_cache
@staff_required
def print_agenda(request, slug, side, pk):
    mission = mission_or_404(slug)
    if pk > MAX_ID:  # past the database's integers (the lookup by foreign key would overflow)
        raise Http404
    agendas = printing.agendas(mission=mission, side=_side(side), pk=pk)
    if not agendas:
        raise Http404
    return _pdf(
        mission,
        "dashboard/print/agendas.html",
        _("agenda-%(name)s") % {"name": agendas[0].organisation},
        {"agendas": agendas, "side": side},
    )


@never_cache
@staff_required
def print_agendas(request, slug, side):
    mission = mission_or_404(slug)
    agendas = printing.agendas(mission=mission, side=_side(side))
    name = _("agendas-firms") if side == Side.COMPANY else _("agendas-operators")
    return _pdf(mission, "dashboard/print/agendas.html", name, {"agendas": agendas, "side": side})


@never_cache
@staff_required
def print_plan(request, slug, pk):
    mission = mission_or_404(slug)
    plans = printing.table_plans(mission=mission, session_pk=pk)
    if not plans:
        raise Http404
    name = _("table-plan-%(day)s") % {"day": plans[0].day.isoformat()}
    return _pdf(mission, "dashboard/print/plans.html", name, {"plans": plans})


@never_cache
@staff_required
def print_plans(request, slug):
    mission = mission_or_404(slug)
    plans = printing.table_plans(mission=mission)
    return _pdf(mission, "dashboard/print/plans.html", _("table-plans"), {"plans": plans})


@never_cache
@staff_required
def print_badges(request, slug):
    mission = mission_or_404(slug)
    side = request.GET.get("side") or None
    if side is not None:
        _side(side)
    sheets = printing.badges(mission=mission, side=side)
    return _pdf(mission, "dashboard/print/badges.html", _("badges"), {"sheets": sheets})
