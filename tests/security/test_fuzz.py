"""The main forms of each role, the list filters and the ids in URLs and bodies, fuzzed with
hypothesis: long, empty, unicode (right-to-left, emoji, NUL, combining marks), HTML and script
strings, wrong types. Never a 500; whatever is stored comes back escaped on the pages that show
it. Each example runs in a savepoint rolled back afterwards, over the module's world."""

from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_matrix import URLS
from .world import ROLES

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "' OR 1=1 --",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "👩🏽‍💻🇲🇦",
    "e\u0301\u0301\u0301\u0301",  # combining marks
    "\x00nul",
    "%00%0d%0aSet-Cookie: x=y",
    "",
    " ",
]
hostile = st.sampled_from(PAYLOADS)
text = st.one_of(
    hostile,
    st.builds(lambda a, b: a + b, hostile, st.text(max_size=20)),
    st.text(max_size=40),
    st.integers(200, 12_000).map(lambda n: "ش" * n),  # long
)
# Wrong types where a number, a date, a choice or an id is expected.
scalar = st.one_of(
    text,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["1.5", "-1", "0", "NaN", "1e309", "2026-02-30", "25:61", "[]", "{}"]),
)
value = st.one_of(scalar, st.lists(scalar, max_size=3))


class _Markup(HTMLParser):
    """Markup that only an unescaped value could put in a page: an inline script, an event
    handler attribute, an SVG, a javascript: link. Attribute values are parsed, not searched."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("<script>")
        # The site's own icons are SVG of the sprite (core/templatetags/icons.py, class "bi").
        if tag == "svg" and "bi" not in (attrs.get("class") or "").split():
            self.found.append("<svg>")
        self.found += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        if (attrs.get("href") or "").strip().lower().startswith("javascript:"):
            self.found.append(f"<{tag} href=javascript:...>")


def unescaped(body: str) -> list[str]:
    parser = _Markup()
    parser.feed(body)
    return parser.found


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()  # rate-limit counters and cached reads of the rolled-back example


def _checked(response):
    assert response.status_code < 500, response.status_code
    return response


def _escaped(client, *urls):
    """The pages that show what was stored hold no markup of it."""
    for url in urls:
        body = _checked(client.get(url)).content.decode()
        found = unescaped(body)
        assert not found, f"{url}: {found[:3]}"


def _url_kwargs(world, kwargs):
    return {key: world.objects.get(value, value) for key, value in kwargs.items()}


def _sector(world):
    from companies.models import Sector

    return str(Sector.objects.order_by("pk").first().pk)


# --- Visitors ---------------------------------------------------------------------------------


@FUZZ
@given(full_name=text, email=value, password=value)
def test_signup_form(world, full_name, email, password):
    with rolled_back():
        data = {
            "full_name": full_name,
            "email": email,
            "password1": password,
            "password2": password,
        }
        _checked(world.client("anonymous").post(reverse("account_signup"), data))


@FUZZ
@given(full_name=text, email=value, name=text, kind=value, country=value, city=text, needs=text)
def test_operator_signup_on_the_mission_page(
    world, full_name, email, name, kind, country, city, needs
):
    data = {
        "full_name": full_name,
        "email": email,
        "phone": "",
        "name": name,
        "kind": kind,
        "country": country,
        "city": city,
        "website": "",
        "needs": needs,
    }
    with rolled_back():
        client = world.client("anonymous")
        response = _checked(client.post(reverse("missions:meet", args=[world["open"]]), data))
        if response.status_code == 302:
            staff = world.client("staff")
            _escaped(staff, reverse("dashboard:registrations", args=[world["open"]]))


# --- Firms ------------------------------------------------------------------------------------


@FUZZ
@given(
    legal_name=text,
    trade_name=text,
    city=text,
    website=text,
    size_band=value,
    founded=scalar,
    offer=text,
    references=text,
)
def test_company_profile_form(
    world, legal_name, trade_name, city, website, size_band, founded, offer, references
):
    data = {
        "legal_name": legal_name,
        "trade_name": trade_name,
        "ice": "000000000007101",
        "city": city,
        "website": website,
        "size_band": size_band,
        "founded": founded,
        "sectors": [_sector(world)],
        "offer": offer,
        "references": references,
    }
    with rolled_back():
        client = world.client("firm")
        response = _checked(client.post(reverse("companies:edit"), data))
        if response.status_code == 302:
            _escaped(client, reverse("portal:home"), reverse("companies:edit"))
            _escaped(
                world.client("operator"), reverse("matchmaking:directory", args=[world["b2b"]])
            )


@FUZZ
@given(
    objectives=value,
    motivation=text,
    names=st.lists(text, min_size=0, max_size=3),
    roles=st.lists(text, min_size=0, max_size=3),
    total=scalar,
)
def test_application_with_delegates(world, objectives, motivation, names, roles, total):
    data = {
        "objectives": objectives,
        "motivation": motivation,
        "delegates-TOTAL_FORMS": total,
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "6",
    }
    for i, (name, role) in enumerate(zip(names, roles, strict=False)):
        data |= {f"delegates-{i}-full_name": name, f"delegates-{i}-role": role}
    with rolled_back():
        client = world.client("firm")
        url = reverse("portal:application", args=[world["application"]])
        response = _checked(client.post(url, data))
        if response.status_code == 302:
            _escaped(client, url)
            _escaped(
                world.client("staff"),
                reverse("dashboard:application", args=[world["open"], world["application"]]),
            )


@FUZZ
@given(email=value)
def test_member_invitation_form(world, email):
    with rolled_back():
        client = world.client("firm")
        response = _checked(client.post(reverse("companies:members"), {"email": email}))
        if response.status_code == 302:
            _escaped(client, reverse("companies:members"))


# --- Operators and firms in the matchmaking ---------------------------------------------------


@FUZZ
@given(priority=value, message=text)
def test_meeting_request_form(world, priority, message):
    with rolled_back():
        url = reverse("matchmaking:request", args=[world["b2b"], world["operator_y"]])
        response = _checked(
            world.client("firm").post(url, {"priority": priority, "message": message})
        )
        if response.status_code == 302:
            _escaped(
                world.client("other_operator"), reverse("matchmaking:requests", args=[world["b2b"]])
            )


@FUZZ
@given(slot=value, unavailable=st.lists(scalar, max_size=4), reason=text, action=value)
def test_ids_and_choices_in_post_bodies(world, slot, unavailable, reason, action):
    b2b = world["b2b"]
    with rolled_back():
        operator = world.client("operator")
        _checked(
            operator.post(reverse("matchmaking:book", args=[b2b, world["firm_a"]]), {"slot": slot})
        )
        _checked(
            operator.post(
                reverse("matchmaking:meeting_move", args=[b2b, world["meeting"]]), {"slot": slot}
            )
        )
        _checked(
            operator.post(
                reverse("matchmaking:availability", args=[b2b]), {"unavailable": unavailable}
            )
        )
        _checked(
            operator.post(
                reverse("matchmaking:request_action", args=[b2b, world["meeting_request"]]),
                {"action": action},
            )
        )
    with rolled_back():
        response = _checked(
            world.client("firm").post(
                reverse("matchmaking:meeting_cancel", args=[b2b, world["meeting"]]),
                {"reason": reason},
            )
        )
        if response.status_code == 302:
            _escaped(world.client("firm"), reverse("matchmaking:agenda", args=[b2b]))


@FUZZ
@given(q=text, sector=value, kind=value, country=value, city=text)
def test_directory_filters(world, q, sector, kind, country, city):
    params = {"q": q, "sector": sector, "kind": kind, "country": country, "city": city}
    url = reverse("matchmaking:directory", args=[world["b2b"]])
    for role in ("firm", "operator"):
        body = _checked(world.client(role).get(url, params)).content.decode()
        assert not unescaped(body)


@pytest.mark.parametrize("name", sorted(n for n in URLS if "pk" in URLS[n].kwargs))
def test_every_id_in_a_url_out_of_range(world, name):
    """Any number in a URL (none, past the database's integers): a 404 or a refusal, never an
    overflow. Every URL with an id, GET and POST, each role."""
    problems = []
    for pk in (0, 2**63, 10**30):
        url = reverse(name.split("[")[0], kwargs=_url_kwargs(world, URLS[name].kwargs) | {"pk": pk})
        for role in ROLES:
            for method in ("get", "post"):
                with rolled_back():
                    response = getattr(world.client(role, raise_request_exception=False), method)(
                        url
                    )
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} as {role}: {response.status_code}")
    assert not problems, "\n".join(problems)


# --- Staff ------------------------------------------------------------------------------------


@FUZZ
@given(q=text, status=value, sort=value, page=scalar)
def test_staff_list_filters(world, q, status, sort, page):
    staff, slug = world.client("staff"), world["open"]
    params = {"q": q, "status": status, "sort": sort, "page": page}
    for name in ("dashboard:applications", "dashboard:registrations", "dashboard:mission_emails"):
        body = _checked(staff.get(reverse(name, args=[slug]), params)).content.decode()
        assert not unescaped(body), name


@FUZZ
@given(
    title=text,
    city=text,
    country=value,
    timezone=value,
    start=scalar,
    end=scalar,
    description=text,
    partners=text,
    capacity=scalar,
    deadline=scalar,
)
def test_mission_form(
    world, title, city, country, timezone, start, end, description, partners, capacity, deadline
):
    data = {
        "title_fr": title,
        "slug": world["open"],
        "city_ar": city,
        "country": country,
        "timezone": timezone,
        "start_date": start,
        "end_date": end,
        "description_en": description,
        "partners": partners,
        "capacity": capacity,
        "application_deadline": deadline,
    }
    with rolled_back():
        staff = world.client("staff")
        response = _checked(
            staff.post(reverse("dashboard:mission_edit", args=[world["open"]]), data)
        )
        if response.status_code == 302:
            _escaped(staff, reverse("dashboard:mission", args=[world["open"]]))
            _escaped(
                world.client("anonymous"), reverse("missions:detail", args=[world["open"]]), "/"
            )


@FUZZ
@given(day=scalar, start=scalar, end=scalar, slot=scalar, pause=scalar, tables=scalar, place=text)
def test_session_form(world, day, start, end, slot, pause, tables, place):
    data = {
        "day": day,
        "start_time": start,
        "end_time": end,
        "slot_minutes": slot,
        "break_minutes": pause,
        "tables": tables,
        "place_fr": place,
    }
    with rolled_back():
        staff = world.client("staff")
        response = _checked(staff.post(reverse("dashboard:sessions", args=[world["b2b"]]), data))
        if response.status_code == 302:
            _escaped(staff, reverse("dashboard:sessions", args=[world["b2b"]]))


@FUZZ
@given(decision=value, note=text, selected=st.lists(scalar, max_size=3))
def test_decision_notes(world, decision, note, selected):
    open_, application = world["open"], world["application"]
    with rolled_back():
        staff = world.client("staff")
        url = reverse("dashboard:application", args=[open_, application])
        response = _checked(staff.post(url, {"decision": decision, "note": note}))
        if response.status_code == 302:
            _escaped(staff, url, reverse("dashboard:applications", args=[open_]))
            _escaped(world.client("firm"), reverse("portal:application", args=[application]))
    with rolled_back():
        _checked(
            world.client("staff").post(
                reverse("dashboard:applications", args=[open_]),
                {"decision": decision, "note": note, "selected": selected},
            )
        )


@FUZZ
@given(to_email=value)
def test_email_retry_form(world, to_email):
    with rolled_back():
        staff = world.client("staff")
        response = _checked(
            staff.post(
                reverse("dashboard:email_retry", args=[world["email"]]), {"to_email": to_email}
            )
        )
        if response.status_code in (302, 303):
            _escaped(staff, reverse("dashboard:mission_emails", args=[world["open"]]))


# --- The same forms with valid data and a script in every text: stored, shown escaped ---------

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _stored_then_shown(world, role, url, data, *pages):
    client = world.client(role)
    response = client.post(url, data)
    assert response.status_code in (302, 303), response.content.decode()[:2000]
    for viewer, page in pages:
        body = _checked(world.client(viewer).get(page)).content.decode()
        assert "&lt;script&gt;alert(" in body, page  # shown, escaped
        assert not unescaped(body), page


def test_stored_script_is_shown_escaped(world):
    b2b, open_, application = world["b2b"], world["open"], world["application"]
    with rolled_back():
        data = {
            "legal_name": SCRIPT,
            "trade_name": "",
            "ice": "000000000007101",
            "city": SCRIPT,
            "size_band": "small",
            "sectors": [_sector(world)],
            "offer": SCRIPT,
            "references": SCRIPT,
        }
        _stored_then_shown(
            world,
            "firm",
            reverse("companies:edit"),
            data,
            ("firm", reverse("portal:home")),
            ("operator", reverse("matchmaking:directory", args=[b2b])),
            ("operator", reverse("matchmaking:party", args=[b2b, world["firm_a"]])),
        )
    with rolled_back():
        data = {
            "objectives": ["clients"],
            "motivation": SCRIPT,
            "delegates-TOTAL_FORMS": "1",
            "delegates-INITIAL_FORMS": "0",
            "delegates-0-full_name": SCRIPT,
            "delegates-0-role": SCRIPT,
        }
        _stored_then_shown(
            world,
            "firm",
            reverse("portal:application", args=[application]),
            data,
            ("firm", reverse("portal:application", args=[application])),
            ("staff", reverse("dashboard:application", args=[open_, application])),
        )
    with rolled_back():
        _stored_then_shown(
            world,
            "firm",
            reverse("matchmaking:request", args=[b2b, world["operator_y"]]),
            {"priority": "2", "message": SCRIPT},
            ("other_operator", reverse("matchmaking:requests", args=[b2b])),
        )
    with rolled_back():
        _stored_then_shown(
            world,
            "staff",
            reverse("dashboard:application", args=[open_, application]),
            {"decision": "waitlisted", "note": SCRIPT},
            ("staff", reverse("dashboard:application", args=[open_, application])),
        )
    with rolled_back():
        _stored_then_shown(
            world,
            "staff",
            reverse("dashboard:programme_add", args=[open_]),
            {
                "kind": "seminar",
                "title_ar": SCRIPT,
                "starts_at": "2031-01-10T09:00",
                "ends_at": "2031-01-10T10:00",
                "place_fr": SCRIPT,
                "description_en": SCRIPT,
            },
            ("anonymous", reverse("missions:detail", args=[open_])),
        )
