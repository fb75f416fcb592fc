import zoneinfo
from datetime import datetime, time

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_make_staff
from companies.models import Company, Operator, Sector
from core import demo_data
from missions.models import Mission, ProgrammeItem

DEMO_PASSWORD = "demo-maroc-export"  # noqa: S105 - demo data only, printed on purpose


class Command(BaseCommand):
    help = (
        "Create the demo missions, firms, operators and logins. Running it twice changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        sectors = {s.slug: s for s in Sector.objects.all()}

        for spec in demo_data.MISSIONS:
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
                        spec["deadline"], time(23, 59), zoneinfo.ZoneInfo("Africa/Casablanca")
                    ),
                    "partners": spec["partners"],
                    "description": spec["description"],
                    "status": Mission.Status.OPEN,
                },
            )
            if new:
                mission.sectors.set([sectors[s] for s in spec["sectors"]])
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
                created.append(f"mission {mission.slug}")

        firm_total = max(spec["firms"] for spec in demo_data.MISSIONS)
        sector_list = list(sectors.values())
        for i, row in enumerate(demo_data.firm_rows(firm_total)):
            company, new = Company.objects.get_or_create(ice=row["ice"], defaults=row)
            if new:
                created.append(f"company {company.ice}")
                company.sectors.set(
                    [sector_list[i % len(sector_list)], sector_list[(i * 7 + 3) % len(sector_list)]]
                )
        for n, spec in enumerate(demo_data.MISSIONS):
            for i, row in enumerate(
                demo_data.operator_rows(spec["country"], spec["operators"], seed=n)
            ):
                operator, new = Operator.objects.get_or_create(
                    name=row["name"], country=row["country"], defaults=row
                )
                if new:
                    created.append(f"operator {operator.name}")
                    operator.sectors.set([sector_list[(i * 5 + n) % len(sector_list)]])

        logins = [
            ("staff@marocexport.local", "Salma Staff", {}),
            (
                "owner@atlas-digital.ma",
                "Youssef Benali",
                {
                    "company": Company.objects.order_by("ice").first(),
                    "company_role": User.CompanyRole.OWNER,
                },
            ),
            (
                "cio@banque-horizon.bf",
                "Aminata Ouédraogo",
                {"operator": Operator.objects.filter(country="BF").order_by("name").first()},
            ),
        ]
        for email, name, extra in logins:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, full_name=name, **extra
                )
                if email.startswith("staff@"):
                    user_make_staff(user=user)
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
                created.append(f"user {email}")
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(created)} new objects"
                if created
                else "Demo data already present: nothing changed."
            )
        )
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, _extra in logins:
            role = User.objects.get(email=email).role_label
            self.stdout.write(f"  {email:32} {role}")
