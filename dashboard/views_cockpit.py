"""The mission cockpit: figures, charts, the slot-by-table grid of the B2B sessions, and the
changes staff make to one meeting of the grid (move, swap, cancel, lock, record whether it
was held or a no-show)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import cache
from core.permissions import staff_required
from matchmaking import services as mm_services
from matchmaking.models import Meeting, MeetingStatus, Slot, Table

from . import cockpit as selectors
from .common import mission_or_404


@staff_required
def cockpit(request, slug):
    mission = mission_or_404(slug)
    with timezone.override(mission.timezone):
        data = selectors.cockpit(mission=mission)
        # The charts and the grid (thousands of cells on a big mission) are cached fragments
        # of the template, until a meeting or a request of the mission changes.
        stamp = cache.stamp(mission.pk, cache.ACTIVITY)
        return render(
            request, "dashboard/cockpit.html", {"mission": mission, "cockpit": data, "stamp": stamp}
        )


# --- One meeting of the grid ------------------------------------------------------------------


class MoveForm(forms.Form):
    slot = forms.TypedChoiceField(label=gettext_lazy("New time"), coerce=int)
    table = forms.TypedChoiceField(
        label=gettext_lazy("Table"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (day, [(c.pk, c.label) for c in choices])
            for day, choices in selectors.move_choices(meeting=meeting)
        ]
        self.fields["slot"].help_text = _(
            "Times of the mission (%(zone)s). The change is checked again when you confirm it."
        ) % {"zone": meeting.mission.timezone}
        tables = max(
            [
                meeting.slot.session.tables,
                *(s.tables for s in meeting.mission.meeting_sessions.all()),
            ]
        )
        self.fields["table"].choices = [
            ("", _("Any free table")),
            *((n, _("Table %(number)s") % {"number": n}) for n in range(1, tables + 1)),
        ]


class SwapForm(forms.Form):
    other = forms.TypedChoiceField(label=gettext_lazy("Swap with"), coerce=int)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = selectors.swap_choices(meeting=meeting)


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, told to both sides"),
        max_length=300,
        widget=forms.TextInput,
    )


class OutcomeForm(forms.Form):
    """Held or no-show, recorded by staff once the meeting has started ("not recorded" takes a
    record back)."""

    status = forms.ChoiceField(
        label=gettext_lazy("What became of the meeting"),
        widget=forms.RadioSelect,
        choices=[
            (MeetingStatus.HELD, gettext_lazy("Held")),
            (MeetingStatus.NO_SHOW, gettext_lazy("No-show: a side did not come")),
            (MeetingStatus.CONFIRMED, gettext_lazy("Not recorded")),
        ],
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        recorded = meeting.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW)
        kwargs.setdefault(
            "initial", {"status": meeting.status if recorded else MeetingStatus.CONFIRMED}
        )
        super().__init__(*args, **kwargs)
        # The page offers the form once the meeting has started; the service checks again.
        self.started = meeting.slot.starts_at <= timezone.now()


ACTIONS = ("move", "swap", "cancel", "lock", "unlock", "outcome")


def _forms(meeting: Meeting, data=None, action: str = "") -> dict:
    def bound(name):
        return data if action == name else None

    return {
        "move_form": MoveForm(bound("move"), meeting=meeting, prefix="move"),
        "swap_form": SwapForm(bound("swap"), meeting=meeting, prefix="swap"),
        "cancel_form": MeetingCancelForm(bound("cancel"), prefix="cancel"),
        "outcome_form": OutcomeForm(bound("outcome"), meeting=meeting, prefix="outcome"),
    }


def _meeting_page(request, mission, meeting, *, data=None, action="", error="", status=200):
    context = {
        "mission": mission,
        "meeting": meeting,
        "action": action,
        "error": error,
        **_forms(meeting, data, action),
    }
    with timezone.override(mission.timezone):
        return render(request, "dashboard/cockpit_meeting.html", context, status=status)


def _apply(action: str, meeting: Meeting, form, by) -> Meeting:
    """Run the change; MatchmakingError says why it is refused."""
    if action == "move":
        slot = Slot.objects.select_related("session").get(
            pk=form.cleaned_data["slot"], mission=meeting.mission_id
        )
        number = form.cleaned_data["table"]
        table = None
        if number is not None:
            table = Table.objects.filter(session=slot.session_id, number=number).first()
            if table is None:
                raise mm_services.MatchmakingError(
                    _("This session has no table %(number)s.") % {"number": number}
                )
        return mm_services.meeting_staff_move(meeting=meeting, slot=slot, table=table, by=by)
    if action == "swap":
        other = Meeting.objects.get(pk=form.cleaned_data["other"], mission=meeting.mission_id)
        return mm_services.meetings_swap(first=meeting, second=other, by=by)[0]
    if action == "cancel":
        return mm_services.meeting_cancel(
            meeting=meeting, by=by, reason=form.cleaned_data["reason"], staff=True
        )
    if action == "outcome":
        return mm_services.meeting_outcome_set(
            meeting=meeting, status=form.cleaned_data["status"], by=by
        )
    return mm_services.meeting_lock_set(meeting=meeting, locked=action == "lock", by=by)


DONE = {
    "move": gettext_lazy("The meeting has been moved; both sides are told by e-mail."),
    "swap": gettext_lazy(
        "The two meetings have been swapped; their participants are told by e-mail."
    ),
    "cancel": gettext_lazy("The meeting has been cancelled; both sides are told by e-mail."),
    "lock": gettext_lazy(
        "The meeting is locked: the optimiser keeps it and the participants cannot change it."
    ),
    "unlock": gettext_lazy("The meeting is unlocked."),
    "outcome": gettext_lazy("The outcome of the meeting is recorded."),
}


@staff_required
def cockpit_meeting(request, slug, pk):
    """A meeting of the grid and the forms that change it (POST with ``action``)."""
    mission = mission_or_404(slug)
    try:
        meeting = selectors.meeting_for_staff(mission=mission, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    if request.method != "POST":
        return _meeting_page(request, mission, meeting)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _meeting_page(request, mission, meeting, error=_("Unknown change."), status=400)
    form = _forms(meeting, request.POST, action).get(f"{action}_form")
    if form is not None and not form.is_valid():
        return _meeting_page(
            request, mission, meeting, data=request.POST, action=action, status=400
        )
    try:
        changed = _apply(action, meeting, form, request.user)
    except (Slot.DoesNotExist, Meeting.DoesNotExist):
        raise Http404 from None
    except mm_services.MatchmakingError as exc:
        meeting = selectors.meeting_for_staff(mission=mission, pk=pk)
        return _meeting_page(
            request, mission, meeting, data=request.POST, action=action, error=str(exc), status=409
        )
    messages.success(request, DONE[action])
    grid = reverse("dashboard:cockpit", args=[mission.slug])
    return redirect(f"{grid}#session-{changed.slot.session_id}")
