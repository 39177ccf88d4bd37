"""Benchmark of the access log on PostgreSQL: ``python bench/audit.py``.

    python bench/audit.py [--verify-events N] [--search-events N] [--append-seconds S] [--keep]

It creates its own databases (``amparo_bench`` and ``amparo_bench_keys`` on
``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), drops them at the end,
seeds the demo network and one case, then measures:

- events appended per second through ``record_event`` (each its own transaction, sealed
  after commit) with 1 writer and with 8 concurrent writers, against the floor of the
  same writers inserting the same row into a copy of the table with nothing else, in
  the same run. Writers are processes, as gunicorn's workers are (threads in one process
  would share one interpreter lock and one sealing interval), and the time counts until
  every event written is sealed. Then the chain must verify;
- the slowdown of the case page caused by its audit event: the page through the test
  client, alternately with ``record_event`` replaced by a no-op in ``cases.queries`` and
  with the real one, medians in the same run;
- ``verify_audit`` speed (``audit.chain.verify_chain``) over N synthetic events
  (default 1,000,000), inserted with ``INSERT … SELECT generate_series`` and sealed
  through the bulk path (the chain computed in Python, written with COPY);
- the auditor's per-case search at M events in all (default 5,000,000), through the
  page's own query (``oversight.queries.case_trail``, one page of 50 plus the count, as the
  paginator reads it), median over 50 cases.

Goals: at least 2,000 events/s with 8 writers, and at least 60 % of the same 8 writers'
bare inserts in the same run, with the chain intact; 1,000,000 events verified in under
20 s; per-case search under 200 ms. The 8-writer figures are medians of ``--rounds``
rounds that alternate floor and audit (the share is the median of each round's own).
``--append-only`` stops after the appending part.
``BENCH_DB_NAME`` names the database pair (default ``amparo_bench``). Each figure is printed as
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
import time
from functools import partial
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB_NAME: another name for the pair, so that two runs on one server do not meet.
_NAME = os.environ.get("BENCH_DB_NAME", "amparo_bench")
DATABASES = (_NAME, f"{_NAME}_keys")
WRITERS = 8
WRITE_GOAL = 2000.0
# Issue 15 item 5: 8 writers through record_event at 60 % of the same writers' bare insert.
FLOOR_SHARE_GOAL = 0.60
VERIFY_GOAL_SECONDS = 20.0
SEARCH_GOAL_MS = 200.0
CASE_CODES = 20_000


# The bench's own databases (bench/benchdb.py), made at the start and dropped at the end.
admin = benchdb.admin
create_databases = partial(benchdb.create_databases, DATABASES)
drop_databases = partial(benchdb.drop_databases, DATABASES)
configure = partial(benchdb.configure, names=DATABASES)


def seed():
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

FLOOR_TABLE = "bench_floor_event"
FLOOR_INSERT = f"""
    INSERT INTO {FLOOR_TABLE} (occurred_at, actor_id, actor_username, actor_role,
        organization_id, action, target_type, target_id, case_code, purpose, outcome,
        request_id, source_address)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
# Every value a parameter, as record_event sends them: the driver's work of binding 13
# values is the floor's too (with literals in the statement it was not, and the floor
# measured a cheaper statement than the row it stands for).


def create_floor_table() -> None:
    """The floor: the same row into a copy of the events table (same columns, defaults,
    indexes and foreign keys; no triggers, no seals), one transaction per row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE audit_accessevent INCLUDING ALL)")
        # LIKE leaves foreign keys behind; their checks lock the user's and the
        # organisation's rows on every insert, which the events pay too.
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'audit_accessevent'::regclass AND contype = 'f'"
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {FLOOR_TABLE} ADD {definition}")


def _writer(kind: str, number: int, seconds: float, actor_id: int, start, counts) -> None:
    """One writer process: ``record_event`` (``kind`` "audit") or the floor's bare insert,
    each in its own transaction, for ``seconds``."""
    from django.db import connection, connections
    from django.utils import timezone

    from accounts.models import User
    from audit.models import Action
    from audit.services import record_event

    actor = User.objects.get(pk=actor_id)
    written = 0
    try:
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if kind == "audit":
                record_event(
                    action=Action.CASE_VIEWED,
                    actor=actor,
                    target_type="case",
                    target_id=f"{number}-{written}",
                    case_code="AMP-BENCH",
                )
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        FLOOR_INSERT,
                        [
                            timezone.now(),
                            actor.pk,
                            actor.username,
                            actor.role,
                            actor.organization_id,
                            "case.viewed",
                            "case",
                            f"{number}-{written}",
                            "AMP-BENCH",
                            "",
                            "allowed",
                            "",
                            None,
                        ],
                    )
            written += 1
    finally:
        counts[number] = written
        connections.close_all()


def append_rate(kind: str, writers: int, seconds: float, actors: list) -> tuple[float, int, float]:
    """Events per second of ``writers`` processes writing for ``seconds``, as gunicorn's
    workers would (processes, not threads: each has its own interpreter, its own
    connection and its own sealing interval). For ``audit``, the time counts until every
    event written is sealed: the writers' own sealings during the run, and at the end the
    sealing of what the last interval left (which the next request would do). Returns
    (rate, events left for that last sealing, its milliseconds)."""
    import multiprocessing

    from django.db import connections

    from audit.chain import seal_pending
    from audit.models import AccessEvent, EventSeal

    connections.close_all()  # no connection crosses the fork
    context = multiprocessing.get_context("fork")
    start = context.Barrier(writers + 1)
    counts = context.Array("q", writers)
    processes = [
        context.Process(
            target=_writer,
            args=(kind, n, seconds, actors[n % len(actors)].pk, start, counts),
        )
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    writing = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise RuntimeError(f"a {kind} writer failed")
    waiting, sealing = 0, 0.0
    if kind == "audit":
        waiting = AccessEvent.objects.count() - EventSeal.objects.count()
        started = time.perf_counter()
        seal_pending(limit=10**9)
        sealing = time.perf_counter() - started
    return sum(counts) / (writing + sealing), waiting, sealing * 1000


# --- the case page ------------------------------------------------------------------


def case_page_timings(owner, case, requests: int) -> tuple[float, float]:
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


def insert_synthetic(
    count: int, organization_id: int, actor_ids: list[int], *, after: int = 0
) -> float:
    """``count`` events numbered ``after`` + 1 on (each number its own target, time and
    request; case codes cycle through CASE_CODES)."""
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
                    "first": after + done + 1,
                    "last": after + done + size,
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


def search_ms(auditor, generated: int, samples: int) -> float:
    """Median milliseconds of the per-case page's query: the trail of one case code,
    counted and its first page of 50 read, as the view's paginator does."""
    from django.core.paginator import Paginator

    from oversight import queries

    rng = random.Random(6)
    timings = []
    for _ in range(samples):
        code = f"AMP-{rng.randint(1, generated) % CASE_CODES:06d}"
        started = time.perf_counter()
        page = Paginator(queries.case_trail(auditor, code), 50).get_page(1)
        rows = list(page.object_list)
        timings.append(time.perf_counter() - started)
        assert rows and page.paginator.count >= len(rows), code
    return statistics.median(timings) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verify-events", type=int, default=1_000_000)
    parser.add_argument("--search-events", type=int, default=5_000_000)
    parser.add_argument(
        "--append-seconds",
        type=float,
        default=6.0,
        help="length of each 8-writer append run (the 1-writer runs take half)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating floor and audit runs of 8 writers"
    )
    parser.add_argument("--requests", type=int, default=100, help="case pages per variant")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--append-only", action="store_true", help="measure appending only (no bulk parts)"
    )
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-audit-"))
    create_databases()
    try:
        configure(folder)
        owner, case = seed()
        from django.conf import settings

        from audit.chain import verify_chain
        from audit.models import AccessEvent

        missed = []
        interval = settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS
        print(f"seal_interval: {interval} s (each writer process seals at most this often)")
        create_floor_table()
        from accounts.models import User

        # The writers are the people of one organisation (several requests each).
        actors = list(User.objects.filter(organization_id=owner.organization_id).order_by("pk"))
        seconds = options.append_seconds
        floor_1, _, _ = append_rate("floor", 1, seconds / 2, actors)
        single, _, _ = append_rate("audit", 1, seconds / 2, actors)
        print(f"append_1_writer_floor: {floor_1:.0f} events/s")
        print(f"append_1_writer: {single:.0f} events/s")
        # Rounds that alternate floor and audit, and the median of each round's own share:
        # the disk's flushes, which bound both, swing with whatever else the machine does,
        # and one round's luck no longer sets the figure.
        floors, audits, lefts, sealings = [], [], [], []
        for _ in range(options.rounds):
            floors.append(append_rate("floor", WRITERS, seconds, actors)[0])
            rate, waiting, last_sealing = append_rate("audit", WRITERS, seconds, actors)
            audits.append(rate)
            lefts.append(waiting)
            sealings.append(last_sealing)
        floor_n, concurrent = statistics.median(floors), statistics.median(audits)
        share = statistics.median(a / f for a, f in zip(audits, floors, strict=True))
        print(f"append_rounds: {options.rounds} rounds of {seconds:g} s each")
        print(f"append_{WRITERS}_writers_floor: {floor_n:.0f} events/s")
        print(f"append_{WRITERS}_writers: {concurrent:.0f} events/s")
        print(f"append_{WRITERS}_writers_of_floor: {100 * share:.0f} %")
        # Each process seals at most once per AMPARO_AUDIT_SEAL_INTERVAL_SECONDS; what the
        # last interval left is sealed at the end, inside the measured time.
        print(f"events_left_for_last_sealing: {statistics.median(lefts):.0f} events")
        print(f"last_sealing: {statistics.median(sealings):.0f} ms")
        check = verify_chain()
        intact = check.problem is None and check.pending == 0
        print(f"chain_after_writers: {'intact' if intact else 'BROKEN'} ({check.count} events)")
        if concurrent < WRITE_GOAL:
            missed.append(f"{concurrent:.0f} events/s < {WRITE_GOAL:.0f} with 8 writers")
        if share < FLOOR_SHARE_GOAL:
            missed.append(
                f"8 writers at {100 * share:.0f} % of the floor < {100 * FLOOR_SHARE_GOAL:.0f} %"
            )
        if not intact:
            missed.append(f"chain not intact: {check.problem}")
        if options.append_only:
            print(
                "goal: met (appending only)"
                if not missed
                else f"goal: missed ({'; '.join(missed)})"
            )
            return 0 if not missed else 1

        with_event, without_event = case_page_timings(owner, case, options.requests)
        print(f"case_page_with_event: {with_event:.1f} ms")
        print(f"case_page_without_event: {without_event:.1f} ms")
        print(f"case_page_event_cost: {with_event - without_event:.1f} ms")
        print(f"case_page_slowdown: {100 * (with_event / without_event - 1):.1f} %")

        organization_id = owner.organization_id
        actor_ids = list(User.objects.values_list("pk", flat=True))
        present = AccessEvent.objects.count()
        generated = max(options.verify_events - present, 0)
        insert_seconds = insert_synthetic(generated, organization_id, actor_ids)
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
        more = max(options.search_events - present, 0)
        insert_synthetic(more, organization_id, actor_ids, after=generated)
        generated += more
        total = AccessEvent.objects.count()
        search = search_ms(User.objects.get(username="raul"), max(generated, 1), 50)
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
