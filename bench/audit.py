"""Benchmark of the access log on PostgreSQL: ``python bench/audit.py``.

    python bench/audit.py [--verify-events N] [--search-events N] [--writes N] [--keep]

It creates its own databases (``amparo_bench`` and ``amparo_bench_keys`` on
``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), drops them at the end,
seeds the demo network and one case, then measures:

- events appended per second through ``record_event`` (each its own transaction, sealed
  after commit) with 1 writer and with 8 concurrent writers (threads, each with its own
  connection), and checks that the chain is intact afterwards;
- the slowdown of the case page caused by its audit event: the page through the test
  client, alternately with ``record_event`` replaced by a no-op in ``cases.queries`` and
  with the real one, medians in the same run;
- ``verify_audit`` speed (``audit.chain.verify_chain``) over N synthetic events
  (default 1,000,000), inserted with ``INSERT … SELECT generate_series`` and sealed
  through the bulk path (the chain computed in Python, written with COPY);
- the auditor's per-case search at M events in all (default 5,000,000): events of one
  organisation and case code, newest first, first page of 50 plus the count, median over
  50 cases.

Goals: at least 2,000 events/s with 8 writers and the chain intact; 1,000,000 events
verified in under 20 s; per-case search under 200 ms. Each figure is printed as
``figure: value unit``; the last line is ``goal: met`` or ``goal: missed (…)``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASES = ("amparo_bench", "amparo_bench_keys")
WRITERS = 8
WRITE_GOAL = 2000.0
VERIFY_GOAL_SECONDS = 20.0
SEARCH_GOAL_MS = 200.0
CASE_CODES = 20_000


def admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def create_databases() -> None:
    for name in DATABASES:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin(f"CREATE DATABASE {name}")


def drop_databases() -> None:
    from django.db import connections

    connections.close_all()
    for name in DATABASES:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def configure(folder: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "AMPARO_DEMO": "1",
            "AMPARO_VAR_DIR": str(folder),
            "DATABASE_URL": f"{SERVER}/{DATABASES[0]}",
            "KEYS_DATABASE_URL": f"{SERVER}/{DATABASES[1]}",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed():  # noqa: ANN201
    from django.core.management import call_command

    from accounts.demo import seed_demo_network
    from accounts.models import User
    from cases.demo import bulk_create_cases
    from cases.models import Case

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed_demo_network()
    owner = User.objects.get(username="lucia")
    bulk_create_cases(owners=[owner], count=1, batch_size=1)
    return owner, Case.objects.filter(owner=owner).first()


# --- appending ----------------------------------------------------------------------


def append_rate(writers: int, total: int, actor) -> float:  # noqa: ANN001
    from django.db import connections

    from audit.models import Action
    from audit.services import record_event

    each = total // writers
    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for index in range(each):
                record_event(
                    action=Action.CASE_VIEWED,
                    actor=actor,
                    target_type="case",
                    target_id=f"{number}-{index}",
                    case_code="AMP-BENCH",
                )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return each * writers / elapsed


# --- the case page ------------------------------------------------------------------


def case_page_timings(owner, case, requests: int) -> tuple[float, float]:  # noqa: ANN001
    from unittest import mock

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    import cases.queries
    from accounts import sessions

    client = Client()
    client.force_login(owner)
    session = client.session
    sessions.start(session, timezone.now())
    session.save()
    url = reverse("cases:case_detail", args=[case.pk])
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
    with_event, without_event = [], []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        with_event.append(time.perf_counter() - started)
        with mock.patch.object(cases.queries, "record_event", lambda **kwargs: None):
            started = time.perf_counter()
            client.get(url)
            without_event.append(time.perf_counter() - started)
    return statistics.median(with_event) * 1000, statistics.median(without_event) * 1000


# --- bulk events --------------------------------------------------------------------


def insert_synthetic(count: int, organization_id: int, actor_ids: list[int]) -> float:
    from django.db import connection

    started = time.perf_counter()
    step = 500_000
    with connection.cursor() as cursor:
        done = 0
        while done < count:
            size = min(step, count - done)
            cursor.execute(
                """
                INSERT INTO audit_accessevent (occurred_at, actor_id, actor_username,
                    actor_role, organization_id, action, target_type, target_id, case_code,
                    purpose, outcome, request_id, source_address)
                SELECT now() - make_interval(secs => (g * 37) %% 31536000),
                       (%(actors)s::bigint[])[1 + g %% %(n_actors)s],
                       'bench' || (g %% %(n_actors)s), 'caseworker', %(org)s,
                       (ARRAY['case.viewed','note.added','case.updated','login.succeeded'])
                           [1 + g %% 4],
                       'case', md5(g::text), 'AMP-' || lpad((g %% %(codes)s)::text, 6, '0'),
                       '', CASE WHEN g %% 50 = 0 THEN 'denied' ELSE 'allowed' END,
                       substr(md5((g * 7)::text), 1, 16), ('192.0.2.' || (g %% 250))::inet
                FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {
                    "actors": actor_ids,
                    "n_actors": len(actor_ids),
                    "org": organization_id,
                    "codes": CASE_CODES,
                    "first": done + 1,
                    "last": done + size,
                },
            )
            done += size
            print(f"  inserted {done} events", file=sys.stderr)
        cursor.execute("ANALYZE audit_accessevent")
    return time.perf_counter() - started


def bulk_seal() -> tuple[int, float]:
    """Seal everything unsealed with the chain module, written with COPY (the bulk path
    for imports; requests use seal_pending)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.chain import EVENT_FIELDS, chain_head, chain_seals
    from audit.models import AccessEvent, EventSeal

    started = time.perf_counter()
    sealed = 0
    newest = EventSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first()
    after = newest or 0
    now = timezone.now().isoformat()
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x414D5041])
            rows = list(
                AccessEvent.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list(*EVENT_FIELDS)[:100_000]
            )
            if not rows:
                break
            head_sequence, head_hash = chain_head()
            raw = connection.connection.cursor()
            with raw.copy(
                "COPY audit_eventseal (sequence, event_id, prev_hash, hash, sealed_at) FROM STDIN"
            ) as copy:
                for seal in chain_seals(rows, head_sequence=head_sequence, head_hash=head_hash):
                    copy.write_row((*seal, now))
        sealed += len(rows)
        after = rows[-1][0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_eventseal")
    return sealed, time.perf_counter() - started


def search_ms(organization_id: int, samples: int) -> float:
    from audit.models import AccessEvent

    rng = random.Random(6)
    timings = []
    for _ in range(samples):
        code = f"AMP-{rng.randrange(CASE_CODES):06d}"
        started = time.perf_counter()
        found = AccessEvent.objects.filter(
            organization_id=organization_id, case_code=code
        ).order_by("-occurred_at", "-id")
        page = list(found[:50])
        total = found.count()
        timings.append(time.perf_counter() - started)
        assert page and total >= len(page)
    return statistics.median(timings) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verify-events", type=int, default=1_000_000)
    parser.add_argument("--search-events", type=int, default=5_000_000)
    parser.add_argument("--writes", type=int, default=4000, help="events per append run")
    parser.add_argument("--requests", type=int, default=100, help="case pages per variant")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-audit-"))
    create_databases()
    try:
        configure(folder)
        owner, case = seed()
        from audit.chain import verify_chain
        from audit.models import AccessEvent

        missed = []
        single = append_rate(1, options.writes // 4, owner)
        print(f"append_1_writer: {single:.0f} events/s")
        concurrent = append_rate(WRITERS, options.writes, owner)
        print(f"append_{WRITERS}_writers: {concurrent:.0f} events/s")
        # Writers seal at most once per AMPARO_AUDIT_SEAL_INTERVAL_SECONDS; the events of the
        # last interval wait for the next sealing, which any later request would do.
        waiting = verify_chain().pending
        print(f"events_waiting_for_next_sealing: {waiting} events")
        from audit.chain import seal_pending

        seal_pending()
        check = verify_chain()
        intact = check.problem is None and check.pending == 0
        print(f"chain_after_writers: {'intact' if intact else 'BROKEN'} ({check.count} events)")
        if concurrent < WRITE_GOAL:
            missed.append(f"{concurrent:.0f} events/s < {WRITE_GOAL:.0f} with 8 writers")
        if not intact:
            missed.append(f"chain not intact: {check.problem}")

        with_event, without_event = case_page_timings(owner, case, options.requests)
        print(f"case_page_with_event: {with_event:.1f} ms")
        print(f"case_page_without_event: {without_event:.1f} ms")
        print(f"case_page_event_cost: {with_event - without_event:.1f} ms")
        print(f"case_page_slowdown: {100 * (with_event / without_event - 1):.1f} %")

        organization_id = owner.organization_id
        from accounts.models import User

        actor_ids = list(User.objects.values_list("pk", flat=True))
        present = AccessEvent.objects.count()
        insert_seconds = insert_synthetic(
            max(options.verify_events - present, 0), organization_id, actor_ids
        )
        sealed, seal_seconds = bulk_seal()
        inserted = max(options.verify_events - present, 1)
        print(f"bulk_insert_rate: {inserted / insert_seconds:.0f} events/s")
        print(f"bulk_seal_rate: {sealed / seal_seconds:.0f} events/s")
        started = time.perf_counter()
        result = verify_chain()
        verify_seconds = time.perf_counter() - started
        print(f"verify_events: {result.count} events")
        print(f"verify_time: {verify_seconds:.1f} s")
        print(f"verify_rate: {result.count / verify_seconds:.0f} events/s")
        if result.problem is not None:
            missed.append(f"verification failed: {result.problem.message}")
        per_million = verify_seconds * 1_000_000 / max(result.count, 1)
        if per_million >= VERIFY_GOAL_SECONDS:
            missed.append(f"verification {per_million:.1f} s per 1,000,000 events")

        present = AccessEvent.objects.count()
        insert_synthetic(max(options.search_events - present, 0), organization_id, actor_ids)
        total = AccessEvent.objects.count()
        search = search_ms(organization_id, 50)
        print(f"search_events: {total} events")
        print(f"per_case_search: {search:.1f} ms")
        if search >= SEARCH_GOAL_MS:
            missed.append(f"per-case search {search:.0f} ms")
        if options.search_events < 5_000_000 or options.verify_events < 1_000_000:
            missed.append("smaller than the goals' sizes")
        print("goal: met" if not missed else f"goal: missed ({'; '.join(missed)})")
        return 0 if not missed else 1
    finally:
        if options.keep:
            print(f"databases {', '.join(DATABASES)} kept; files in {folder}", file=sys.stderr)
        else:
            drop_databases()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
