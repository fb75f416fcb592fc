import zoneinfo
from datetime import datetime, time

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_has_second_factor
from accounts.services import user_make_staff, user_totp_add
from companies.models import Company, Operator, Sector
from dashboard import demo_data
from matchmaking.models import Meeting, MeetingRequest, Slot
from matchmaking.services import session_create
from missions.models import (
    Application,
    Delegate,
    Mission,
    OperatorRegistration,
    ProgrammeItem,
)

DEMO_PASSWORD = "demo-maroc-export"  # noqa: S105 - demo data only, printed on purpose
# Staff need a second factor: the demo staff's authenticator app has this secret (base32),
# printed and in the README, for any authenticator app or `oathtool --totp -b <secret>`.
DEMO_TOTP_SECRET = "MAROCEXPORTDEMOSTAFFTOTPAAAAAAAA"  # noqa: S105 - demo data only
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")


class Command(BaseCommand):
    help = (
        "Create the demo missions, firms, operators and logins. Running it twice changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        self.created = 0
        sectors = list(Sector.objects.all())
        firms = self._firms(sectors)
        staff = self._user("staff@marocexport.local", "Salma Staff", role="staff")
        for n, spec in enumerate(demo_data.MISSIONS):
            mission = self._mission(spec, {s.slug: s for s in sectors})
            self._sessions(mission, spec)
            self._applications(mission, firms[: spec["firms"]], spec, staff)
            operators = self._operators(spec, n, sectors)
            self._registrations(mission, operators, spec, staff)
        self._user(
            "owner@atlas-digital.ma",
            "Youssef Benali",
            company=firms[0],
            company_role=User.CompanyRole.OWNER,
        )
        operator_contact = self._user(
            "cio@banque-horizon.bf",
            "Aminata Ouédraogo",
            operator=Operator.objects.filter(country="BF").order_by("name").first(),
        )
        self._meetings(
            Mission.objects.get(slug="ouagadougou-2027"), firms[0], operator_contact.operator
        )

        if self.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data: {self.created} objects created."))
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email in ("staff@marocexport.local", "owner@atlas-digital.ma", "cio@banque-horizon.bf"):
            self.stdout.write(f"  {email:32} {User.objects.get(email=email).role_label}")
        self.stdout.write(
            f"Staff also give a code of their authenticator app: the demo staff's has the secret "
            f"{DEMO_TOTP_SECRET} (add it to any authenticator app, or run "
            f"`oathtool --totp -b {DEMO_TOTP_SECRET}`)."
        )

    def _count(self, created: bool) -> bool:
        self.created += int(created)
        return created

    def _mission(self, spec, sectors_by_slug) -> Mission:
        mission, new = Mission.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "city": spec["city"],
                "country": spec["country"],
                "timezone": spec["timezone"],
                "start_date": spec["start_date"],
                "end_date": spec["end_date"],
                "capacity": spec["capacity"],
                "application_deadline": datetime.combine(
                    spec["deadline"], time(23, 59), CASABLANCA
                ),
                "partners": spec["partners"],
                "description": spec["description"],
                "status": spec["status"],
            },
        )
        if self._count(new):
            mission.sectors.set([sectors_by_slug[s] for s in spec["sectors"]])
            zone = zoneinfo.ZoneInfo(spec["timezone"])
            ProgrammeItem.objects.bulk_create(
                ProgrammeItem(
                    mission=mission,
                    kind=kind,
                    title=title,
                    place=place,
                    starts_at=start.replace(tzinfo=zone),
                    ends_at=end.replace(tzinfo=zone),
                )
                for kind, title, start, end, place in demo_data.programme(spec["start_date"])
            )
        return mission

    def _sessions(self, mission, spec) -> None:
        if spec["status"] == "open" or mission.meeting_sessions.exists():
            return
        for data in demo_data.b2b_sessions(spec["start_date"]):
            session_create(mission=mission, data=data)
            self.created += 1

    def _meetings(self, mission, firm, operator) -> None:
        """A few booked meetings and requests, so that the demo accounts' agendas have content.

        Written directly (no e-mail is sent for demo data); the database constraints still hold.
        """
        if Meeting.objects.filter(mission=mission).exists():
            return
        slots = list(
            Slot.objects.filter(mission=mission).select_related("session").order_by("starts_at")
        )
        delegates = {
            a.company_id: list(a.delegates.all())
            for a in mission.applications.prefetch_related("delegates")
        }
        operators = list(
            Operator.objects.filter(
                registrations__mission=mission, registrations__status="confirmed"
            )
            .exclude(pk=operator.pk)
            .order_by("name")[:6]
        )
        pairs = [(firm, o) for o in operators[:4]]
        pairs += [
            (c, operator)
            for c in Company.objects.filter(pk__in=delegates)
            .exclude(pk=firm.pk)
            .order_by("ice")[:3]
        ]
        for i, (company, other) in enumerate(pairs):
            slot = slots[i * 2]
            Meeting.objects.create(
                mission=mission,
                company=company,
                operator=other,
                delegate=delegates[company.pk][0],
                slot=slot,
                table=slot.session.table_set.get(number=1 + i % 3),
            )
            self.created += 1
        for other in operators[4:]:
            MeetingRequest.objects.create(
                mission=mission, company=firm, operator=other, side="operator", priority=3
            )
            self.created += 1

    def _firms(self, sectors) -> list[Company]:
        total = max(spec["firms"] for spec in demo_data.MISSIONS)
        firms = []
        for i, row in enumerate(demo_data.firm_rows(total)):
            company, new = Company.objects.get_or_create(ice=row["ice"], defaults=row)
            if self._count(new):
                company.sectors.set(
                    [sectors[i % len(sectors)], sectors[(i * 7 + 3) % len(sectors)]]
                )
            firms.append(company)
        return firms

    def _applications(self, mission, firms, spec, staff) -> None:
        approved = spec["status"] != "open"
        for i, company in enumerate(firms):
            application, new = Application.objects.get_or_create(
                mission=mission,
                company=company,
                defaults={
                    "objectives": demo_data.OBJECTIVES[i % len(demo_data.OBJECTIVES)],
                    "motivation": "Développer nos ventes et trouver des partenaires locaux.",
                    "status": "approved" if approved else "submitted",
                    "decided_by": staff if approved else None,
                    "decided_at": timezone.now() if approved else None,
                },
            )
            if self._count(new):
                Delegate.objects.bulk_create(
                    Delegate(application=application, **d) for d in demo_data.delegates(i)
                )

    def _operators(self, spec, n, sectors) -> list[Operator]:
        operators = []
        for i, row in enumerate(
            demo_data.operator_rows(spec["country"], spec["operators"], seed=n)
        ):
            operator, new = Operator.objects.get_or_create(
                name=row["name"], country=row["country"], defaults=row
            )
            if self._count(new):
                operator.sectors.set([sectors[(i * 5 + n) % len(sectors)]])
            operators.append(operator)
        return operators

    def _registrations(self, mission, operators, spec, staff) -> None:
        for i, operator in enumerate(operators):
            confirmed = spec["status"] != "open" or i % 2 == 0
            _registration, new = OperatorRegistration.objects.get_or_create(
                mission=mission,
                operator=operator,
                defaults={
                    "status": "confirmed" if confirmed else "pending",
                    "decided_by": staff if confirmed else None,
                    "decided_at": timezone.now() if confirmed else None,
                },
            )
            self._count(new)

    def _user(self, email, name, role="", **organisation) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=name, **organisation
            )
            if role == "staff":
                user_make_staff(user=user)
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            self.created += 1
        if role == "staff" and not user_has_second_factor(user=user):  # a demo seeded before
            user_totp_add(user=user, secret=DEMO_TOTP_SECRET)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user
