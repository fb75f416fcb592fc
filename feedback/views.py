"""The page behind the link of a feedback e-mail: no login needed, the signed token is the proof."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services as service
from .models import FeedbackOutcome, FeedbackStage

RATINGS = [
    (1, _("1 – not useful")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – very useful")),
]


class AmountField(forms.DecimalField):
    """An amount typed the way people type it: "12 500,50" in French, "12,500.50" in English."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
            if get_format("DECIMAL_SEPARATOR") == ".":
                value = value.replace(",", "")  # "12,500.50": commas group thousands
            value = value.upper().removesuffix("MAD").removesuffix("DH")
        return super().to_python(value)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was this meeting?"),
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("What has come of it so far?"),
        choices=FeedbackOutcome.choices,
        widget=forms.RadioSelect,
    )
    estimated_value = AmountField(
        label=_("Estimated value of the business (MAD)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=_("Optional. For a proposal or a deal: its estimated value in dirhams."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Anything the agency should know, for this meeting or the next."),
    )

    def __init__(self, *args, stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimated_value"].widget.attrs["inputmode"] = "decimal"
        if stage != FeedbackStage.AFTER:
            self.fields["rating"].required = False
            self.fields["rating"].help_text = _("Optional in this survey.")
            self.fields["outcome"].label = _("Where does it stand now?")


def _initial(feedback) -> dict:
    if feedback is None:
        return {}
    return {
        "rating": feedback.rating,
        "outcome": feedback.outcome,
        "estimated_value": feedback.estimated_value,
        "comment": feedback.comment,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """GET shows the meeting and the form (with the saved answer if there is one; mail scanners
    that follow the link change nothing); POST records or replaces the answer."""
    try:
        reader = service.feedback_check(token)
    except service.FeedbackLinkError as error:
        return render(request, "feedback/feedback.html", {"error": str(error)}, status=error.status)
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST, stage=reader.stage)
        if form.is_valid():
            try:
                service.feedback_submit(token=token, data=form.cleaned_data)
            except service.FeedbackLinkError as error:
                return render(
                    request,
                    "feedback/feedback.html",
                    {"error": str(error)},
                    status=error.status,
                )
            except service.FeedbackError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Thank you: your answer is saved. You can change it here.")
                )
                return redirect(request.path)
        status = 400
    else:
        form = FeedbackForm(initial=_initial(reader.feedback), stage=reader.stage)
    meeting = reader.meeting
    return render(
        request,
        "feedback/feedback.html",
        {"reader": reader, "meeting": meeting, "mission": meeting.mission, "form": form},
        status=status,
    )
