"""The outbox seen by staff: the delivery state of a mission's messages, and retrying."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.ids import parse_search
from core.permissions import staff_required
from outbox import selectors, services
from outbox.forms import RetryForm
from outbox.models import PHONE_CHANNELS, Channel, Email, EmailStatus

from .common import mission_or_404

# What each kind of message is, for staff (the outbox stores the template's name).
KINDS = {
    "agenda_published": gettext_lazy("Agenda published"),
    "application_decision": gettext_lazy("Decision on an application"),
    "application_received": gettext_lazy("Application received"),
    "company_invitation": gettext_lazy("Invitation to join a firm"),
    "day_summary": gettext_lazy("Summary of the day's meetings"),
    "meeting_booked": gettext_lazy("Meeting booked"),
    "meeting_cancelled": gettext_lazy("Meeting cancelled"),
    "meeting_feedback": gettext_lazy("Feedback request"),
    "meeting_moved": gettext_lazy("Meeting moved"),
    "meeting_reminder": gettext_lazy("Reminder of the next day's meetings"),
    "meeting_request_answered": gettext_lazy("Answer to a meeting request"),
    "meeting_requested": gettext_lazy("Meeting request"),
    "operator_invitation": gettext_lazy("Invitation to meet the delegation"),
    "registration_decision": gettext_lazy("Decision on a registration"),
    "registration_received": gettext_lazy("Registration received"),
}


def kind_label(email: Email) -> str:
    """The kind of ``email`` in the reader's words; its subject if the kind is not known."""
    return str(KINDS.get(email.template, "")) or email.subject or email.template


@staff_required
def mission_emails(request, slug):
    mission = mission_or_404(slug)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    search = parse_search(request.GET.get("q", ""))
    counts = selectors.delivery_counts(mission=mission)
    page = Paginator(
        selectors.mission_emails(mission=mission, status=status, search=search, channel=channel),
        50,
    ).get_page(request.GET.get("page"))
    for email in page:
        email.kind = kind_label(email)
    return render(
        request,
        "dashboard/mission_emails.html",
        {
            "mission": mission,
            "tiles": [(value, label, counts[value]) for value, label in EmailStatus.choices],
            "page": page,
            "statuses": EmailStatus.choices,
            "channels": Channel.choices,
            "filters": {"status": status, "search": search, "channel": channel},
            "form": RetryForm(),
        },
    )


@staff_required
@require_POST
def email_retry(request, pk):
    email = get_object_or_404(Email.objects.select_related("mission"), pk=pk)
    if email.mission is None:
        raise Http404  # account messages are not staff's to resend
    # A WhatsApp message or an SMS goes again to the number its reader gave (they change it in
    # their profile, with their consent): no address to correct here.
    form = RetryForm(request.POST if email.channel not in PHONE_CHANNELS else {})
    back = redirect("dashboard:mission_emails", email.mission.slug)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["to_email"]))
        back.status_code = 303
        return back
    try:
        email = services.email_retry(email=email, to_email=form.cleaned_data["to_email"] or None)
    except services.OutboxError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The message to %(email)s is queued again.") % {"email": email.address}
        )
    return back
