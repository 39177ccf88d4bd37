from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_demo_network


class Command(BaseCommand):
    help = "Create the fictional demo network (idempotent) and print its logins."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        people = seed_demo_network()
        self.stdout.write(self.style.SUCCESS("Demo network ready. Every demo account's password:"))
        self.stdout.write(f"  {DEMO_PASSWORD}")
        self.stdout.write("")
        width = max(len(p.username) for p in people)
        for person in people:
            self.stdout.write(
                f"  {person.username.ljust(width)}  {person.role:<11} {person.organization}"
            )
        self.stdout.write("")
        self.stdout.write(self.style.WARNING("Demo only — never enter real data."))
