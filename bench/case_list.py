"""Benchmark: the case list page on 100,000 cases against a floor view, in the same run.

    python bench/case_list.py [--cases N] [--requests R] [--keep]

It builds its own SQLite databases in a temporary folder (demo mode, development keys
made there too), seeds the demo network and N bulk cases (``cases.demo.
bulk_create_cases``, with follow-ups on one case in ten), and signs in the demo
supervisor, who sees them all. Then it requests, alternately so that machine noise hits
both alike:

- the real list page (``/cases/``): 50 rows, names opened through the vault, role check,
  filter form, the page's audit event and one per case shown (51 rows, one INSERT);
- a floor view: the same template and the same query (``visible_cases`` with the same
  annotations and pagination), with no decryption, no permission check and no audit.

Each figure is printed as ``figure: value unit``; the last line is ``goal: met`` or
``goal: missed (…)``. Goal: the list at most 1.5 × the floor, at most 12 queries a page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIO_GOAL = 1.5
QUERY_GOAL = 12


def configure(folder: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "AMPARO_DEMO": "1",
            "AMPARO_VAR_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "KEYS_DATABASE_URL": f"sqlite:///{folder / 'bench-keys.sqlite3'}",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(count: int) -> float:
    import logging
    import random
    from datetime import timedelta

    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone
    from tqdm import tqdm

    from accounts.demo import seed_demo_network
    from accounts.models import User
    from cases.demo import bulk_create_cases
    from cases.models import Case, FollowUp

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    seed_demo_network()
    owners = list(User.objects.filter(username__in=["lucia", "mateo"]).order_by("username"))
    logging.getLogger("amparo.vault").setLevel(logging.WARNING)  # one line per batch is noise
    started = time.perf_counter()
    with tqdm(total=count, unit="case", desc="seeding", file=sys.stderr) as bar:
        bulk_create_cases(owners=owners, count=count, batch_size=1000, progress=bar.update)
    elapsed = time.perf_counter() - started
    # Follow-ups on one case in ten, some overdue, so the "next follow-up" column works.
    rng = random.Random(1)
    today = timezone.localdate()
    rows = Case.objects.values_list("pk", "survivor_id", "owner_id")[: max(count // 10, 1)]
    with override_settings(AMPARO_DEMO=True):
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    case_id=pk,
                    survivor_id=survivor_id,
                    kind="check_in",
                    assignee_id=owner_id,
                    created_by_id=owner_id,
                    due_on=today + timedelta(days=rng.randint(-20, 40)),
                )
                for pk, survivor_id, owner_id in rows
            ],
            batch_size=1000,
        )
    return elapsed


def floor_view(request):
    """The same rows from the same query, rendered by the same template, minus the work
    the real page does for safety: no role check, no decryption, no audit event."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from cases.forms.lists import CaseFilterForm, NameSearchForm
    from cases.listing import with_next_follow_up
    from cases.queries import visible_cases
    from cases.views.lists import PAGE_SIZE

    page = Paginator(with_next_follow_up(visible_cases(request.user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for case in rows:
        case.list_name, case.name_state = "", ""
        case.do_not_contact = False
        case.follow_up_overdue = False
    return render(
        request,
        "cases/lists/case_list.html",
        {
            "filters": CaseFilterForm(teams=[], people=[]),
            "name_form": NameSearchForm(),
            "searching": False,
            "page": page,
            "rows": rows,
            "filter_query": "",
            "filtered": False,
        },
    )


def install_floor_url() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches, path

    import config.urls

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench-floor/", floor_view), *config.urls.urlpatterns]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def count_queries(client, url: str, *, with_sealing: bool = False) -> int:
    """Queries of one request. The audit chain is sealed at most once every
    AMPARO_AUDIT_SEAL_INTERVAL_SECONDS per process: ``with_sealing`` counts a request that
    seals (the few queries of sealing, paid once per interval), otherwise the page alone."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from audit.chain import sealing as chain

    if with_sealing:
        chain._last_sealing.clear()
    else:
        client.get(url)  # seals if due, so that the counted request is the page alone

    contexts = [CaptureQueriesContext(connections[alias]) for alias in ("default", "keys")]
    for context in contexts:
        context.__enter__()
    try:
        response = client.get(url)
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    assert response.status_code == 200, response.status_code
    return sum(len(context.captured_queries) for context in contexts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=25, help="timed requests per view")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-"))
    try:
        configure(folder)
        seed_seconds = seed(options.cases)
        install_floor_url()

        from django.conf import settings as django_settings
        from django.test import Client
        from django.utils import timezone

        from accounts import sessions
        from accounts.models import User

        client = Client()
        client.force_login(User.objects.get(username="carmen"))  # supervises both teams
        session = client.session
        sessions.start(session, timezone.now())  # as a real sign-in does
        session.save()
        real_url, floor_url = "/cases/", "/bench-floor/"
        for url in (real_url, floor_url, real_url, floor_url):  # warm caches and sessions
            response = client.get(url)
            assert response.status_code == 200, (
                url,
                response.status_code,
                response.get("Location"),
            )
        page = client.get(real_url)
        rows = page.content.decode().count('class="case-link"')
        queries = count_queries(client, real_url)
        sealing_queries = count_queries(client, real_url, with_sealing=True) - queries
        floor_queries = count_queries(client, floor_url)

        timings: dict[str, list[float]] = {real_url: [], floor_url: []}
        for _ in range(options.requests):
            for url in (real_url, floor_url):
                started = time.perf_counter()
                response = client.get(url)
                timings[url].append(time.perf_counter() - started)
                assert response.status_code == 200
        real = statistics.median(timings[real_url]) * 1000
        floor = statistics.median(timings[floor_url]) * 1000
        ratio = real / floor

        print(f"cases: {options.cases} cases")
        print(f"seed_time: {seed_seconds:.1f} s")
        print(f"seed_rate: {options.cases / seed_seconds:.0f} cases/s")
        print(f"rows_per_page: {rows} rows")
        print(f"list_median: {real:.1f} ms")
        print(f"floor_median: {floor:.1f} ms")
        print(f"ratio: {ratio:.2f} x")
        print(f"queries_per_page: {queries} queries")
        interval = django_settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS
        print(f"audit_sealing_queries: {sealing_queries} queries (once per {interval} s a process)")
        print(f"floor_queries_per_page: {floor_queries} queries")
        missed = []
        if ratio > RATIO_GOAL:
            missed.append(f"ratio {ratio:.2f} > {RATIO_GOAL}")
        if queries > QUERY_GOAL:
            missed.append(f"queries {queries} > {QUERY_GOAL}")
        if rows != 50 and options.cases >= 50:
            missed.append(f"rows {rows} != 50")
        print("goal: met" if not missed else f"goal: missed ({'; '.join(missed)})")
        return 0 if not missed else 1
    finally:
        if options.keep:
            print(f"databases kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
