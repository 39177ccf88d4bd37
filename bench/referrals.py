"""Benchmark of the referral workflow on PostgreSQL: ``python bench/referrals.py``.

    python bench/referrals.py [--seconds S] [--floor-seconds S] [--clients N] [--keep]

It creates its own databases (``amparo_bench_referrals`` and
``amparo_bench_referrals_keys`` on ``BENCH_PG``, default
``postgres://postgres@127.0.0.1:5432``), drops them at the end, seeds the demo network,
a shelter and one case with live referral consent per client, then:

- the floor: one client alone drives referrals through the workflow for
  ``--floor-seconds`` (default 10): create → submit → approve → accept → complete, with
  some withdrawn after submission and some declined;
- the run: 8 clients at once (processes, as gunicorn's workers are, each with its own
  connection) do the same for ``--seconds`` (default 30); in every fifth round the two
  clients of a pair race on one submitted referral: a supervisor approves while either
  another supervisor approves or the caseworker withdraws, each saying which state she
  saw, so that exactly one of them may win and the other is refused
  (``StepNotAllowedNow``);
- the check: every successful service call left exactly one ``ReferralEvent`` and one
  audit event (their counts agree per step), every referral's events form a path of
  the transition table from "draft" that ends in the referral's state, and no race had
  two winners or none.

Goal: no transition lost or applied twice, no unexpected error, at least one race
refused, and 8 clients at least as fast in transitions per second as one client alone
(contention on row locks must not cost throughput). Each figure is printed as
``figure: value unit``; the last line is ``goal: met`` or ``goal: missed (…)``.
"""

from __future__ import annotations

import argparse
import queue
import random
import shutil
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DATABASES = ("amparo_bench_referrals", "amparo_bench_referrals_keys")
CLIENTS = 8
RACE_EVERY = 5
HANDSHAKE_SECONDS = 2.0

# Counter slots per client.
STEPS = (
    "submit",
    "approve",
    "return",
    "send_emergency",
    "accept",
    "decline",
    "complete",
    "withdraw",
)
SLOT = {
    name: index
    for index, name in enumerate(
        (*STEPS, "refused_race", "race_won", "race_run", "created", "completed", "error")
    )
}


# The bench's own databases (bench/benchdb.py), made at the start and dropped at the end.
admin = benchdb.admin
create_databases = partial(benchdb.create_databases, DATABASES)
drop_databases = partial(benchdb.drop_databases, DATABASES)
configure = partial(benchdb.configure, names=DATABASES)


def seed(clients: int) -> dict:
    """The demo network, a second supervisor of Lucía's team, a shelter, and one case
    per client with live consent to shelters (so clients do not queue on one case row)."""
    from django.core.management import call_command

    from accounts.demo import seed_demo_network
    from accounts.models import Role, User
    from cases import vocabularies as cv
    from cases.services.consent import record_consent
    from cases.services.intake import Identity, register_intake
    from referrals import services

    for alias in ("default", "keys"):
        call_command("migrate", database=alias, verbosity=0)
    seed_demo_network()
    lucia = User.objects.get(username="lucia")
    carmen = User.objects.get(username="carmen")
    team = lucia.teams.first()
    second = User.objects.create(
        username="bench.supervisor",
        role=Role.SUPERVISOR,
        organization=carmen.organization,
        email="bench.supervisor@demo.invalid",
    )
    team.supervisors.add(second)
    shelter = services.save_offering(
        actor=User.objects.get(username="admin.refugio"),
        service_type=cv.ServiceType.SHELTER,
        name="Casa Refugio (bench)",
        city="Arequipa",
        languages=["es"],
        genders_served=["female"],
        address="Calle Falsa 123",
    )
    cases = []
    for number in range(clients):
        case = register_intake(
            actor=lucia,
            team=team,
            identity=Identity(
                given_names=f"Bench {number}",
                family_names="Ficticia",
                estimated_age=30,
                gender="female",
                nationality="PE",
                languages=["es"],
            ),
        )
        record_consent(
            actor=lucia,
            case=case,
            purpose=cv.ConsentPurpose.REFERRAL,
            given=True,
            method=cv.ConsentMethod.VERBAL,
            given_by=cv.ConsentGivenBy.SURVIVOR,
            recipient_service_type=cv.ServiceType.SHELTER,
            scope=[scope.value for scope in cv.ConsentScope],
        )
        cases.append(str(case.pk))
    return {
        "caseworker": lucia.pk,
        "supervisors": [carmen.pk, second.pk],
        "partner": User.objects.get(username="refugio").pk,
        "shelter": str(shelter.pk),
        "cases": cases,
    }


# --- one client ---------------------------------------------------------------------


class Client:
    """One client's session: the people, its case, and its counters."""

    def __init__(self, number: int, ids: dict, counts, offset: int) -> None:
        from accounts.models import User
        from cases.models import Case
        from referrals.models import ServiceOffering

        self.number = number
        self.counts, self.offset = counts, offset
        self.caseworker = User.objects.get(pk=ids["caseworker"])
        self.supervisors = list(User.objects.filter(pk__in=ids["supervisors"]).order_by("pk"))
        self.partner = User.objects.get(pk=ids["partner"])
        self.shelter = ServiceOffering.objects.get(pk=ids["shelter"])
        self.case = Case.objects.get(pk=ids["cases"][number])
        self.random = random.Random(number)
        self.races: list[tuple[str, bool]] = []  # (referral id, won)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[self.offset + SLOT[name]] += by

    def step(self, name: str, referral, **kwargs):
        """One service call; counted only when it succeeds."""
        from referrals import services
        from referrals import vocabularies as rv

        actor = kwargs.pop("actor", None)
        if name == "submit":
            result = services.submit_referral(actor=self.caseworker, referral=referral, **kwargs)
        elif name == "approve":
            result = services.approve_referral(
                actor=actor or self.random.choice(self.supervisors), referral=referral, **kwargs
            )
        elif name == "accept":
            result = services.accept_referral(actor=self.partner, referral=referral, **kwargs)
        elif name == "decline":
            result = services.decline_referral(
                actor=self.partner,
                referral=referral,
                reason=rv.DeclineReason.NO_CAPACITY,
                note="Sin plazas esta semana.",
                **kwargs,
            )
        elif name == "complete":
            result = services.complete_referral(
                actor=self.partner,
                referral=referral,
                outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
                **kwargs,
            )
        elif name == "withdraw":
            result = services.withdraw_referral(
                actor=actor or self.caseworker,
                referral=referral,
                reason=rv.WithdrawReason.NEED_MET,
                **kwargs,
            )
        else:
            raise ValueError(name)
        self.count(name)
        return result

    def submitted(self):
        from referrals import services
        from referrals import vocabularies as rv

        referral = services.create_referral(
            actor=self.caseworker,
            case=self.case,
            offering=self.shelter,
            urgency=self.random.choice(list(rv.Urgency.values)),
            reason="Necesita un lugar seguro (ficticio).",
            items=rv.minimum_necessary("shelter"),
        )
        self.count("created")
        return self.step("submit", referral)

    def finish(self, referral) -> None:
        referral = self.step("accept", referral)
        self.step("complete", referral)
        self.count("completed")

    def round(self) -> None:
        """One referral through the workflow: mostly to completion, some not."""
        referral = self.submitted()
        roll = self.random.random()
        if roll < 0.1:
            self.step("withdraw", referral)
            return
        referral = self.step("approve", referral)
        if roll < 0.2:
            self.step("decline", referral)
            return
        self.finish(referral)

    # Races: the two clients of a pair meet on one submitted referral. The poster
    # submits it and hands its id over; the picker answers "go" and both act at once.

    def race_as_poster(self, to_picker, from_picker) -> None:
        from referrals import vocabularies as rv
        from referrals.models import Referral

        referral = self.submitted()
        to_picker.put(str(referral.pk))
        deadline = time.perf_counter() + HANDSHAKE_SECONDS
        while time.perf_counter() < deadline:
            try:
                if from_picker.get(timeout=HANDSHAKE_SECONDS) == str(referral.pk):
                    break
            except queue.Empty:
                break
        self.contend("approve", referral, actor=self.supervisors[0])
        referral = Referral.objects.get(pk=referral.pk)
        if referral.state == rv.State.SENT:
            self.finish(referral)

    def race_as_picker(self, from_poster, to_poster) -> None:
        from referrals.models import Referral

        try:
            referral_id = from_poster.get(timeout=HANDSHAKE_SECONDS)
        except queue.Empty:
            return
        to_poster.put(referral_id)
        referral = Referral(pk=referral_id)
        if self.random.random() < 0.5:
            self.contend("approve", referral, actor=self.supervisors[1])
        else:
            self.contend("withdraw", referral, actor=self.caseworker)

    def contend(self, name: str, referral, actor) -> None:
        from referrals import vocabularies as rv
        from referrals.workflow import StepNotAllowedNow

        self.count("race_run")
        try:
            self.step(name, referral, actor=actor, seen_state=rv.State.SUBMITTED)
            self.count("race_won")
            self.races.append((str(referral.pk), True))
        except StepNotAllowedNow:
            self.count("refused_race")
            self.races.append((str(referral.pk), False))


def _client(number: int, seconds: float, ids: dict, start, counts, pairs, results) -> None:
    from django.db import connections

    client = Client(number, ids, counts, number * len(SLOT))
    rounds = 0
    try:
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            rounds += 1
            try:
                if pairs is not None and rounds % RACE_EVERY == 0:
                    to_other, from_other = pairs
                    if number % 2 == 0:
                        client.race_as_poster(to_other, from_other)
                    else:
                        client.race_as_picker(from_other, to_other)
                else:
                    client.round()
            except Exception:  # noqa: BLE001 - counted and shown: the goal fails on any
                client.count("error")
                if counts[number * len(SLOT) + SLOT["error"]] <= 3:
                    traceback.print_exc()
    finally:
        results.put(client.races)
        connections.close_all()


def drive(clients: int, seconds: float, ids: dict) -> tuple[float, dict, dict]:
    """Run ``clients`` processes for ``seconds``: (elapsed seconds, summed counters,
    {raced referral id: [won, won, …]})."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # no connection crosses the fork
    context = multiprocessing.get_context("fork")
    start = context.Barrier(clients + 1)
    counts = context.Array("q", clients * len(SLOT))
    results = context.Queue()
    pairs = {}
    for first in range(0, clients - 1, 2):
        a_to_b, b_to_a = context.Queue(), context.Queue()
        pairs[first], pairs[first + 1] = (a_to_b, b_to_a), (b_to_a, a_to_b)
    processes = [
        context.Process(
            target=_client, args=(n, seconds, ids, start, counts, pairs.get(n), results)
        )
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    start.wait()
    started = time.perf_counter()
    races: dict[str, list[bool]] = {}
    for _process in processes:  # read before joining: a full pipe would block the child
        for referral_id, won in results.get():
            races.setdefault(referral_id, []).append(won)
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise RuntimeError("a client process failed")
    totals = {
        name: sum(counts[n * len(SLOT) + slot] for n in range(clients))
        for name, slot in SLOT.items()
    }
    return elapsed, totals, races


# --- the check ----------------------------------------------------------------------


def check_log(calls: dict) -> list[str]:
    """Problems with the event log, given the successful service calls per step."""
    from collections import Counter, defaultdict

    from audit.models import AccessEvent
    from referrals import vocabularies as rv
    from referrals.models import Referral, ReferralEvent
    from referrals.workflow import TRANSITIONS, Step

    problems = []
    by_step = Counter(ReferralEvent.objects.values_list("action", flat=True))
    audited = Counter(
        AccessEvent.objects.filter(action__in=[t.action for t in TRANSITIONS.values()]).values_list(
            "action", flat=True
        )
    )
    for step in STEPS:
        action = TRANSITIONS[Step(step)].action
        if by_step[step] != calls[step]:
            problems.append(f"{step}: {calls[step]} calls, {by_step[step]} events")
        if audited[action] != calls[step]:
            problems.append(f"{step}: {calls[step]} calls, {audited[action]} audit events")
    paths = defaultdict(list)
    for referral_id, action, source, target in ReferralEvent.objects.order_by(
        "at", "id"
    ).values_list("referral_id", "action", "from_state", "to_state"):
        paths[referral_id].append((action, source, target))
    broken = 0
    for referral_id, state in Referral.objects.values_list("pk", "state"):
        current = rv.State.DRAFT
        for action, source, target in paths.get(referral_id, []):
            transition = TRANSITIONS[Step(action)]
            if (
                source != current
                or source not in transition.sources
                or (target != transition.target)
            ):
                broken += 1
                break
            current = target
        else:
            if current != state:
                broken += 1
    if broken:
        problems.append(f"{broken} referrals whose events are not a path ending in their state")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--floor-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amparo-bench-referrals-"))
    create_databases()
    try:
        configure(folder)
        ids = seed(options.clients)
        from referrals.models import ReferralEvent

        missed = []
        floor_seconds, floor, _none = drive(1, options.floor_seconds, ids)
        floor_transitions = sum(floor[step] for step in STEPS)
        floor_rate = floor_transitions / floor_seconds
        print(f"transitions_1_client: {floor_rate:.1f} transitions/s")

        seconds, run, races = drive(options.clients, options.seconds, ids)
        contested = [outcomes for outcomes in races.values() if len(outcomes) >= 2]
        not_one_winner = [r for r, outcomes in races.items() if sum(outcomes) != 1]
        transitions = sum(run[step] for step in STEPS)
        rate = transitions / seconds
        print(f"transitions_{options.clients}_clients: {rate:.1f} transitions/s")
        print(f"speedup_over_1_client: {rate / floor_rate:.2f} x")
        print(f"run_time: {seconds:.1f} s")
        print(f"transitions: {transitions} transitions")
        print(f"referrals_created: {run['created']} referrals")
        print(f"referrals_completed: {run['completed']} referrals")
        print(f"referrals_withdrawn: {run['withdraw']} referrals")
        print(f"referrals_declined: {run['decline']} referrals")
        print(f"races_run: {len(races)} referrals")
        print(f"races_with_both_contenders: {len(contested)} referrals")
        print(f"races_without_exactly_one_winner: {len(not_one_winner)} referrals")
        print(f"refused_races: {run['refused_race']} steps")
        print(f"unexpected_errors: {run['error'] + floor['error']} errors")

        calls = {step: floor[step] + run[step] for step in STEPS}
        problems = check_log(calls)
        events = ReferralEvent.objects.count()
        print(f"successful_calls: {sum(calls.values())} calls")
        print(f"referral_events: {events} events")
        print(f"lost_or_doubled: {'none' if not problems else '; '.join(problems)}")

        if problems:
            missed.append("the event log does not match the calls")
        if run["error"] or floor["error"]:
            missed.append(f"{run['error'] + floor['error']} unexpected errors")
        if run["race_won"] + run["refused_race"] != run["race_run"]:
            missed.append("a race step neither won nor was refused")
        if not_one_winner:
            missed.append(f"{len(not_one_winner)} races without exactly one winner")
        if not run["refused_race"]:
            missed.append("no race was refused (no contention measured)")
        if rate < floor_rate:
            missed.append(
                f"{rate:.1f} transitions/s with {options.clients} clients < {floor_rate:.1f} with 1"
            )
        if options.seconds < 30 or options.clients < CLIENTS:
            missed.append("shorter or smaller than the goal's run")
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
