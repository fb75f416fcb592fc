import zoneinfo
from datetime import date, datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from companies.models import Company, Operator, Sector
from missions.models import Application, Delegate, Mission, OperatorRegistration, ProgrammeItem

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    language = "fr"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"sector-{n}")
    name_fr = factory.Sequence(lambda n: f"Secteur {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Firme {n} SARL")
    ice = factory.Sequence(lambda n: f"{n:015d}")
    city = "Casablanca"
    size_band = Company.SizeBand.SMALL


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"Opérateur {n}")
    kind = Operator.Kind.BANK
    country = "CI"
    city = "Abidjan"


class CompanyMemberFactory(UserFactory):
    company = factory.SubFactory(CompanyFactory)
    company_role = User.CompanyRole.OWNER


class OperatorContactFactory(UserFactory):
    operator = factory.SubFactory(OperatorFactory)


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def staff_group(obj, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        from accounts.permissions import STAFF_GROUP

        if create:
            obj.groups.add(Group.objects.get(name=STAFF_GROUP))


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    slug = factory.Sequence(lambda n: f"mission-{n}")
    title = factory.Sequence(lambda n: f"Mission TIC {n}")
    city = "Abidjan"
    country = "CI"
    timezone = "Africa/Abidjan"
    start_date = factory.LazyFunction(lambda: date.today() + timedelta(days=90))
    end_date = factory.LazyAttribute(lambda m: m.start_date + timedelta(days=3))
    capacity = 20
    status = Mission.Status.OPEN
    application_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem

    mission = factory.SubFactory(MissionFactory)
    kind = ProgrammeItem.Kind.SEMINAR
    title = "Séminaire d'ouverture"
    starts_at = factory.LazyAttribute(
        lambda o: datetime.combine(o.mission.start_date, datetime.min.time()).replace(
            hour=9, tzinfo=zoneinfo.ZoneInfo(o.mission.timezone)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    mission = factory.SubFactory(MissionFactory)
    company = factory.SubFactory(CompanyFactory)
    objectives = ["clients", "partners"]
    motivation = "Nous visons les banques de la région."

    @factory.post_generation
    def delegates(obj, create, extracted, **kwargs):
        if create:
            for i in range(extracted if extracted is not None else 1):
                Delegate.objects.create(application=obj, full_name=f"Délégué {i}", role="CEO")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatorRegistration

    mission = factory.SubFactory(MissionFactory)
    operator = factory.SubFactory(OperatorFactory)
