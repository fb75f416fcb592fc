"""A mission the size of a big trade fair, written in bulk: firms with two delegates, operators,
four B2B days and meetings placed without any clash (the database constraints are checked on
every row). Used by the load benchmarks.

    python -m bench.seed --firms 60 --operators 600 --meetings 4000 --slug bench-4000
"""

import argparse
import json
import os
from datetime import date, time, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from companies.models import Company, Operator, Sector  # noqa: E402
from matchmaking.models import Meeting  # noqa: E402
from matchmaking.services import session_create  # noqa: E402
from missions.models import Application, Delegate, Mission, OperatorRegistration  # noqa: E402

DAYS, TABLES = 4, 80


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@transaction.atomic
def seed(*, slug: str, firms: int, operators: int, meetings: int) -> dict:
    Mission.objects.filter(slug=slug).delete()
    start = date.today() + timedelta(days=60)
    mission = Mission.objects.create(
        slug=slug,
        title=f"Bench {slug}",
        city="Abidjan",
        country="CI",
        timezone="Africa/Abidjan",
        start_date=start,
        end_date=start + timedelta(days=DAYS),
        capacity=firms,
        status="scheduling",
    )
    for d in range(DAYS):
        session_create(
            mission=mission,
            data={
                "day": start + timedelta(days=d + 1),
                "start_time": time(8, 0),
                "end_time": time(16, 0),
                "slot_minutes": 30,
                "break_minutes": 0,
                "tables": TABLES,
                "place": "Hall",
            },
        )
    sectors = list(Sector.objects.all())
    password = make_password("bench-password")
    companies = Company.objects.bulk_create(
        Company(
            legal_name=f"{slug} firm {i}",
            ice=f"{abs(hash(slug)) % 10**6:06d}{i:09d}",
            city="Casablanca",
            size_band="small",
            offer="Paiement mobile et cloud souverain",
        )
        for i in range(firms)
    )
    ops = Operator.objects.bulk_create(
        Operator(
            name=f"{slug} operator {i}",
            kind=["bank", "cio", "distributor", "investor"][i % 4],
            country="CI",
            city="Abidjan",
            needs="Solutions de paiement mobile",
        )
        for i in range(operators)
    )
    for i, c in enumerate(companies):
        c.sectors.set([sectors[i % len(sectors)]])
    for i, o in enumerate(ops):
        o.sectors.set([sectors[i % len(sectors)]])
    applications = Application.objects.bulk_create(
        Application(
            mission=mission, company=c, status="approved", objectives=["clients"], motivation="-"
        )
        for c in companies
    )
    delegates = Delegate.objects.bulk_create(
        Delegate(application=a, full_name=f"Delegate {k}", role="CEO")
        for a in applications
        for k in range(2)
    )
    OperatorRegistration.objects.bulk_create(
        OperatorRegistration(mission=mission, operator=o, status="confirmed") for o in ops
    )
    members = User.objects.bulk_create(
        User(
            email=f"firm{i}@{slug}.bench",
            password=password,
            company=c,
            company_role="owner",
            full_name=f"Firm {i}",
        )
        for i, c in enumerate(companies)
    )
    contacts = User.objects.bulk_create(
        User(email=f"op{i}@{slug}.bench", password=password, operator=o, full_name=f"Contact {i}")
        for i, o in enumerate(ops)
    )

    # Place meetings greedily: each firm meets a run of operators, earliest slot where its
    # delegate, the operator and a table are free.
    slots = list(mission.slots.select_related("session").order_by("starts_at"))
    tables = {s.pk: list(s.table_set.order_by("number")) for s in mission.meeting_sessions.all()}
    delegate_of = {}
    for d in delegates:
        delegate_of.setdefault(d.application.company_id, []).append(d)
    busy_delegate, busy_operator, used_tables = set(), set(), {}
    rows = []
    per_firm = -(-meetings // firms)
    for f, company in enumerate(companies):
        placed = 0
        # Each firm starts at its own slot, so that the tables fill evenly over the days.
        offset = f * len(slots) // firms
        order = slots[offset:] + slots[:offset]
        for j in range(operators):  # the next operators in turn, until the firm has its share
            if placed == per_firm or len(rows) == meetings:
                break
            operator = ops[(f * per_firm + j) % operators]
            for slot in order:
                if (slot.pk, operator.pk) in busy_operator:
                    continue
                delegate = next(
                    (d for d in delegate_of[company.pk] if (slot.pk, d.pk) not in busy_delegate),
                    None,
                )
                taken = used_tables.setdefault(slot.pk, 0)
                if delegate is None or taken >= TABLES:
                    continue
                rows.append(
                    Meeting(
                        mission=mission,
                        company=company,
                        operator=operator,
                        delegate=delegate,
                        slot=slot,
                        table=tables[slot.session_id][taken],
                        origin="scheduled",
                    )
                )
                busy_delegate.add((slot.pk, delegate.pk))
                busy_operator.add((slot.pk, operator.pk))
                used_tables[slot.pk] += 1
                placed += 1
                break
    Meeting.objects.bulk_create(rows)
    return {
        "slug": slug,
        "meetings": len(rows),
        "firms": [c.pk for c in companies],
        "firm_sessions": [_session_cookie(u) for u in members[:20]],
        "operator_sessions": [_session_cookie(u) for u in contacts[:200]],
        "staff_sessions": [_session_cookie(u) for u in _staff(slug, 5)],
    }


def _staff(slug: str, count: int) -> list[User]:
    """Agency staff for the cockpit (the flag is what the dashboard checks)."""
    return [
        User.objects.update_or_create(
            email=f"staff{n}@{slug}.bench", defaults={"is_staff": True, "full_name": f"Staff {n}"}
        )[0]
        for n in range(count)
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--slug", default="bench-4000")
    parser.add_argument("--firms", type=int, default=60)
    parser.add_argument("--operators", type=int, default=600)
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    result = seed(
        slug=args.slug, firms=args.firms, operators=args.operators, meetings=args.meetings
    )
    # Fresh statistics, as autovacuum would gather them on a live database: without them the
    # planner guesses a handful of rows for tables written in bulk a moment ago.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(result, handle)
    print(f"{result['slug']}: {result['meetings']} meetings")
