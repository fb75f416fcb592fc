from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.models import Company

from .models import (
    REGISTRATION_OPEN_STATUSES,
    Application,
    Mission,
    MissionTransition,
    OperatorRegistration,
)

PUBLIC_STATUSES = [
    Mission.Status.OPEN,
    Mission.Status.SELECTION,
    Mission.Status.SCHEDULING,
    Mission.Status.PUBLISHED,
    Mission.Status.RUNNING,
]


def missions_public() -> QuerySet[Mission]:
    """Missions that anybody may see, soonest first: open, upcoming or under way."""
    return Mission.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related("sectors")


def mission_for_viewer(*, slug: str, user) -> Mission:
    """The mission of this slug if the viewer may see it (drafts and closed ones: staff only).
    Its sectors and programme are read by the page only when its cached fragments are missing."""
    qs = Mission.objects.all()
    if not (user.is_authenticated and user.is_staff):
        qs = qs.filter(status__in=[*PUBLIC_STATUSES, Mission.Status.CLOSED])
    return qs.get(slug=slug)


def missions_open_for_applications() -> QuerySet[Mission]:
    return Mission.objects.filter(
        status=Mission.Status.OPEN, application_deadline__gt=timezone.now()
    )


DELEGATION_VISIBLE = [
    Mission.Status.SCHEDULING,
    Mission.Status.PUBLISHED,
    Mission.Status.RUNNING,
    Mission.Status.CLOSED,
]


def mission_delegation(*, mission: Mission) -> QuerySet[Company]:
    """The approved firms, shown publicly once selection is over."""
    if mission.status not in DELEGATION_VISIBLE:
        return Company.objects.none()
    return (
        Company.objects.filter(
            applications__mission=mission, applications__status=Application.Status.APPROVED
        )
        .prefetch_related("sectors")
        .order_by("legal_name")
    )


def applications_for_company(*, company: Company | None) -> QuerySet[Application]:
    if company is None:
        return Application.objects.none()
    return (
        Application.objects.filter(company=company)
        .select_related("mission")
        .prefetch_related("delegates")
        .order_by("-submitted_at")
    )


def application_for_member(*, user, pk: int) -> Application:
    """The application if it is the user's company's; DoesNotExist otherwise (a 404)."""
    return applications_for_company(company=user.company).get(pk=pk)


def registrations_for_operator(*, operator) -> QuerySet[OperatorRegistration]:
    return operator.registrations.select_related("mission").order_by("mission__start_date")


# --- Staff ------------------------------------------------------------------------------------


def count_per_mission(rows: QuerySet) -> Coalesce:
    """The number of ``rows`` (a queryset with a ``mission`` field) of the outer mission, as a
    subquery: counting through joins would multiply the rows of every table joined (and
    PostgreSQL would evaluate each other subquery once per joined row)."""
    counted = (
        rows.filter(mission=OuterRef("pk"))
        .order_by()
        .values("mission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def missions_overview() -> QuerySet[Mission]:
    """Every mission with its headline figures, in one query."""
    applications, registrations = Application.objects.all(), OperatorRegistration.objects.all()
    return Mission.objects.annotate(
        applications_total=count_per_mission(applications),
        applications_pending=count_per_mission(
            applications.filter(status=Application.Status.SUBMITTED)
        ),
        firms_approved=count_per_mission(applications.filter(status=Application.Status.APPROVED)),
        operators_confirmed=count_per_mission(
            registrations.filter(status=OperatorRegistration.Status.CONFIRMED)
        ),
        operators_pending=count_per_mission(
            registrations.filter(status=OperatorRegistration.Status.PENDING)
        ),
    ).order_by(F("start_date").asc(nulls_last=True), "title")


APPLICATION_SORTS = {
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "company": "company__legal_name",
    "-company": "-company__legal_name",
    "status": "status",
    "-status": "-status",
    "delegates": "delegates_count",
    "-delegates": "-delegates_count",
}


def mission_applications(
    *, mission: Mission, status: str = "", search: str = "", sort: str = "submitted"
) -> QuerySet[Application]:
    qs = (
        mission.applications.select_related("company", "decided_by", "submitted_by")
        .prefetch_related("delegates", "company__sectors")
        .annotate(delegates_count=Count("delegates", distinct=True))
    )
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(company__legal_name__icontains=search)
            | Q(company__trade_name__icontains=search)
            | Q(company__city__icontains=search)
            | Q(company__ice__icontains=search)
        )
    return qs.order_by(APPLICATION_SORTS.get(sort, "submitted_at"), "pk")


def mission_application(*, mission: Mission, pk: int) -> Application:
    return (
        mission.applications.select_related("company", "decided_by", "submitted_by")
        .prefetch_related("delegates", "company__sectors", "company__members")
        .get(pk=pk)
    )


def mission_registrations(
    *, mission: Mission, status: str = "", search: str = ""
) -> QuerySet[OperatorRegistration]:
    qs = mission.operator_registrations.select_related("operator", "decided_by").prefetch_related(
        "operator__contacts", "operator__sectors"
    )
    if status in OperatorRegistration.Status.values:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(operator__name__icontains=search)
            | Q(operator__city__icontains=search)
            | Q(operator__contacts__email__icontains=search)
        ).distinct()
    return qs.order_by("operator__name", "pk")


def mission_for_staff(*, slug: str) -> Mission:
    return Mission.objects.prefetch_related("sectors").get(slug=slug)


def mission_history(*, mission: Mission) -> QuerySet[MissionTransition]:
    return mission.transitions.select_related("by")


def missions_public_for_operators() -> QuerySet[Mission]:
    """Missions an operator can still register for."""
    return Mission.objects.filter(status__in=REGISTRATION_OPEN_STATUSES)
