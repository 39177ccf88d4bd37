"""The demo network of every app, in order: people (accounts), cases, referrals, plans.

It lives in ``workspace`` because it composes the demo modules of the apps below
it; each app keeps its own demo data next to its models.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, seed_demo_network
from accounts.models import User
from cases import demo as demo_cases
from plans import demo as demo_plans
from referrals import demo as demo_referrals


class Command(BaseCommand):
    help = (
        "Create the fictional demo network and its demo cases (idempotent) and print its "
        "logins. --cases N adds N more cases quickly, for benchmarks; --canary TEXT puts TEXT "
        "into every sealed field of one demo survivor, for leak scans."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            metavar="N",
            help="Also create N more minimal cases in bulk (with a progress bar).",
        )
        parser.add_argument(
            "--canary",
            default="",
            metavar="TEXT",
            help="Put TEXT into every identifying and narrative field of one demo survivor.",
        )

    def handle(self, *args, **options) -> None:
        if options["cases"] < 0:
            raise CommandError("--cases takes a number of cases, 0 or more.")
        people = seed_demo_network()
        added = demo_cases.seed_demo_cases()
        demo_referrals.seed_demo_referrals()
        demo_plans.seed_demo_plans()
        self.stdout.write(self.style.SUCCESS("Demo network ready. Every demo account's password:"))
        self.stdout.write(f"  {DEMO_PASSWORD}")
        self.stdout.write("")
        width = max(len(p.username) for p in people)
        for person in people:
            self.stdout.write(
                f"  {person.username.ljust(width)}  {person.role:<11} {person.organization}"
            )
        self.stdout.write("")
        if added:
            self.stdout.write(f"Added {added} demo cases.")
        if options["cases"]:
            self._bulk(demo_cases, options["cases"])
        if options["canary"]:
            case = demo_cases.plant_canary(options["canary"])
            demo_plans.plant_plan_canary(case, options["canary"])
            # The case code only: the canary text stays out of the output.
            self.stdout.write(f"Canary planted in case {case.code}.")
        self.stdout.write(self.style.WARNING("Demo only — never enter real data."))

    def _bulk(self, demo_cases, count: int) -> None:
        from tqdm import tqdm  # only for --cases, a benchmark's tool

        owners = list(User.objects.filter(username__in=["lucia", "mateo"]).order_by("username"))
        with tqdm(total=count, unit="case", desc="Bulk cases", file=sys.stderr) as bar:
            demo_cases.bulk_create_cases(owners=owners, count=count, progress=bar.update)
        self.stdout.write(f"Added {count} bulk cases.")
