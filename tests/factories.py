import zoneinfo
from datetime import date, datetime, time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from companies.models import Company, Operator, Sector
from matchmaking.models import Meeting, MeetingSession
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


STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the tests' authenticator app


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def staff_group(obj, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        from accounts.permissions import STAFF_GROUP

        if create:
            # A transactional test empties the tables, the data migration's group with them.
            obj.groups.add(Group.objects.get_or_create(name=STAFF_GROUP)[0])

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Staff need an authenticator app to reach their pages: they get one with the secret
        ``STAFF_TOTP_SECRET``, unless made with ``second_factor=False``."""
        from accounts.services import user_totp_add

        if create and extracted is not False:
            user_totp_add(user=obj, secret=STAFF_TOTP_SECRET)


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


class MeetingSessionFactory(factory.django.DjangoModelFactory):
    """A session with its slots and tables, generated by the service as staff would."""

    class Meta:
        model = MeetingSession

    mission = factory.SubFactory(MissionFactory, status=Mission.Status.SCHEDULING)
    day = factory.LazyAttribute(lambda o: o.mission.start_date)
    start_time = time(9, 0)
    end_time = time(12, 0)
    slot_minutes = 30
    break_minutes = 0
    tables = 3
    place = "Salle Atlas"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from matchmaking.services import session_create

        mission = kwargs.pop("mission")
        return session_create(mission=mission, data=kwargs)


def participants(mission, *, delegates=1):
    """An approved firm (with its owner) and a confirmed operator (with its contact)."""
    owner = CompanyMemberFactory()
    ApplicationFactory(
        mission=mission, company=owner.company, status="approved", delegates=delegates
    )
    contact = OperatorContactFactory()
    RegistrationFactory(mission=mission, operator=contact.operator, status="confirmed")
    return owner, contact


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from matchmaking.services import meeting_book

        session = kwargs.pop("session", None) or MeetingSessionFactory()
        owner, contact = participants(session.mission)
        return meeting_book(
            mission=session.mission,
            company=owner.company,
            operator=contact.operator,
            slot=session.slots.order_by("starts_at").first(),
            by=owner,
        )
