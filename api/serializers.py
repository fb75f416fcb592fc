"""Rows to the dictionaries of ``schemas``. A field outside the token's scope is not set."""

from django.conf import settings
from django.utils import timezone

from core.languages import clean_languages


def _local(when, mission):
    return timezone.localtime(when, mission.tzinfo)


def _translations(row, *fields: str) -> dict[str, dict[str, str]]:
    return {
        f: {lang: getattr(row, f"{f}_{lang}") or "" for lang in settings.MODELTRANSLATION_LANGUAGES}
        for f in fields
    }


def programme_item(item, mission) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "starts_at_local": _local(item.starts_at, mission),
        "ends_at_local": _local(item.ends_at, mission),
        "place": item.place,
        "description": item.description,
        "translations": _translations(item, "title", "place", "description"),
    }


def mission(m) -> dict:
    return {
        "id": m.pk,
        "slug": m.slug,
        "title": m.title,
        "city": m.city,
        "country": m.country.code,
        "timezone": m.timezone,
        "start_date": m.start_date,
        "end_date": m.end_date,
        "status": m.status,
        "description": m.description,
        "partners": [line.strip() for line in m.partners.splitlines() if line.strip()],
        "capacity": m.capacity,
        "updated_at": m.updated_at,
        "programme": [programme_item(item, m) for item in m.programme.all()],
        "translations": _translations(m, "title", "city", "description"),
    }


def _contact(user) -> dict:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "role": user.job_title,
        "languages_spoken": clean_languages(user.languages),
        "other_languages": user.other_languages,
    }


def firm(application, *, contacts: bool) -> dict:
    company = application.company
    data = {
        "application_id": application.pk,
        "mission": application.mission.slug,
        "participating": application.status == "approved",
        "status": application.status,
        "id": company.pk,
        "legal_name": company.legal_name,
        "trade_name": company.trade_name,
        "ice": company.ice,
        "city": company.city,
        "website": company.website,
        "size_band": company.size_band,
        "sectors": [s.slug for s in company.sectors.all()],
        "objectives": list(application.objectives),
        "updated_at": application.changed,
    }
    if contacts:
        delegates = application.delegates.all()
        data["delegate_count"] = len(delegates)
        data["delegates"] = [
            {
                "full_name": d.full_name,
                "role": d.role,
                "languages_spoken": clean_languages(d.languages),
                "other_languages": d.other_languages,
            }
            for d in delegates
        ]
        data["contacts"] = [_contact(u) for u in company.contact_list]
    return data


def operator(registration, *, contacts: bool) -> dict:
    op = registration.operator
    data = {
        "registration_id": registration.pk,
        "mission": registration.mission.slug,
        "participating": registration.status == "confirmed",
        "status": registration.status,
        "id": op.pk,
        "name": op.name,
        "kind": op.kind,
        "country": op.country.code,
        "city": op.city,
        "website": op.website,
        "sectors": [s.slug for s in op.sectors.all()],
        "needs": op.needs,
        "updated_at": registration.changed,
    }
    if contacts:
        data["contacts"] = [_contact(u) for u in op.contact_list]
    return data


def meeting(m) -> dict:
    mission_ = m.mission
    return {
        "id": m.pk,
        "mission": mission_.slug,
        "firm_id": m.company_id,
        "operator_id": m.operator_id,
        "status": m.status,
        "origin": m.origin,
        "starts_at": m.slot.starts_at,
        "ends_at": m.slot.ends_at,
        "timezone": mission_.timezone,
        "starts_at_local": _local(m.slot.starts_at, mission_),
        "ends_at_local": _local(m.slot.ends_at, mission_),
        "table": m.table.number,
        "place": m.slot.session.place,
        "locked": m.locked,
        "firm_confirmed": m.company_confirmed_at is not None,
        "operator_confirmed": m.operator_confirmed_at is not None,
        "cancel_reason": m.cancel_reason,
        "updated_at": m.updated_at,
    }


def meeting_request(r) -> dict:
    return {
        "id": r.pk,
        "mission": r.mission.slug,
        "firm_id": r.company_id,
        "operator_id": r.operator_id,
        "asked_by": r.side,
        "priority": r.priority,
        "status": r.status,
        "created_at": r.created_at,
        "responded_at": r.responded_at,
        "updated_at": r.updated_at,
    }


def feedback(f) -> dict:
    return {
        "id": f.pk,
        "mission": f.meeting.mission.slug,
        "meeting_id": f.meeting_id,
        "side": f.side,
        "stage": f.stage,
        "rating": f.rating,
        "outcome": f.outcome,
        "estimated_value": f.estimated_value,
        "comment": f.comment,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    }


def _figures(f) -> dict:
    return {
        "planned": f.planned,
        "held": f.held,
        "no_show": f.no_show,
        "cancelled": f.cancelled,
        "confirmed": f.confirmed,
        "not_recorded": f.not_recorded,
        "deals": f.deals,
        "deal_value": f.deal_value,
        "answers": dict(f.answers),
    }


def _groups(groups) -> list[dict]:
    return [{"key": str(g.key), "label": g.label, "figures": _figures(g.figures)} for g in groups]


def report(r) -> dict:
    fb = r.feedback
    return {
        "mission": r.mission.slug,
        "generated_at": r.generated_at,
        "totals": _figures(r.totals),
        "meetings_took_place": fb.meetings,
        "answers": fb.answers,
        "average_rating": fb.average_rating,
        "deals": fb.deals,
        "deal_value": fb.deal_value,
        "stages": {
            stage: {
                "answers": s.answers,
                "outcomes": dict(s.outcomes),
                "average_rating": s.average_rating,
                "deal_value": s.deal_value,
            }
            for stage, s in fb.stages.items()
        },
        "sectors": _groups(r.sectors),
        "countries": _groups(r.countries),
    }
