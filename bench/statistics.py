"""Benchmark: the statistics page and the CTDC export at 100,000 cases (PostgreSQL).

    python bench/statistics.py [--cases N] [--requests R] [--keep]

It creates its own PostgreSQL databases (``amparo_bench_statistics`` and ``…_keys`` on
``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), seeds the demo network,
then N cases straight into the tables (coded fields only: statistics never read a
sealed value, so sealing names would only slow the seeding), with referrals on one case
in three, follow-ups on one in two, re-trafficking check-ins on closed cases, a route
with a country of exploitation on most, consent to statistics on seven in ten, a place
of identification on most and an assistance entry on one in two.

It measures, first at N/10 cases and then at N:

- the statistics page (``/statistics/`` over the whole offered period, signed in as the
  demo supervisor of both teams): median time of R requests against a floor — the same
  aggregate queries (``reports.figures.statistics``) with publication replaced by a
  pass-through, so no bands, no charts, no template, no role check, no event — timed
  alternately in the same run; and the page's query count at both sizes;
- the CTDC export (``POST /statistics/export/ctdc/``, the whole period): time to stream
  the file, and the peak of Python memory while it streams (tracemalloc), at both sizes.

Goal: page ≤ 1.5 × floor at N; the same query count at N/10 and N; CTDC peak memory at N
at most 1.5 × the peak at N/10 (flat: the rows are streamed from a server-side cursor).
Prints ``figure: value unit`` lines and ends with ``goal: met`` or ``goal: missed (…)``.
"""

from __future__ import annotations

import os
import sys

if __name__ == "statistics":
    # A script in bench/ has bench/ first on sys.path, so its ``import statistics`` finds
    # this file. Hand it the standard library's module instead (the import machinery
    # returns whatever sys.modules holds under the name once this file has run).
    _here = os.path.dirname(os.path.abspath(__file__))
    _path = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
    del sys.modules["statistics"]
    try:
        import statistics as _standard_library
    finally:
        sys.path[:] = _path
    sys.modules["statistics"] = _standard_library

import argparse
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchdb import configure, create_databases, drop_databases

NAMES = ("amparo_bench_statistics", "amparo_bench_statistics_keys")
RATIO_GOAL = 1.5
MEMORY_GOAL = 1.5
BATCH = 5000


def seed_network() -> None:
    from django.core.management import call_command

    from accounts.demo import seed_demo_network

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed_demo_network()


def copy_rows(model, rows: list) -> None:
    """Insert model instances with PostgreSQL's COPY: several times faster than
    ``bulk_create`` here, where building the parameters of a large INSERT dominates.
    Each value is prepared as the ORM would save it (``pre_save`` fills auto_now)."""
    from django.db import connection

    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([
                field.get_db_prep_save(field.pre_save(row, add=True), connection)
                for field in fields
            ])


def seed_cases(count: int, start: int, rng: random.Random) -> float:
    """``count`` more cases with coded fields, referrals, follow-ups, routes, consent."""
    from django.utils import timezone

    from accounts.models import User
    from cases import vocabularies as v
    from cases.models import Case, Consent, FollowUp, RouteStop, Survivor
    from plans import vocabularies as pv
    from plans.models import AssistanceEntry
    from referrals.models import Referral, ServiceOffering

    owners = list(User.objects.filter(username__in=["lucia", "mateo"]).order_by("username"))
    teams = {owner.pk: owner.teams.first() for owner in owners}
    organization = owners[0].organization
    offerings = list(ServiceOffering.objects.all()) or [
        ServiceOffering.objects.create(organization=organization, service_type="shelter",
                                       name="Bench shelter", city="Lima")
    ]
    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        survivors, cases, referrals, follow_ups, stops, consents = [], [], [], [], [], []
        assistance = []
        for i in range(size):
            number = start + done + i
            owner = owners[number % len(owners)]
            survivor = Survivor(
                id=uuid.uuid4(), organization=organization,
                gender=rng.choice(["female"] * 8 + ["male", "transgender"]),
                nationality=rng.choice(["VE"] * 5 + ["CO"] * 3 + ["PE", "EC", "HT", "BR"]),
                age_band=rng.choice(["13-17", "18-24", "18-24", "25-34", "25-34", "35-49",
                                     "unknown"]),
            )
            closed = rng.random() < 0.3
            opened = today - timedelta(days=rng.randint(0, 1000))
            case = Case(
                id=uuid.uuid4(), code=f"B-{number:07d}", organization=organization,
                survivor_id=survivor.id, team=teams[owner.pk], owner=owner,
                status="closed" if closed else rng.choice(["open", "follow_up"]),
                opened_on=opened,
                closed_on=opened + timedelta(days=rng.randint(30, 200)) if closed else None,
                risk_level=rng.choice(["", *v.RiskLevel.values]),
                exploitation_types=rng.sample(["sexual_prostitution", "forced_labour",
                                               "domestic_servitude", "forced_begging"],
                                              rng.randint(1, 2)),
                means_of_control=rng.sample(v.MeansOfControl.values, rng.randint(0, 4)),
                recruitment_methods=rng.sample(v.RecruitmentMethod.values, rng.randint(0, 2)),
                recruiter_relationship=rng.choice(["", *v.RecruiterRelationship.values]),
                identification_place=rng.choice(["", "PE-LMA", "PE-LMA", "PE-LMA", "PE-CAL",
                                                 *v.IdentificationPlace.values]),
            )
            survivors.append(survivor)
            cases.append(case)
            if rng.random() < 0.7:
                consents.append(Consent(
                    id=uuid.uuid4(), survivor_id=survivor.id, case_id=case.id,
                    purpose="statistics", given=True, method="verbal", given_by="survivor",
                    recorded_by=owner))
            if rng.random() < 0.8:
                stops.append(RouteStop(id=uuid.uuid4(), case_id=case.id,
                                       survivor_id=survivor.id, kind="exploitation",
                                       country=rng.choice(["PE", "PE", "EC", "CL"])))
            if number % 3 == 0:
                offering = rng.choice(offerings)
                sent = now - timedelta(days=rng.randint(0, 900))
                answered = sent + timedelta(hours=rng.randint(1, 400)) if rng.random() < 0.7 \
                    else None
                urgency = rng.choice(["emergency", "urgent", "normal"])
                hours = {"emergency": 24, "urgent": 72, "normal": 336}[urgency]
                referrals.append(Referral(
                    id=uuid.uuid4(), case_id=case.id, survivor_id=survivor.id,
                    offering=offering, provider_id=offering.organization_id, urgency=urgency,
                    state=rng.choice(["sent", "accepted", "declined", "completed"]),
                    created_by=owner, created_at=sent, sent_at=sent,
                    due_at=sent + timedelta(hours=hours), answered_at=answered,
                    outcome=rng.choice(["", "service_provided", "partly_provided"])))
            if number % 2 == 0:
                due = today - timedelta(days=rng.randint(-60, 900))
                follow_ups.append(FollowUp(
                    id=uuid.uuid4(), case_id=case.id, survivor_id=survivor.id,
                    kind="retrafficking_check_in" if closed else "check_in",
                    due_on=max(due, case.closed_on or due), assignee=owner, created_by=owner,
                    done_at=now if rng.random() < 0.6 else None,
                    outcome=rng.choice(["", "reached_safe", "reached_concern", "not_reached"])))
            if number % 2 == 1:
                assistance.append(AssistanceEntry(
                    id=uuid.uuid4(), case_id=case.id, survivor_id=survivor.id,
                    category=rng.choice(pv.Area.values),
                    started_on=opened + timedelta(days=rng.randint(0, 60)),
                    provider=organization, source=pv.AssistanceSource.RECORDED,
                    status=rng.choice(pv.AssistanceStatus.values), recorded_by=owner))
        for model, rows in ((Survivor, survivors), (Case, cases), (Consent, consents),
                            (RouteStop, stops), (Referral, referrals), (FollowUp, follow_ups),
                            (AssistanceEntry, assistance)):
            copy_rows(model, rows)
        done += size
        print(f"seeded {start + done} cases", file=sys.stderr)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def signed_in_client():
    from django.test import Client
    from django.utils import timezone

    from accounts import sessions
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="carmen"))  # supervises both teams
    session = client.session
    sessions.start(session, timezone.now())
    session.save()
    return client


def whole_period() -> dict:
    from reports.forms import offered_months

    months = offered_months()
    return {"first": months[-1].strftime("%Y-%m"), "last": months[0].strftime("%Y-%m")}


def page_queries(client) -> int:
    from django.db import connections
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    client.get("/statistics/", whole_period())  # seals the audit chain if due
    # The page alone: sealing the audit chain (a few queries once per interval, whatever
    # the page) would land in the count whenever a request outlasts the interval.
    with override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=3600), \
            CaptureQueriesContext(connections["default"]) as captured:
        response = client.get("/statistics/", whole_period())
    assert response.status_code == 200, response.status_code
    return len(captured)


def floor(user) -> None:
    """The same aggregate queries, publication replaced by a pass-through."""
    from reports import figures
    from reports.forms import ViewForm
    from reports.queries import reporting_teams, statistics_scope

    scope = statistics_scope(user, action="statistics.viewed")
    form = ViewForm(whole_period(), teams=reporting_teams(user))
    assert form.is_valid()
    real = figures.publish_table
    figures.publish_table = lambda counts, labels, *, total=None, k=None: (counts, total)
    try:
        figures.statistics(scope, form.cleaned_data["filters"])
    finally:
        figures.publish_table = real


def time_page(client, requests: int) -> tuple[float, float]:
    from accounts.models import User

    user = User.objects.get(username="carmen")
    page, bare = [], []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/statistics/", whole_period())
        page.append(time.perf_counter() - started)
        assert response.status_code == 200
        started = time.perf_counter()
        floor(user)
        bare.append(time.perf_counter() - started)
    return statistics.median(page) * 1000, statistics.median(bare) * 1000


def ctdc_export(client) -> tuple[float, float, int]:
    """Seconds, peak Python memory (MB) and rows of one streamed CTDC export."""
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post("/statistics/export/ctdc/", {**whole_period(), "team": ""})
    assert response.status_code == 200, response.status_code
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1_000_000, lines - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=9, help="timed requests per view")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    options = parser.parse_args()
    small = max(options.cases // 10, 1)

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-statistics-"))
    create_databases(NAMES)
    try:
        configure(folder, NAMES)
        seed_network()
        rng = random.Random(2026)
        seed_small = seed_cases(small, 0, rng)
        client = signed_in_client()
        queries_small = page_queries(client)
        ctdc_small = ctdc_export(client)
        seed_rest = seed_cases(options.cases - small, small, rng)
        queries_large = page_queries(client)
        ctdc_large = ctdc_export(client)
        page_ms, floor_ms = time_page(client, options.requests)
        ratio = page_ms / floor_ms
        memory_ratio = ctdc_large[1] / ctdc_small[1]

        print(f"cases: {options.cases} cases")
        print(f"seed_time: {seed_small + seed_rest:.1f} s")
        print(f"page_median: {page_ms:.1f} ms")
        print(f"floor_median: {floor_ms:.1f} ms")
        print(f"ratio: {ratio:.2f} x")
        print(f"queries_at_{small}: {queries_small} queries")
        print(f"queries_at_{options.cases}: {queries_large} queries")
        print(f"ctdc_time_at_{small}: {ctdc_small[0]:.2f} s")
        print(f"ctdc_rows_at_{small}: {ctdc_small[2]} rows")
        print(f"ctdc_peak_memory_at_{small}: {ctdc_small[1]:.2f} MB")
        print(f"ctdc_time_at_{options.cases}: {ctdc_large[0]:.2f} s")
        print(f"ctdc_rows_at_{options.cases}: {ctdc_large[2]} rows")
        print(f"ctdc_peak_memory_at_{options.cases}: {ctdc_large[1]:.2f} MB")
        print(f"ctdc_memory_ratio: {memory_ratio:.2f} x")
        missed = []
        if ratio > RATIO_GOAL:
            missed.append(f"page {ratio:.2f} x the floor > {RATIO_GOAL}")
        if queries_small != queries_large:
            missed.append(f"queries {queries_small} at {small} != {queries_large}")
        from reports.ctdc import CHUNK

        if small < 2 * CHUNK:
            # Below two chunks of the server-side cursor, memory still grows with the
            # rows of the first chunk: flatness shows only at larger sizes.
            print(f"ctdc_memory_goal: not judged ({small} cases < two chunks of {CHUNK})")
        elif memory_ratio > MEMORY_GOAL:
            missed.append(f"CTDC memory {memory_ratio:.2f} x at ten times the cases")
        print("goal: met" if not missed else f"goal: missed ({'; '.join(missed)})")
        return 0 if not missed else 1
    finally:
        if options.keep:
            print(f"databases {NAMES} kept; keys in {folder}", file=sys.stderr)
        else:
            drop_databases(NAMES)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
