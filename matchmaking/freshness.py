"""Keeps the read cache fresh by itself: every save or delete of a row that the participants'
and staff's pages show expires the versions of ``core.cache`` that hold it, when its transaction
commits. The services, the admin, the shell and any future code get it without a call.

Bulk writes (``update()``, ``bulk_create()``) send no signal: their callers call
``mission_changed`` or ``meetings_changed`` after them.

This module lives in the lowest app that knows every model the pages show (companies and
missions are below it); it is connected in ``MatchmakingConfig.ready``.
"""

from collections.abc import Iterable

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import User
from companies.models import Company, Operator, Sector
from core import cache
from missions.models import Application, Delegate, Mission, OperatorRegistration, ProgrammeItem

from .models import Meeting, MeetingRequest, MeetingSession, Side, Slot, Table, Unavailability


def mission_changed(*mission_ids: int) -> None:
    """Everything cached about these missions expires on commit."""
    for mission_id in set(mission_ids):
        cache.expire(mission_id)


def meetings_changed(mission_id: int, *, parties: Iterable[tuple[str, int]]) -> None:
    """Meetings, requests or availability of ``parties`` (``(side, pk)``) changed: the
    mission's activity and those parties' entries expire on commit, the rest stays cached."""
    cache.expire(mission_id, cache.ACTIVITY, *(cache.party(side, pk) for side, pk in parties))


def _sector(**kwargs) -> None:
    cache.expire()  # every mission shows the sectors' names


def _mission(instance, **kwargs) -> None:
    mission_changed(instance.pk)


def _of_mission(instance, **kwargs) -> None:
    mission_changed(instance.mission_id)


def _company(instance, **kwargs) -> None:
    mission_changed(
        *Application.objects.filter(company=instance).values_list("mission_id", flat=True)
    )


def _operator(instance, **kwargs) -> None:
    mission_changed(
        *OperatorRegistration.objects.filter(operator=instance).values_list("mission_id", flat=True)
    )


def _delegate(instance, **kwargs) -> None:
    mission_changed(
        *Application.objects.filter(pk=instance.application_id).values_list("mission_id", flat=True)
    )


# What the profile pages show of an operator's contact (a login, which saves ``last_login``
# alone, changes none of it).
CONTACT_FIELDS = {"full_name", "job_title", "languages", "other_languages", "is_active", "operator"}


def _contact(instance, update_fields=None, **kwargs) -> None:
    if instance.operator_id and (update_fields is None or CONTACT_FIELDS & set(update_fields)):
        mission_changed(
            *OperatorRegistration.objects.filter(operator_id=instance.operator_id).values_list(
                "mission_id", flat=True
            )
        )


def _session_part(instance, **kwargs) -> None:
    mission_changed(
        *MeetingSession.objects.filter(pk=instance.session_id).values_list("mission_id", flat=True)
    )


def _pair(instance, **kwargs) -> None:
    """A meeting or a request: its two parties' entries and the mission's activity."""
    meetings_changed(
        instance.mission_id,
        parties=[(Side.COMPANY, instance.company_id), (Side.OPERATOR, instance.operator_id)],
    )


def _unavailability(instance, **kwargs) -> None:
    side, pk = (
        (Side.COMPANY, instance.company_id)
        if instance.company_id
        else (Side.OPERATOR, instance.operator_id)
    )
    for mission_id in Slot.objects.filter(pk=instance.slot_id).values_list("mission_id", flat=True):
        meetings_changed(mission_id, parties=[(side, pk)])


RECEIVERS = [
    (Sector, _sector),
    (Mission, _mission),
    (ProgrammeItem, _of_mission),
    (Application, _of_mission),
    (OperatorRegistration, _of_mission),
    (MeetingSession, _of_mission),
    (Slot, _of_mission),
    (Table, _session_part),
    (Company, _company),
    (Delegate, _delegate),
    (User, _contact),
    (Operator, _operator),
    (Meeting, _pair),
    (MeetingRequest, _pair),
    (Unavailability, _unavailability),
]
M2M_RECEIVERS = [
    (Mission.sectors.through, _mission),
    (Company.sectors.through, _company),
    (Operator.sectors.through, _operator),
]


def _m2m(receiver):
    def changed(instance, action, reverse, **kwargs) -> None:
        if action.startswith("post_"):
            # From the sector's side (``sector.companies.add()``), what it changes is unknown.
            if reverse:
                cache.expire()
            else:
                receiver(instance)

    return changed


def connect() -> None:
    for model, receiver in RECEIVERS:
        post_save.connect(receiver, sender=model, weak=False)
        post_delete.connect(receiver, sender=model, weak=False)
    for through, receiver in M2M_RECEIVERS:
        m2m_changed.connect(_m2m(receiver), sender=through, weak=False)
