"""Benchmark: fifty people at once on 100,000 cases, against a floor, in the same run.

    python bench/load.py [--cases N] [--sealed S] [--users U] [--duration SECONDS]
                         [--warmup SECONDS] [--blocks B] [--keep]

Issue 15, item 3. It builds its own PostgreSQL databases (``amparo_bench_load`` and
``amparo_bench_load_keys``, dropped at the end unless --keep) and seeds them: the demo
network and its directory of services, then U people in the demo's proportions (the demo
has two caseworkers, one supervisor, three partners' staff and one auditor: 2:1:3:1),
each with a confirmed authenticator and a signed-in session with both factors passed (as
``bench/case_list.py`` signs in), then N cases owned by the caseworkers (S with sealed
names through ``cases.demo.bulk_create_cases``, the rest copied in the database:
``bench/benchdb.py``).

The server: gunicorn from the source tree (4 sync workers) and the worker
(``manage.py run_worker``), in development mode with DEBUG turned off
(``bench/load_settings.py``: development keys, no query log, no debug pages; plain HTTP
on 127.0.0.1, no Caddy). Caseworkers may register more intakes an hour than the product's
default allows (``AMPARO_DUPLICATE_CHECKS_PER_HOUR``): fourteen people do a day's
registrations in minutes here.

The people, driven by Locust as a library (``locust.env.Environment``, a ``LocalRunner``,
``locust.stats``), headless, in a process of its own (Locust's gevent never touches the
seeding's Django):

- caseworkers open their list, open a case from it, add a note and a follow-up; every
  other round they register an intake, record her consent to a referral, save the
  referral and submit it;
- supervisors approve the submitted referrals (the referral's page, then the step), and
  open their list (every case of both teams) and a case while none waits;
- partners' staff open their inbox, open a packet sent to them and accept it;
- auditors search the access log, unfiltered and by action.

Each person waits 0.5–2 s between requests (reading, typing); with 50 people on two cores
the server is saturated, which is the point: the goal is relative to the floor under the
same load. A person's work is a sequence kept with her account, so one stopped at the end
of a block takes it up in the next block where she left it.

Real and floor alternate in B blocks each (after a warm-up of each), so that machine noise
hits both alike. The floor (``bench/load_floor.py``, mounted only by the bench's settings)
serves the same pages under ``/bench-floor/``: the same view, scoped queries, forms,
services and templates, without opening sealed values and without writing or sealing
access events.

Checked afterwards: no server error and no unexpected refusal (each kind of request has
its one expected status); throughput ≥ 70 % of the floor's; the audit chain verifies
(``verify_audit``) and every event is sealed once the worker has caught up; and the
events match the requests exactly: every real request that reached a view left exactly
one event of its person, a list page one ``case.listed`` more per case shown, found by
the request id the response carries; no floor request left any. Each figure is printed
as ``figure: value unit``; the last line is ``goal: met`` or ``goal: missed (…)``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import benchdb  # noqa: E402

ROOT = BENCH.parent
DATABASES = ("amparo_bench_load", "amparo_bench_load_keys")
THROUGHPUT_GOAL = 0.70
# The demo network's people by role (accounts/demo.py): lucia and mateo; carmen; refugio,
# clinica and proteccion; raul. The org admins do none of this work.
PROPORTIONS = {"caseworker": 2, "supervisor": 1, "partner": 3, "auditor": 1}
# The one status each kind of request must get (a POST that works redirects).
EXPECTED = {
    "case_list": 200,
    "case_page": 200,
    "note": 302,
    "follow_up": 302,
    "intake": 302,
    "consent": 302,
    "referral_draft": 302,
    "referral_submit": 302,
    "referral_page": 200,
    "referral_approve": 302,
    "inbox": 200,
    "packet": 200,
    "packet_accept": 302,
    "audit_search": 200,
    "audit_filtered": 200,
}
# Services referred to: one of each partner organisation, none that counts places.
REFERRED = (
    "Asesoría y patrocinio legal",
    "Acompañamiento psicosocial",
    "Protección y evaluación de riesgo",
)
PAGE_ORDER = list(EXPECTED)


def split(users: int) -> dict[str, int]:
    """``users`` people in PROPORTIONS (largest remainders), at least one of each role."""
    total = sum(PROPORTIONS.values())
    exact = {role: users * weight / total for role, weight in PROPORTIONS.items()}
    counts = {role: max(1, int(share)) for role, share in exact.items()}
    by_remainder = sorted(exact, key=lambda role: exact[role] - int(exact[role]), reverse=True)
    while sum(counts.values()) < users:
        for role in by_remainder:
            if sum(counts.values()) < users:
                counts[role] += 1
    return counts


# --- seeding (this process, Django) ------------------------------------------------------


def seed(options: argparse.Namespace, counts: dict[str, int], base_url: str) -> dict:
    """The databases' content and the plan the driver reads: people, sessions, services."""
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client, override_settings
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import sessions
    from accounts.demo import seed_demo_network
    from accounts.models import Organization, Role, Team, User
    from referrals import vocabularies as rv
    from referrals.demo import seed_demo_referrals
    from referrals.models import ServiceOffering

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    with override_settings(AMPARO_DEMO=True):
        seed_demo_network()
        seed_demo_referrals()  # no case yet: the directory's services only
    home = User.objects.get(username="lucia").organization
    teams = list(Team.objects.filter(organization=home).order_by("name"))
    offerings = list(ServiceOffering.objects.filter(name__in=REFERRED).order_by("name"))
    assert len(offerings) == len(REFERRED), offerings
    partner_orgs = [offering.organization for offering in offerings]

    people: dict[str, list[dict]] = {role: [] for role in counts}
    for role, count in counts.items():
        for number in range(1, count + 1):
            organization: Organization = (
                partner_orgs[number % len(partner_orgs)] if role == "partner" else home
            )
            user = User.objects.create_user(
                username=f"bench.{role}{number:02d}",
                organization=organization,
                role=getattr(Role, role.upper()),
                email=f"{role}{number}@bench.invalid",
                first_name=role.title(),
                last_name=f"{number:02d}",
                demo_account=True,
            )
            team = None
            if role == "caseworker":
                team = teams[number % len(teams)]
                team.members.add(user)
            elif role == "supervisor":
                for each in teams:
                    each.supervisors.add(user)
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # both factors passed
            sessions.start(session, timezone.now())  # as a real sign-in does
            session.save()
            people[role].append(
                {
                    "username": user.username,
                    "id": user.pk,
                    "session": session.session_key,
                    "csrf": _get_new_csrf_string(),
                    "team": team.pk if team else None,
                    "organization": str(organization.pk),
                }
            )
    caseworkers = list(
        User.objects.filter(username__startswith="bench.caseworker").order_by("username")
    )
    sealed_seconds, copy_seconds = benchdb.seed_cases(caseworkers, options.cases, options.sealed)
    return {
        "base_url": base_url,
        "people": people,
        "offerings": [
            {
                "id": str(offering.pk),
                "service_type": offering.service_type,
                "organization": str(offering.organization_id),
                # She is an adult: the form offers the guardian only for a child's packet.
                "items": [
                    item
                    for item in rv.minimum_necessary(offering.service_type)
                    if item != rv.PacketItem.GUARDIAN
                ],
            }
            for offering in offerings
        ],
        "seed_seconds": [sealed_seconds, copy_seconds],
    }


# --- the server (subprocesses) -----------------------------------------------------------


def server_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": f"{ROOT}:{BENCH}",
        "DEBUG": "1",  # development keys; load_settings turns DEBUG itself off
        "AMPARO_VAR_DIR": str(folder),
        "DATABASE_URL": f"{benchdb.SERVER}/{DATABASES[0]}",
        "KEYS_DATABASE_URL": f"{benchdb.SERVER}/{DATABASES[1]}",
        "DATABASE_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "AMPARO_DUPLICATE_CHECKS_PER_HOUR": "100000",
    }


def start_server(folder: Path, port: int, workers: int) -> dict[str, subprocess.Popen]:
    env = server_env(folder)
    processes = {}
    for name, command in (
        (
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "120",
            ],
        ),
        ("worker", [sys.executable, "manage.py", "run_worker", "--interval", "0.5"]),
    ):
        log = (folder / f"{name}.log").open("ab")
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/accounts/login/", timeout=5
            ) as response:
                if response.status == 200:
                    return processes
        except OSError:
            pass
        if time.monotonic() > deadline or processes["gunicorn"].poll() is not None:
            raise RuntimeError(
                "gunicorn did not start:\n" + (folder / "gunicorn.log").read_text()[-3000:]
            )
        time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- checks afterwards (this process, Django) --------------------------------------------


def unsealed_events() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM audit_accessevent e WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_eventseal s WHERE s.event_id = e.id)"
        )
        return cursor.fetchone()[0]


def wait_for_seals(seconds: float) -> tuple[int, float]:
    """Unsealed events left once the worker has caught up (or ``seconds`` ran out)."""
    started = time.monotonic()
    left = unsealed_events()
    while left and time.monotonic() - started < seconds:
        time.sleep(1)
        left = unsealed_events()
    return left, time.monotonic() - started


def count_events(records: list[dict]) -> dict:
    """The events of each request, by the request id its response carried."""
    from django.db import connection

    from audit.models import Action

    listed = str(Action.CASE_LISTED)
    real = [r for r in records if r["side"] == "real" and r["request_id"]]
    floor_ids = [r["request_id"] for r in records if r["side"] == "floor" and r["request_id"]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT request_id, "
            "COUNT(*) FILTER (WHERE actor_id IS NOT NULL AND action <> %s), "
            "COUNT(*) FILTER (WHERE action = %s), "
            "COUNT(*) FILTER (WHERE actor_id IS NULL) "
            "FROM audit_accessevent WHERE request_id <> '' GROUP BY request_id",
            [listed, listed],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    expected_person = expected_listed = counted_person = counted_listed = 0
    mismatched: dict[str, int] = {}
    for record in real:
        person, shown, _system = found.get(record["request_id"], (0, 0, 0))
        # A request that reached a view leaves one event of its person (allowed, or denied
        # for a refusal); a server error may have rolled its event back.
        want_person = 0 if record["status"] >= 500 or record["status"] == 0 else 1
        want_listed = record["listed"] if want_person else 0
        expected_person += want_person
        expected_listed += want_listed
        counted_person += person
        counted_listed += shown
        if (person, shown) != (want_person, want_listed):
            mismatched[record["kind"]] = mismatched.get(record["kind"], 0) + 1
    known = {r["request_id"] for r in records}
    return {
        "requests": len(real),
        "expected_person": expected_person,
        "counted_person": counted_person,
        "expected_listed": expected_listed,
        "counted_listed": counted_listed,
        "system": sum(found.get(r["request_id"], (0, 0, 0))[2] for r in real),
        "mismatched": mismatched,
        "floor_events": sum(sum(found.get(rid, (0, 0, 0))) for rid in floor_ids),
        "orphans": sum(sum(counts) for rid, counts in found.items() if rid not in known),
    }


def verify_chain() -> tuple[bool, str]:
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", "--no-progress", stdout=out, stderr=err)
    except (SystemExit, Exception) as error:  # noqa: BLE001 - any failure is a finding
        return False, f"{error} {out.getvalue()} {err.getvalue()}".strip()
    return True, out.getvalue().strip()


# --- the driver (a process of its own, Locust and gevent) -------------------------------


def drive(plan_path: Path, out_path: Path) -> None:
    """Run the people in alternating blocks; write every request and the stats as JSON."""
    import random
    from collections import deque
    from urllib.parse import urlencode

    import gevent
    from locust import FastHttpUser, between, task
    from locust.env import Environment
    from locust.exception import StopUser
    from locust.stats import RequestStats

    plan = json.loads(plan_path.read_text())
    state = {"side": "real", "measuring": False, "stop": False}
    pools = {role: deque(people) for role, people in plan["people"].items()}
    stats = {"real": RequestStats(), "floor": RequestStats()}
    records: list[dict] = []
    problems: list[str] = []  # the first unexpected answers, for whoever reads the log
    # Work handed on, per side: submitted referrals for supervisors, sent ones per partner org.
    # Work handed on from one person to the next: submitted referrals wait for a
    # supervisor, sent ones for the partner organisation they went to. Real and floor
    # share them (the same pages over the same data).
    submitted: deque = deque()
    sent = {offering["organization"]: deque() for offering in plan["offerings"]}
    case_link = re.compile(r'href="/(?:bench-floor/)?cases/([0-9a-f-]{36})/" class="case-link"')
    location_id = re.compile(r"/([0-9a-f-]{36})/")
    scopes = [
        "identity",
        "age",
        "languages",
        "safe_contact",
        "needs",
        "risk",
        "narrative",
        "health",
        "documents",
    ]

    # What each person does, one request at a time: a generator yields (kind, path, form
    # data or None for a GET, whether the page lists cases) and is sent the answer
    # (status, page, Location). It lives with the account, so that a person stopped at the
    # end of a block takes up her work where she left it in the next one, whichever side.

    def day(days: int) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(time.time() + days * 86400))

    def caseworker(account: dict, rng: random.Random):
        while True:
            _, page, _ = yield ("case_list", "/cases/", None, True)
            cases = case_link.findall(page)
            if cases:
                case = rng.choice(cases)
                yield ("case_page", f"/cases/{case}/", None, False)
                note = {"note-body": "Llamó desde el albergue; está bien."}
                yield ("note", f"/cases/{case}/notes/", note, False)
                follow_up = {
                    "follow_up-kind": "check_in",
                    "follow_up-due_on": day(7),
                    "follow_up-assignee": account["id"],
                }
                yield ("follow_up", f"/cases/{case}/follow-ups/", follow_up, False)
            if rng.random() < 0.5:
                continue
            intake = {
                "team": account["team"],
                "given_names": "Ana",
                "gender": "female",
                "family_names": f"Prueba {rng.randint(1, 10**6)}",
                "confirm": "on",
                "register_anyway": "on",
            }
            status, _, location = yield ("intake", "/cases/new/", intake, False)
            found = location_id.search(location)
            if status != 302 or not found:
                continue
            case = found[1]
            offering = rng.choice(plan["offerings"])
            consent = {
                "consent-purpose": "referral",
                "consent-recipient_service_type": offering["service_type"],
                "consent-scope": scopes,
                "consent-decision": "given",
                "consent-method": "verbal",
                "consent-given_by": "survivor",
                "consent-interpreter_language": "",
                "consent-expires_on": day(90),
            }
            yield ("consent", f"/cases/{case}/consents/", consent, False)
            draft = {
                "offering": offering["id"],
                "urgency": "normal",
                "reason": "Necesita orientación y acompañamiento.",
                "items": offering["items"],
            }
            status, _, location = yield (
                "referral_draft",
                f"/referrals/case/{case}/new/",
                draft,
                False,
            )
            found = location_id.search(location)
            if status != 302 or not found:
                continue
            referral = found[1]
            status, _, _ = yield (
                "referral_submit",
                f"/referrals/{referral}/step/submit/",
                {},
                False,
            )
            if status == 302:
                submitted.append((referral, offering["organization"]))

    def supervisor(account: dict, rng: random.Random):
        while True:
            if submitted:
                referral, organization = submitted.popleft()
                yield ("referral_page", f"/referrals/{referral}/", None, False)
                status, _, _ = yield (
                    "referral_approve",
                    f"/referrals/{referral}/step/approve/",
                    {},
                    False,
                )
                if status == 302:
                    sent[organization].append(referral)
                continue
            _, page, _ = yield ("case_list", "/cases/", None, True)
            cases = case_link.findall(page)
            if cases:
                yield ("case_page", f"/cases/{rng.choice(cases)}/", None, False)

    def partner(account: dict, rng: random.Random):
        while True:
            yield ("inbox", "/referrals/inbox/", None, False)
            waiting = sent[account["organization"]]
            if waiting:
                referral = waiting.popleft()
                yield ("packet", f"/referrals/inbox/{referral}/", None, False)
                step = f"/referrals/inbox/{referral}/step/accept/"
                yield ("packet_accept", step, {}, False)

    def auditor(account: dict, rng: random.Random):
        while True:
            yield ("audit_search", "/audit/", None, False)
            action = rng.choice(["case.viewed", "note.added", "referral.submitted"])
            yield ("audit_filtered", f"/audit/?action={action}", None, False)

    flows = {
        "caseworker": caseworker,
        "supervisor": supervisor,
        "partner": partner,
        "auditor": auditor,
    }

    class Person(FastHttpUser):
        abstract = True
        host = plan["base_url"]
        wait_time = between(0.5, 2.0)  # reading the page, typing the form
        role = ""

        def on_start(self) -> None:
            self.client.client.cookiejar = None  # the session is sent by hand, as seeded
            self.account = pools[self.role].popleft()
            self.cookie = (
                f"amparo_session={self.account['session']}; amparo_csrf={self.account['csrf']}"
            )

        def on_stop(self) -> None:
            pools[self.role].append(self.account)

        @task
        def next_request(self) -> None:
            account = self.account
            if account.get("request") is None:
                if "flow" not in account:
                    rng = random.Random(account["username"])
                    account["flow"] = flows[self.role](account, rng)
                    account["request"] = next(account["flow"])
                else:
                    account["request"] = account["flow"].send(account.pop("answer"))
            answer = self.call(*account["request"])  # StopUser here keeps it for later
            account["request"], account["answer"] = None, answer

        def call(self, kind: str, path: str, data: dict | None, listed: bool):
            if state["stop"]:
                raise StopUser
            side = state["side"]
            headers = {"Cookie": self.cookie, "Accept-Language": "es"}
            method, body = "GET", None
            if data is not None:
                method, body = "POST", urlencode(data, doseq=True)
                headers.update(
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": self.account["csrf"],
                    }
                )
            url = ("/bench-floor" if side == "floor" else "") + path
            started = time.perf_counter()
            with self.client.request(
                method,
                url,
                name=kind,
                data=body,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                elapsed = (time.perf_counter() - started) * 1000
                response.success()  # judged below, per kind
            status = response.status_code or 0
            headers_in = response.headers or {}
            text = (response.text or "") if status == 200 else ""
            if status != EXPECTED[kind] and len(problems) < 20:
                problems.append(
                    f"{side} {kind} {method} {path}: {status} "
                    f"{headers_in.get('Location', '')} {(response.text or '')[:3000]}"
                )
            records.append(
                {
                    "side": side,
                    "kind": kind,
                    "status": status,
                    "measured": state["measuring"],
                    "request_id": headers_in.get("X-Request-ID", "") if status else "",
                    "listed": len(case_link.findall(text)) if listed else 0,
                    "ms": elapsed,
                }
            )
            if state["measuring"]:
                stats[side].log_request(method, kind, int(elapsed), len(text))
                if status != EXPECTED[kind]:
                    stats[side].log_error(method, kind, f"status {status}")
            return status, text, headers_in.get("Location", "")

    classes = {
        role: type(role.title(), (Person,), {"role": role, "__module__": __name__})
        for role in flows
    }
    for role, cls in classes.items():
        cls.fixed_count = len(plan["people"][role])
    users = sum(len(people) for people in plan["people"].values())
    seconds = {"real": 0.0, "floor": 0.0}

    def block(side: str, length: float, measuring: bool) -> None:
        state.update(side=side, measuring=measuring, stop=False)
        environment = Environment(user_classes=list(classes.values()))
        runner = environment.create_local_runner()
        started = time.monotonic()
        runner.start(users, spawn_rate=users)
        gevent.sleep(length)
        state["stop"] = True  # each person ends after the request she is making
        deadline = time.monotonic() + 120
        while runner.user_count and time.monotonic() < deadline:
            gevent.sleep(0.1)
        runner.quit()
        if measuring:
            seconds[side] += time.monotonic() - started
        print(
            f"  {side} block of {length:.0f} s done ({'measured' if measuring else 'warm-up'})",
            file=sys.stderr,
        )

    schedule = plan["schedule"]
    for side in ("real", "floor"):
        block(side, schedule["warmup"], measuring=False)
    for _ in range(schedule["blocks"]):
        for side in ("real", "floor"):
            block(side, schedule["block"], measuring=True)

    pages = {}
    for side, side_stats in stats.items():
        for (name, method), entry in side_stats.entries.items():
            pages.setdefault(name, {})[side] = {
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.50),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
                "method": method,
            }
    out_path.write_text(
        json.dumps({"records": records, "pages": pages, "seconds": seconds, "problems": problems})
    )


# --- the run -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--sealed",
        type=int,
        default=10_000,
        help="cases seeded with sealed names; the rest are copies",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--duration", type=float, default=120, help="measured seconds of each side (real and floor)"
    )
    parser.add_argument("--warmup", type=float, default=20, help="warm-up seconds of each side")
    parser.add_argument(
        "--blocks", type=int, default=4, help="alternating blocks the duration is cut into"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--drive", nargs=2, metavar=("PLAN", "OUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.drive:
        drive(Path(options.drive[0]), Path(options.drive[1]))
        return 0

    counts = split(options.users)
    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-load-"))
    processes: dict[str, subprocess.Popen] = {}
    try:
        benchdb.create_databases(DATABASES)
        benchdb.configure(folder, DATABASES)
        from django.db import connections

        port = _free_port()
        started = time.perf_counter()
        plan = seed(options, counts, f"http://127.0.0.1:{port}")
        seed_seconds = time.perf_counter() - started
        plan["schedule"] = {
            "warmup": options.warmup,
            "blocks": options.blocks,
            "block": options.duration / options.blocks,
        }
        (folder / "plan.json").write_text(json.dumps(plan))
        connections.close_all()
        processes = start_server(folder, port, options.workers)
        print(f"seeded in {seed_seconds:.0f} s; driving {options.users} people", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--drive",
                str(folder / "plan.json"),
                str(folder / "results.json"),
            ],
            check=True,
            cwd=ROOT,
        )
        results = json.loads((folder / "results.json").read_text())
        stop(processes.pop("gunicorn"))
        left, waited = wait_for_seals(180)  # the worker seals what the pages left behind
        stop(processes.pop("worker"))
        chain_ok, chain_report = verify_chain()
        events = count_events(results["records"])
        return report(
            options,
            counts,
            plan,
            seed_seconds,
            results,
            events,
            left,
            waited,
            chain_ok,
            chain_report,
        )
    finally:
        for process in processes.values():
            stop(process)
        if options.keep:
            print(f"kept: {folder} and the databases {DATABASES}", file=sys.stderr)
        else:
            benchdb.drop_databases(DATABASES)
            shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def report(
    options, counts, plan, seed_seconds, results, events, left, waited, chain_ok, chain_report
) -> int:
    records = results["records"]
    measured = {
        side: [r for r in records if r["side"] == side and r["measured"]]
        for side in ("real", "floor")
    }
    rps = {
        side: len(rows) / results["seconds"][side] if results["seconds"][side] else 0.0
        for side, rows in measured.items()
    }
    server_errors = sum(1 for r in records if r["status"] >= 500 or r["status"] == 0)
    refusals = sum(
        1 for r in records if 0 < r["status"] < 500 and r["status"] != EXPECTED[r["kind"]]
    )
    ratio = rps["real"] / rps["floor"] if rps["floor"] else 0.0

    print("database: postgres")
    print(f"cases: {options.cases} cases")
    print(
        f"people: {options.users} people "
        f"({', '.join(f'{role}: {n}' for role, n in counts.items())})"
    )
    sealed_seconds, copy_seconds = plan["seed_seconds"]
    print(
        f"seed: {seed_seconds:.0f} s (sealed {min(options.sealed, options.cases)} cases in "
        f"{sealed_seconds:.0f} s, copied the rest in {copy_seconds:.0f} s)"
    )
    print(
        f"server: gunicorn {options.workers} sync workers + worker, source tree, "
        "development mode with DEBUG off"
    )
    print(
        f"measured: {results['seconds']['real']:.0f} s real, "
        f"{results['seconds']['floor']:.0f} s floor, in {options.blocks} alternating blocks "
        f"each after {options.warmup:.0f} s of warm-up"
    )
    # Per page and side: its percentiles (Locust's, rounded as Locust rounds) and its rate.
    for name in PAGE_ORDER:
        for side, page in sorted(results["pages"].get(name, {}).items(), reverse=True):
            for percentile in ("p50", "p95", "p99"):
                print(f"{name}_{side}_{percentile}: {page[percentile]} ms")
            rate = page["count"] / results["seconds"][side] if results["seconds"][side] else 0
            print(f"{name}_{side}_rate: {rate:.2f} requests/s ({page['count']} requests)")
    for side in ("real", "floor"):
        print(f"throughput_{side}: {rps[side]:.1f} requests/s")
    print(f"throughput_ratio: {ratio * 100:.0f} % of floor")
    print(f"server_errors: {server_errors} requests")
    unexpected = Counter(
        (r["side"], r["kind"], r["status"]) for r in records if r["status"] != EXPECTED[r["kind"]]
    )
    if unexpected:
        print(
            "  unexpected answers: "
            + ", ".join(
                f"{side} {kind} {status} x{n}" for (side, kind, status), n in unexpected.items()
            )
        )
        for problem in results["problems"]:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", problem))
            print(f"  {text[:600]}", file=sys.stderr)
    print(f"unexpected_refusals: {refusals} requests")
    print(
        f"events_expected: {events['expected_person']} events "
        f"(one per real request that reached a view, of {events['requests']})"
    )
    print(f"events_counted: {events['counted_person']} events")
    print(f"listed_expected: {events['expected_listed']} events (one per case a list showed)")
    print(f"listed_counted: {events['counted_listed']} events")
    print(f"vault_key_events: {events['system']} events (the new survivors' data keys)")
    mismatched = sum(events["mismatched"].values())
    print(
        f"requests_with_wrong_events: {mismatched} requests "
        f"{events['mismatched'] if mismatched else ''}".rstrip()
    )
    print(f"floor_events: {events['floor_events']} events")
    print(f"unknown_request_events: {events['orphans']} events")
    print(f"unsealed_events: {left} events (after waiting {waited:.0f} s for the worker)")
    print(f"audit_chain: {'intact' if chain_ok else 'BROKEN'}")
    if not chain_ok:
        print(f"  {chain_report}")

    missed = []
    if server_errors:
        missed.append(f"server_errors {server_errors}")
    if refusals:
        missed.append(f"unexpected_refusals {refusals}")
    if ratio < THROUGHPUT_GOAL:
        missed.append(f"throughput_ratio {ratio * 100:.0f} % < {THROUGHPUT_GOAL * 100:.0f} %")
    if not chain_ok:
        missed.append("audit_chain")
    if left:
        missed.append(f"unsealed_events {left}")
    if (
        events["counted_person"] != events["expected_person"]
        or events["counted_listed"] != events["expected_listed"]
        or mismatched
    ):
        missed.append("events_counted")
    if events["floor_events"] or events["orphans"]:
        missed.append("events outside the real requests")
    print("goal: met" if not missed else f"goal: missed ({'; '.join(missed)})")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
