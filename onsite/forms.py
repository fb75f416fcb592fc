from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matchmaking.models import MeetingStatus
from missions.models import Application, OperatorRegistration

from .models import Floor


class MarginForm(forms.ModelForm):
    class Meta:
        model = Floor
        fields = ["scan_margin_minutes"]
        help_texts = {
            "scan_margin_minutes": _(
                "A meeting's code works from this long before its slot until this long after."
            )
        }


def _places(board, rows) -> list:
    zone = board.mission.tzinfo
    return [
        (
            f"{row.slot.pk}:{table.pk}",
            _("%(time)s · table %(table)s")
            % {
                "time": f"{timezone.localtime(row.slot.starts_at, zone):%H:%M}",
                "table": table.number,
            },
        )
        for row in rows
        for table in row.free
    ]


class PlaceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(label=_("Time and table"), **kwargs)


class SeatForm(forms.Form):
    """A meeting arranged on the spot: a firm, an operator, and a free table now or later."""

    company = forms.TypedChoiceField(label=_("Moroccan firm"), coerce=int)
    operator = forms.TypedChoiceField(label=_("Operator"), coerce=int)
    place = PlaceField()

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        mission = board.mission
        self.fields["company"].choices = [
            (a.company_id, a.company.display_name)
            for a in Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
            .select_related("company")
            .order_by("company__legal_name")
        ]
        self.fields["operator"].choices = [
            (r.operator_id, r.operator.name)
            for r in OperatorRegistration.objects.filter(
                mission=mission, status=OperatorRegistration.Status.CONFIRMED
            )
            .select_related("operator")
            .order_by("operator__name")
        ]
        self.fields["place"].choices = _places(board, board.open_rows)


class MoveForm(forms.Form):
    """A late participant: the meeting moves to a free table of a slot to come."""

    place = PlaceField()

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        later = [r for r in board.rows if r.slot.starts_at > board.now]
        self.fields["place"].choices = _places(board, later)


def place_ids(value: str) -> tuple[int, int]:
    slot_id, table_id = value.split(":")
    return int(slot_id), int(table_id)


class SuspectForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(MeetingStatus.NO_SHOW, _("No-show")), (MeetingStatus.HELD, _("Held"))]
    )
