"""The mission report for the agency's management, as a page and as an A4 PDF (staff only)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.permissions import staff_required
from feedback.report import mission_report

from . import printing
from .common import mission_or_404
from .exports import export_filename


@staff_required
def report(request, slug):
    mission = mission_or_404(slug)
    with timezone.override(mission.timezone):
        return render(
            request,
            "dashboard/report.html",
            {"mission": mission, "report": mission_report(mission=mission)},
        )


@never_cache
@staff_required
def report_pdf(request, slug):
    mission = mission_or_404(slug)
    with timezone.override(mission.timezone):
        content = printing.render_pdf(
            "dashboard/print/report.html",
            {"mission": mission, "report": mission_report(mission=mission)},
        )
    response = HttpResponse(content, content_type="application/pdf")
    # Inline: the browser opens its PDF viewer, one click from the printer.
    response["Content-Disposition"] = content_disposition_header(
        False, export_filename(mission, _("report"), "pdf")
    )
    return response
