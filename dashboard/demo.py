"""The demo, built as staff, firms and operators would build it: every state goes through the
product's services (missions opened, applications submitted and approved, operators imported,
requests made and answered, meetings booked, held or missed, the mission closed, feedback given
at each stage), never by writing rows directly.

The closed mission is replayed at the dates it took place (``_clock``): the services read the
time from ``django.utils.timezone.now``, so each step is checked against the rules of its day
(a booking before the slot, an outcome after it, a close after the last day, each survey when
it falls due). The messages those steps record stay in the outbox as the product records them;
none is delivered (the addresses are fictional), they are marked sent at the time they were
queued so that the e-mails pages read like a mission's history.

Everything is looked up first: a mission, firm or login already present is left as it is, so a
second run changes nothing."""

import functools
import io
import random
import time
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import MobileChannel, User
from accounts.selectors import user_has_second_factor
from accounts.services import user_make_staff, user_mobile_set, user_profile_save, user_totp_add
from companies.models import Company, Sector
from companies.services import company_create
from companies.uploads import clean_brochure, clean_logo
from feedback.services import (
    feedback_requests_send,
    feedback_schedule,
    feedback_submit,
    feedback_token,
)
from matchmaking.attendance import attendance_confirm, attendance_token, reminders_send
from matchmaking.models import Meeting, MeetingStatus, Priority, Side, Slot
from matchmaking.services import (
    MatchmakingError,
    Participant,
    meeting_book,
    meeting_outcome_set,
    request_create,
    request_respond,
    session_create,
)
from missions import services as missions
from missions.models import Application, Mission, OperatorRegistration, ProgrammeItem
from outbox import services as outbox
from outbox.models import Email, EmailStatus

from . import demo_data as data

DEMO_PASSWORD = "demo-maroc-export"  # noqa: S105 - demo data only, printed on purpose
# Staff need a second factor: the demo staff's authenticator app has this secret (base32),
# printed and in the README, for any authenticator app or `oathtool --totp -b <secret>`.
DEMO_TOTP_SECRET = "MAROCEXPORTDEMOSTAFFTOTPAAAAAAAA"  # noqa: S105 - demo data only
STAFF_EMAIL = "staff@marocexport.local"
LOGINS = [
    (STAFF_EMAIL, "the staff dashboard"),
    ("owner@atlas-digital.ma", "Atlas Digital"),
    ("cio@banque-horizon.bf", "Banque Horizon"),
]
CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
LANGUAGES = ("fr", "en", "ar")


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """The services' clock reads ``moment`` (then runs on): history replayed at its date."""
    base = time.monotonic()
    with mock.patch.object(
        timezone, "now", lambda: moment + timedelta(seconds=time.monotonic() - base)
    ):
        yield


@contextmanager
def _messages_recorded() -> Iterator[list[str]]:
    """The outbox records every message the demo's steps cause; none is handed to a worker."""
    recorded: list[str] = []
    with mock.patch.object(outbox, "_enqueue_on_commit", recorded.extend):
        yield recorded


def demo_seed() -> list[str]:
    """Build what is missing of the demo; returns what was created (empty when nothing)."""
    created: list[str] = []
    with _messages_recorded() as messages:
        staff = _staff(created)
        sectors = {s.slug: s for s in Sector.objects.all()}
        firms = _firms(sectors, created)
        for spec in data.MISSIONS:
            if not Mission.objects.filter(slug=spec["slug"]).exists():
                _mission(spec, staff=staff, firms=firms, sectors=sectors)
                created.append(spec["slug"])
        _login("cio@banque-horizon.bf")
        # Banque Horizon's CIO takes confirmations and reminders on WhatsApp (the console
        # provider of `make run` prints them), SMS if WhatsApp fails.
        user_mobile_set(
            user=User.objects.get(email="cio@banque-horizon.bf"),
            mobile="+22670123456",
            channel=MobileChannel.WHATSAPP,
            sms_fallback=True,
        )
    # Recorded, not delivered: the demo's addresses are fictional.
    Email.objects.filter(key__in=messages, status=EmailStatus.PENDING).update(
        status=EmailStatus.SENT, sent_at=F("enqueued_at")
    )
    return created


# --- People -----------------------------------------------------------------------------------


def _staff(created: list[str]) -> User:
    user = User.objects.filter(email=STAFF_EMAIL).first()
    if user is None:
        user = _user(STAFF_EMAIL, "Salma Staff")
        user_make_staff(user=user)
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
        created.append("staff")
    if not user_has_second_factor(user=user):  # a demo seeded before staff needed one
        user_totp_add(user=user, secret=DEMO_TOTP_SECRET)
    _verified(user)
    return user


@functools.cache
def _password_hash() -> str:
    """The demo password, hashed once for every demo login (hashing is slow on purpose)."""
    return make_password(DEMO_PASSWORD)


def _user(email: str, full_name: str, **fields) -> User:
    user = User.objects.create_user(email=email, password=None, full_name=full_name, **fields)
    user.password = _password_hash()
    user.save(update_fields=["password"])
    _verified(user)
    return user


def _verified(user: User) -> None:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _login(email: str) -> None:
    """The demo's operator login signs in by password as well as by e-mailed code."""
    user = User.objects.get(email=email)
    if not user.has_usable_password():
        user.password = _password_hash()
        user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, email=email).update(verified=True)


def _firms(sectors: dict, created: list[str]) -> list[Company]:
    """The Moroccan firms, each signed up by its owner with a complete profile."""
    total = max(spec["firms"] for spec in data.MISSIONS)
    firms = []
    for row in data.firm_rows(total):
        company = Company.objects.filter(ice=row["profile"]["ice"]).first()
        if company is None:
            email, name = row["owner"]
            owner = _user(email, name, language="fr")
            company = company_create(
                user=owner,
                data={
                    **row["profile"],
                    "sectors": [sectors[s] for s in row["sectors"]],
                    "logo": clean_logo(_logo(row["profile"]["trade_name"])),
                    "brochure": clean_brochure(_brochure(row["profile"])),
                },
            )
            if not created or created[-1] != "firms":
                created.append("firms")
        firms.append(company)
    return firms


def _font(size: int):
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _colour(name: str) -> tuple[int, int, int]:
    rng = random.Random(name)
    return rng.randint(20, 140), rng.randint(40, 140), rng.randint(60, 170)


def _logo(name: str) -> SimpleUploadedFile:
    """A square logo: the firm's initials on its colour, as a PNG upload."""
    image = Image.new("RGB", (400, 400), _colour(name))
    draw = ImageDraw.Draw(image)
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    draw.ellipse((40, 40, 360, 360), outline="white", width=10)
    draw.text((200, 200), initials, font=_font(150), fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def _brochure(profile: dict) -> SimpleUploadedFile:
    """A one-page A4 brochure (offer, references, web site) as a PDF upload."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1240, 260), fill=_colour(profile["trade_name"]))
    draw.text((90, 130), profile["trade_name"], font=_font(90), fill="white", anchor="lm")
    y = 360
    for heading, text in (("Notre offre", profile["offer"]), ("Références", profile["references"])):
        draw.text((90, y), heading, font=_font(52), fill="black")
        y += 90
        for line in _wrap(text, 48):
            draw.text((90, y), line, font=_font(38), fill=(40, 40, 40))
            y += 56
        y += 60
    draw.text((90, 1600), profile["website"], font=_font(38), fill=(40, 40, 40))
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=150)
    return SimpleUploadedFile("brochure.pdf", buffer.getvalue(), content_type="application/pdf")


# --- Missions ---------------------------------------------------------------------------------


def _dates(spec: dict) -> dict:
    if spec["status"] != "closed":
        return spec
    start = data.past_mission_start(timezone.now().date())
    return {
        **spec,
        "start_date": start,
        "end_date": start + timedelta(days=4),
        "deadline": start - timedelta(days=30),
    }


def _at(spec: dict, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), zoneinfo.ZoneInfo(spec["timezone"]))


def _mission(spec: dict, *, staff: User, firms: list[Company], sectors: dict) -> Mission:
    spec = _dates(spec)
    past = spec["status"] == "closed"
    # A closed mission was prepared two months before its first day; the others are now.
    prepared = _at(spec, spec["start_date"] - timedelta(days=60), 10) if past else None
    with _clock(prepared) if past else _noop():
        mission = _prepare(spec, staff=staff, sectors=sectors)
        delegation = firms[: spec["firms"]]
        _apply(mission, delegation, spec)
        if spec["status"] == "open":
            _operators_sign_up(mission, spec)
            return mission
        missions.mission_start_selection(mission=mission, by=staff)
        missions.applications_decide(
            applications=list(mission.applications.all()), decision="approved", by=staff
        )
        mission = missions.mission_start_scheduling(mission=mission, by=staff)
        operators = _operators_import(mission, spec, staff)
        if spec.get("requests"):
            _requests(mission, delegation, operators, seed=len(spec["slug"]))
    if spec["slug"] == "ouagadougou-2027":
        _first_bookings(mission, delegation, operators)
    if past:
        _history(mission, spec, staff=staff, delegation=delegation, operators=operators)
    return mission


@contextmanager
def _noop() -> Iterator[None]:
    yield


def _prepare(spec: dict, *, staff: User, sectors: dict) -> Mission:
    """Staff create the mission in three languages, its programme and B2B sessions, and open
    it for applications."""
    texts = {
        f"{field}_{language}": spec[field][language]
        for field in ("title", "city", "description")
        for language in LANGUAGES
    }
    mission = missions.mission_save(
        mission=Mission(
            slug=spec["slug"],
            country=spec["country"],
            timezone=spec["timezone"],
            start_date=spec["start_date"],
            end_date=spec["end_date"],
            capacity=spec["capacity"],
            application_deadline=datetime.combine(spec["deadline"], clock_time(23, 59), CASABLANCA),
            partners=spec["partners"],
            **texts,
        ),
        sectors=[sectors[s] for s in spec["sectors"]],
    )
    for item in data.programme(spec):
        missions.programme_item_save(
            item=ProgrammeItem(
                kind=item["kind"],
                starts_at=_at(spec, item["day"], item["start"].hour, item["start"].minute),
                ends_at=_at(spec, item["day"], item["end"].hour, item["end"].minute),
                **{
                    f"{field}_{language}": item[field][language]
                    for field in ("title", "place", "description")
                    for language in LANGUAGES
                },
            ),
            mission=mission,
        )
    if spec["status"] != "open":
        for session in data.b2b_sessions(spec):
            session_create(mission=mission, data=session)
    return missions.mission_open(mission=mission, by=staff)


def _apply(mission: Mission, firms: list[Company], spec: dict) -> None:
    """Each firm's owner applies, with objectives, motivation and delegates."""
    for i, company in enumerate(firms):
        missions.application_submit(
            mission=mission,
            company=company,
            by=company.members.order_by("pk").first(),
            objectives=data.OBJECTIVES[i % len(data.OBJECTIVES)],
            motivation=data.MOTIVATIONS[i % len(data.MOTIVATIONS)],
            delegates=data.delegates(i),
        )


def _operator_rows(spec: dict) -> list[dict]:
    count = spec["operators"]
    if spec["country"] == "SN":  # Dakar and Nouakchott: a third of them Mauritanian
        return data.operator_rows("SN", count - count // 3, seed=3) + data.operator_rows(
            "MR", count // 3, seed=4
        )
    return data.operator_rows(spec["country"], count, seed=len(spec["slug"]))


def _with_sectors(row: dict) -> dict:
    return {**row, "sectors": list(Sector.objects.filter(slug__in=row["sectors"]))}


def _operators_import(mission: Mission, spec: dict, staff: User) -> list:
    """Staff import the operators vetted by the partners: each one with its contact,
    confirmed."""
    rows = _operator_rows(spec)
    missions.operators_import(mission=mission, rows=[_with_sectors(r) for r in rows], by=staff)
    for row in rows:  # the spreadsheet has no column for them: the contacts fill their profile
        contact = User.objects.get(email=row["email"])
        contact.job_title, contact.languages = row["job_title"], row["languages"]
        user_profile_save(user=contact)
    return [
        r.operator
        for r in OperatorRegistration.objects.filter(mission=mission)
        .select_related("operator")
        .prefetch_related("operator__sectors")
        .order_by("pk")
    ]


def _operators_sign_up(mission: Mission, spec: dict) -> None:
    """A mission open for applications: operators sign up on its page and wait to be vetted."""
    for row in _operator_rows(spec):
        missions.operator_signup(
            mission=mission,
            email=row["email"],
            full_name=row["full_name"],
            phone="",
            language=row["language"],
            profile={
                k: v
                for k, v in _with_sectors(row).items()
                if k in ("name", "kind", "country", "city", "website", "needs", "sectors")
            },
            contact={"job_title": row["job_title"], "languages": row["languages"]},
        )


# --- Matchmaking ------------------------------------------------------------------------------


def _participants(mission: Mission):
    applications = {
        a.company_id: a
        for a in Application.objects.filter(mission=mission, status="approved").select_related(
            "company"
        )
    }

    def firm(company: Company) -> Participant:
        return Participant(
            mission=mission,
            side=Side.COMPANY,
            company=company,
            application=applications[company.pk],
        )

    def operator(op) -> Participant:
        return Participant(mission=mission, side=Side.OPERATOR, operator=op)

    return firm, operator


def _affinity(company: Company, operator, rng: random.Random) -> float:
    shared = {s.pk for s in company.sectors.all()} & {s.pk for s in operator.sectors.all()}
    return len(shared) + rng.random()


def _requests(mission: Mission, firms: list[Company], operators: list, *, seed: int) -> None:
    """Requests from both sides, as participants make them from the directory: each firm asks
    the operators closest to its sectors, with priorities; operators ask a few firms, some of
    them the firms that asked them (mutual wishes); some requests are answered."""
    rng = random.Random(seed)
    firm_of, operator_of = _participants(mission)
    firms = list(Company.objects.filter(pk__in=[f.pk for f in firms]).prefetch_related("sectors"))
    asked: dict[tuple[int, int], object] = {}
    for i, company in enumerate(firms):
        owner = company.members.order_by("pk").first()
        ranked = sorted(operators, key=lambda o: -_affinity(company, o, rng))
        for rank, operator in enumerate(ranked[: 7 + i % 4]):
            priority = Priority.HIGH if rank < 2 else Priority.NORMAL if rank < 5 else Priority.LOW
            asked[company.pk, operator.pk] = request_create(
                participant=firm_of(company),
                counterpart=operator,
                priority=priority,
                message=rng.choice(data.REQUEST_MESSAGES["company"]),
                by=owner,
            )
    for j, operator in enumerate(operators):
        contact = operator.contacts.order_by("pk").first()
        ranked = sorted(firms, key=lambda c: -_affinity(c, operator, rng))
        for rank, company in enumerate(ranked[: 1 + j % 3]):
            request = request_create(
                participant=operator_of(operator),
                counterpart=company,
                priority=Priority.HIGH if rank == 0 else Priority.NORMAL,
                message=rng.choice(data.REQUEST_MESSAGES["operator"]),
                by=contact,
            )
            if j % 4 == 0:  # the firm answers: most accept, a few decline
                request_respond(
                    request=request, participant=firm_of(company), accept=rank < 2 or j % 8 != 0
                )
    for (_company_id, operator_id), request in list(asked.items())[::6]:
        operator = next(o for o in operators if o.pk == operator_id)
        request_respond(request=request, participant=operator_of(operator), accept=True)


def _book(mission: Mission, pairs, by_side: str) -> list[Meeting]:
    """Book each (firm, operator) pair at the first slot both have free, as the booking page
    offers it."""
    slots = list(
        Slot.objects.filter(mission=mission, starts_at__gt=timezone.now()).order_by(
            "starts_at", "pk"
        )
    )
    meetings = []
    for n, (company, operator) in enumerate(pairs):
        by = (
            company.members.order_by("pk").first()
            if by_side == Side.COMPANY
            else operator.contacts.order_by("pk").first()
        )
        k = n % len(slots)
        for slot in slots[k:] + slots[:k]:
            try:
                meetings.append(
                    meeting_book(
                        mission=mission, company=company, operator=operator, slot=slot, by=by
                    )
                )
                break
            except MatchmakingError:
                continue
    return meetings


def _first_bookings(mission: Mission, firms: list[Company], operators: list) -> None:
    """Ouagadougou is being scheduled: Atlas Digital and Banque Horizon have booked their first
    meetings, and requests wait for an answer on both sides."""
    atlas, horizon = firms[0], operators[0]
    others = [o for o in operators if o.pk != horizon.pk]
    _book(mission, [(atlas, o) for o in others[:4]], Side.COMPANY)
    _book(mission, [(c, horizon) for c in firms[1:4]], Side.OPERATOR)
    firm_of, operator_of = _participants(mission)
    for operator in others[4:6]:
        request_create(
            participant=operator_of(operator),
            counterpart=atlas,
            priority=Priority.NORMAL,
            message=data.REQUEST_MESSAGES["operator"][0],
            by=operator.contacts.order_by("pk").first(),
        )
    for company in firms[4:6]:
        request_create(
            participant=firm_of(company),
            counterpart=horizon,
            priority=Priority.HIGH,
            message=data.REQUEST_MESSAGES["company"][0],
            by=company.members.order_by("pk").first(),
        )


def _history(
    mission: Mission, spec: dict, *, staff: User, delegation: list[Company], operators: list
) -> None:
    """The closed mission, day by day: meetings booked, the agenda published, the mission run
    with meetings held and a few no-shows, closed, then feedback at each stage."""
    rng = random.Random(7)
    start, end = spec["start_date"], spec["end_date"]
    with _clock(_at(spec, start - timedelta(days=40), 11)):
        firms = list(
            Company.objects.filter(pk__in=[f.pk for f in delegation]).prefetch_related("sectors")
        )
        pairs = []
        for company in firms:
            ranked = sorted(operators, key=lambda o: -_affinity(company, o, rng))
            pairs += [(company, o) for o in ranked[:6]]
        rng.shuffle(pairs)
        half = len(pairs) // 2
        meetings = _book(mission, pairs[:half], Side.COMPANY)
        meetings += _book(mission, pairs[half:], Side.OPERATOR)
    with _clock(_at(spec, start - timedelta(days=7), 9)):
        missions.mission_publish(mission=mission, by=staff)
    for day in data.b2b_days(spec):
        # The evening before each B2B day, the agendas leave; most readers confirm.
        with _clock(_at(spec, day - timedelta(days=1), 17, 5)):
            reminders_send()
            for meeting in Meeting.objects.filter(mission=mission, slot__session__day=day):
                for n, people in enumerate((meeting.company.members, meeting.operator.contacts)):
                    if (meeting.pk + n) % 5:
                        reader = people.order_by("pk").first()
                        attendance_confirm(attendance_token(meeting, reader.email))
        if day == data.b2b_days(spec)[0]:
            with _clock(_at(spec, start, 8)):
                missions.mission_start(mission=mission, by=staff)
    outcomes = {}
    with _clock(_at(spec, data.b2b_days(spec)[-1], 18)):
        for n, meeting in enumerate(meetings):
            status = MeetingStatus.NO_SHOW if n % 9 == 4 else MeetingStatus.HELD
            outcomes[meeting.pk] = status
            meeting_outcome_set(meeting=meeting, status=status, by=staff)
    with _clock(_at(spec, end, 18)):
        mission = missions.mission_close(mission=mission, by=staff)
    closed_at = mission.transitions.get(to_status="closed").at
    held = [m for m in meetings if outcomes[m.pk] == MeetingStatus.HELD]
    for stage, due in feedback_schedule(mission, closed_at).items():
        with _clock(due + timedelta(hours=1)):
            feedback_requests_send()
        with _clock(due + timedelta(days=2)):
            _feedback(held, stage, rng)


# Each stage's answers, as the meetings' stories go on: (outcome, share of answers).
STAGE_OUTCOMES = {
    "after": [("follow_up", 5), ("proposal", 2), ("no_interest", 3)],
    "3_months": [("follow_up", 3), ("proposal", 4), ("deal", 1), ("no_interest", 2)],
    "6_months": [("proposal", 2), ("deal", 3), ("follow_up", 2), ("no_interest", 3)],
}


def _feedback(held: list[Meeting], stage: str, rng: random.Random) -> None:
    """Readers answer through the links of their feedback e-mails: most right after the
    mission, fewer at each follow-up survey."""
    share = {"after": 0.8, "3_months": 0.6, "6_months": 0.45}[stage]
    outcomes = [o for o, weight in STAGE_OUTCOMES[stage] for _ in range(weight)]
    for meeting in held:
        for people in (meeting.company.members, meeting.operator.contacts):
            if rng.random() > share:
                continue
            reader = people.order_by("pk").first()
            outcome = rng.choice(outcomes)
            value = rng.choice([150_000, 400_000, 1_200_000]) if outcome == "deal" else None
            feedback_submit(
                token=feedback_token(meeting, reader.email, stage),
                data={
                    "rating": rng.choice([3, 4, 4, 5, 5]) if stage == "after" else "",
                    "outcome": outcome,
                    "estimated_value": value or "",
                    "comment": rng.choice(data.FEEDBACK_COMMENTS[stage]),
                },
            )
