"""What happens on the day of a mission: who came through the door, which meetings started.

Both are facts recorded once: the database refuses a second check-in of one person on one day
and a second start of one meeting, so a scan replayed (twice online, or once more from the
offline queue) changes nothing.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Floor(models.Model):
    """Staff settings of a mission's day: how long before and after its slot a meeting's code
    still works."""

    mission = models.OneToOneField(
        "missions.Mission", on_delete=models.CASCADE, related_name="floor"
    )
    scan_margin_minutes = models.PositiveSmallIntegerField(
        _("margin around a slot (minutes)"), default=10, validators=[MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("floor settings")
        verbose_name_plural = _("floor settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(scan_margin_minutes__lte=60), name="floor_margin_at_most_an_hour"
            ),
        ]

    def __str__(self):
        return f"{self.mission} · {self.scan_margin_minutes} min"


class Via(models.TextChoices):
    BADGE = "badge", _("Badge scanned")
    AGENDA = "agenda", _("Agenda code scanned")
    STAFF = "staff", _("Staff")


class Presence(models.Model):
    """A person with a badge came through the door on a day (local date of the mission):
    a delegate of a firm, or a contact of an operator."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    delegate = models.ForeignKey(
        "missions.Delegate", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The contact's operator, kept for the board: an operator is present if one of its own is.
    operator = models.ForeignKey(
        "companies.Operator", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["checked_in_at", "pk"]
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.CheckConstraint(
                condition=Q(delegate__isnull=False, contact__isnull=True, operator__isnull=True)
                | Q(delegate__isnull=True, contact__isnull=False, operator__isnull=False),
                name="presence_one_person",
            ),
            models.UniqueConstraint(
                fields=["day", "delegate"],
                condition=Q(delegate__isnull=False),
                name="presence_delegate_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["day", "contact"],
                condition=Q(contact__isnull=False),
                name="presence_contact_once_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.delegate or self.contact} · {self.day}"


class MeetingStart(models.Model):
    """A meeting started: one side scanned the other's badge or the meeting's code, or staff
    said so. ``scanned_at`` is when the scan was made (earlier than ``recorded_at`` for a scan
    queued offline)."""

    meeting = models.OneToOneField(
        "matchmaking.Meeting", on_delete=models.CASCADE, related_name="start"
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    via = models.CharField(_("how"), max_length=10, choices=Via.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scanned_at", "pk"]
        verbose_name = _("meeting start")
        verbose_name_plural = _("meeting starts")
        constraints = [
            models.CheckConstraint(
                condition=Q(via__in=[v.value for v in Via]), name="meeting_start_via_valid"
            ),
        ]

    def __str__(self):
        return f"{self.meeting_id} @ {self.scanned_at:%H:%M}"
