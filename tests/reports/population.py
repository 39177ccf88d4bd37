"""Cases made straight in the database for statistics tests: coded fields only.

Statistics read no sealed value, so these cases carry none (a survivor without a name
is allowed by the models); going through ``register_intake`` for hundreds of cases
would only make the tests slow.
"""

from __future__ import annotations

import uuid
from datetime import date

from cases.models import Case, Consent, RouteStop, Survivor


def add_cases(owner, count: int, *, team=None, opened_on: date, **coded) -> list[Case]:
    survivor_fields = {k: coded.pop(k) for k in ("gender", "nationality", "age_band") if k in coded}
    team = team or owner.teams.first() or owner.supervised_teams.first()
    survivors = [
        Survivor(id=uuid.uuid4(), organization_id=owner.organization_id,
                 **{"gender": "female", "nationality": "VE", "age_band": "25-34",
                    **survivor_fields})
        for _ in range(count)
    ]
    Survivor.objects.bulk_create(survivors)
    start = Case.objects.filter(organization_id=owner.organization_id).count()
    cases = [
        Case(id=uuid.uuid4(), code=f"T-{start + i:05d}", organization_id=owner.organization_id,
             survivor=s, team=team, owner=owner, opened_on=opened_on, **coded)
        for i, s in enumerate(survivors)
    ]
    return Case.objects.bulk_create(cases)


def consent_to_statistics(cases, recorded_by, *, given: bool = True) -> None:
    Consent.objects.bulk_create(
        Consent(id=uuid.uuid4(), survivor_id=c.survivor_id, case=c, purpose="statistics",
                given=given, method="verbal", given_by="survivor", recorded_by=recorded_by)
        for c in cases
    )


def exploited_in(cases, country: str) -> None:
    RouteStop.objects.bulk_create(
        RouteStop(id=uuid.uuid4(), case=c, survivor_id=c.survivor_id, kind="exploitation",
                  country=country)
        for c in cases
    )
