"""Benchmark: the case list page at 100,000 or 500,000 cases against a floor, in the same run.

    python bench/case_list.py [--database sqlite|postgres] [--cases N] [--sealed S]
                              [--requests R] [--keep]

It builds its own databases (SQLite in a temporary folder, or ``amparo_bench_cases`` and
``amparo_bench_cases_keys`` on PostgreSQL, dropped at the end), in demo mode with
development keys made there too. Seeding: the demo network, then S cases with sealed
names through ``cases.demo.bulk_create_cases`` (one data key per survivor, as a real
intake makes), then the remaining N - S cases copied from those by one INSERT … SELECT in
the database (new ids, codes and opening dates; each copied case belongs to one of the S
survivors, as a survivor's later cases do). Follow-ups on one case in ten. The demo
supervisor, who sees every case through her two teams, signs in. Then it requests,
alternately so that machine noise hits all alike:

- the real list page (``/cases/``): 50 rows, keyset page, capped count, names opened
  through the vault, role check, filter form, the page's audit event and one per case
  shown (one INSERT);
- the same page filtered (status "open", risk "high") and its second page (a cursor);
- the search by exact name (POSTed to the same page) for one seeded survivor's name,
  which finds her cases (a copied case belongs to one of the sealed survivors);
- a floor view: the same template showing 50 rows read from one index that matches the
  list's filter and order (one team's cases, newest first), with no count, no
  decryption, no permission check and no audit.

Each figure is printed as ``figure: value unit``; the last line is ``goal: met`` or
``goal: missed (…)``. Goal (issue 15, item 4): median ≤ 300 ms a page at 100,000 cases,
≤ 3 × the floor at 500,000 on PostgreSQL (both checked at every size), at most 12
queries a page, filtered, turned and searched pages alike.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

ROOT = Path(__file__).resolve().parent.parent
RATIO_GOAL = 3.0
MEDIAN_GOAL_MS = 300.0
QUERY_GOAL = 12
PG_DATABASES = ("amparo_bench_cases", "amparo_bench_cases_keys")


def configure(folder: Path, *, postgres: bool) -> None:
    """Django on the bench's own databases. SQLite runs as the demo; the demo refuses
    PostgreSQL (config/guards.py), so PostgreSQL runs in development mode (DEBUG=1: its
    development keys, and query logging that the floor pays alike). Seeding switches the
    demo on for itself (``cases.demo`` refuses otherwise)."""
    if postgres:
        os.environ.update(
            {
                "DEBUG": "1",
                "DATABASE_URL": f"{benchdb.SERVER}/{PG_DATABASES[0]}",
                "KEYS_DATABASE_URL": f"{benchdb.SERVER}/{PG_DATABASES[1]}",
            }
        )
        os.environ.pop("AMPARO_DEMO", None)
    else:
        os.environ.update(
            {
                "AMPARO_DEMO": "1",
                "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                "KEYS_DATABASE_URL": f"sqlite:///{folder / 'bench-keys.sqlite3'}",
            }
        )
        os.environ.pop("DEBUG", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "AMPARO_VAR_DIR": str(folder),
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(count: int, sealed: int) -> tuple[float, float]:
    from django.core.management import call_command

    from accounts.demo import seed_demo_network
    from accounts.models import User

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    seed_demo_network()
    owners = list(User.objects.filter(username__in=["lucia", "mateo"]).order_by("username"))
    return benchdb.seed_cases(owners, count, sealed)


def floor_view(request):
    """50 rows read from one index that matches the list's filter and order (one of her
    teams, newest first), rendered by the same template, minus the work the real page
    does: no count, no role check, no decryption, no audit event."""
    from django.shortcuts import render

    from cases.forms.lists import CaseFilterForm, NameSearchForm
    from cases.listing import NEWEST_FIRST, PAGE_SIZE, CasePage, with_next_follow_up
    from cases.models import Case

    team = request.user.supervised_teams.order_by("pk").first()
    rows = list(
        with_next_follow_up(Case.objects.filter(team=team)).order_by(*NEWEST_FIRST)[:PAGE_SIZE]
    )
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
            "page": CasePage(rows=rows, count=len(rows), count_is_capped=False),
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


def fetch(client, url: str, data: dict | None = None):
    """GET the page, or POST ``data`` to it (the search by name is a POST)."""
    return client.get(url) if data is None else client.post(url, data)


def searched_name() -> str:
    """The full name of the first survivor, opened as the bench's own setup (not a page)."""
    from cases.models import Survivor
    from vault import services as vault
    from vault.scope import key_scope

    survivor = Survivor.objects.order_by("created_at", "pk").first()
    with key_scope():
        parts = (vault.unseal(survivor, "given_names"), vault.unseal(survivor, "family_names"))
    return " ".join(part for part in parts if part)


def count_queries(client, url: str, *, data: dict | None = None, with_sealing: bool = False) -> int:
    """Queries of one request. The audit chain is sealed at most once every
    AMPARO_AUDIT_SEAL_INTERVAL_SECONDS per process: ``with_sealing`` counts a request that
    seals (the few queries of sealing, paid once per interval), otherwise the page alone."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from audit.chain import sealing as chain

    if with_sealing:
        chain._last_sealing.clear()
    else:
        fetch(client, url, data)  # seals if due
        # ... and none falls due during the counted request, which is the page alone.
        chain._last_sealing.update(dict.fromkeys(chain._last_sealing, time.monotonic()))

    contexts = [CaptureQueriesContext(connections[alias]) for alias in ("default", "keys")]
    for context in contexts:
        context.__enter__()
    try:
        response = fetch(client, url, data)
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    assert response.status_code == 200, response.status_code
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for context in contexts:
            for query in context.captured_queries:
                print("  query:", query["sql"][:150], file=sys.stderr)
    return sum(len(context.captured_queries) for context in contexts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--sealed", type=int, default=10_000,
                        help="cases seeded with sealed names; the rest are copies")
    parser.add_argument("--requests", type=int, default=25, help="timed requests per view")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-"))
    postgres = options.database == "postgres"
    try:
        if postgres:
            benchdb.create_databases(PG_DATABASES)
        configure(folder, postgres=postgres)
        from django.test import override_settings

        with override_settings(AMPARO_DEMO=True):
            sealed_seconds, copy_seconds = seed(options.cases, options.sealed)
        install_floor_url()

        from django.conf import settings as django_settings
        from django.test import Client
        from django.utils import timezone
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts import sessions
        from accounts.models import User

        carmen = User.objects.get(username="carmen")  # supervises both teams
        device = TOTPDevice.objects.create(user=carmen, name="bench", confirmed=True)
        client = Client(SERVER_NAME="localhost")
        client.force_login(carmen)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # both factors passed
        sessions.start(session, timezone.now())  # as a real sign-in does
        session.save()
        real_url, floor_url = "/cases/", "/bench-floor/"
        filtered_url = "/cases/?status=open&risk=high"
        for url in (real_url, floor_url, real_url):  # warm caches and sessions
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        first = client.get(real_url).content.decode()
        next_url = "/cases/" + html.unescape(re.search(r'href="(\?[^"]*)" rel="next"', first)[1])
        urls = {"list": real_url, "next_page": next_url, "filtered": filtered_url,
                "search": real_url, "floor": floor_url}
        # The search by exact name (a POST, the name never in a URL): one survivor's name.
        posted = {"search": {"full_name": searched_name()}}
        for name, url in (*urls.items(), *urls.items()):  # warm each view
            response = fetch(client, url, posted.get(name))
            assert response.status_code == 200, (url, response.status_code)
        page = client.get(real_url).content.decode()
        rows = page.count('class="case-link"')
        found = fetch(client, real_url, posted["search"]).content.decode()
        found = found.count('class="case-link"')
        queries = {
            name: count_queries(client, url, data=posted.get(name)) for name, url in urls.items()
        }
        sealing_queries = count_queries(client, real_url, with_sealing=True) - queries["list"]

        timings: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(options.requests):
            for name, url in urls.items():
                started = time.perf_counter()
                response = fetch(client, url, posted.get(name))
                timings[name].append(time.perf_counter() - started)
                assert response.status_code == 200
        medians = {name: statistics.median(times) * 1000 for name, times in timings.items()}
        floor = medians["floor"]

        print(f"database: {options.database}")
        print(f"cases: {options.cases} cases")
        print(f"seed_sealed: {min(options.sealed, options.cases)} cases in {sealed_seconds:.1f} s")
        print(f"seed_copied: {max(options.cases - options.sealed, 0)} cases in "
              f"{copy_seconds:.1f} s")
        print(f"rows_per_page: {rows} rows")
        summary = re.search(r'class="result-summary" role="status">\s*([^<]*?)\s*<', page)
        print(f"count_shown: {summary[1] if summary else '?'}")
        print(f"search_rows: {found} rows (her cases found by one survivor's full name)")
        for name in ("list", "next_page", "filtered", "search"):
            print(f"{name}_median: {medians[name]:.1f} ms")
            print(f"{name}_ratio: {medians[name] / floor:.2f} x floor")
            print(f"{name}_queries: {queries[name]} queries")
        print(f"floor_median: {floor:.1f} ms")
        print(f"floor_queries: {queries['floor']} queries")
        interval = django_settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS
        print(f"audit_sealing_queries: {sealing_queries} queries (once per {interval} s a process)")
        missed = []
        for name in ("list", "next_page", "filtered", "search"):
            if options.cases <= 100_000 and medians[name] > MEDIAN_GOAL_MS:
                missed.append(f"{name} {medians[name]:.0f} ms > {MEDIAN_GOAL_MS:.0f}")
            if medians[name] / floor > RATIO_GOAL:
                missed.append(f"{name} ratio {medians[name] / floor:.2f} > {RATIO_GOAL}")
            if queries[name] > QUERY_GOAL:
                missed.append(f"{name} queries {queries[name]} > {QUERY_GOAL}")
        if rows != 50 and options.cases >= 50:
            missed.append(f"rows {rows} != 50")
        print("goal: met" if not missed else f"goal: missed ({'; '.join(missed)})")
        return 0 if not missed else 1
    finally:
        if options.keep:
            print(f"databases kept in {folder} / {PG_DATABASES}", file=sys.stderr)
        else:
            if postgres:
                benchdb.drop_databases(PG_DATABASES)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
