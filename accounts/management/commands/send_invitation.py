"""``manage.py send_invitation USERNAME``: a new one-time link, sent by the operator.

For when nobody in the organisation can do it: its only administrator lost her phone
(``--reset two-factor``) or forgot her password (``--reset password``), or never used her
first link (no ``--reset``). The link is mailed to her and printed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import InvitationKind, User

KINDS = {
    "": InvitationKind.NEW_ACCOUNT,
    "password": InvitationKind.PASSWORD_RESET,
    "two-factor": InvitationKind.TWO_FACTOR_RESET,
}


class Command(BaseCommand):
    help = (
        "Send a person a new one-time link: --reset password or --reset two-factor ends "
        "her sessions and stops her password or phone at once; without --reset, for an "
        "account whose first link was never used. The link is printed too."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reset", choices=["password", "two-factor"], default="")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"], is_superuser=False).first()
        if user is None:
            raise CommandError("No such person.")
        try:
            link = services.operator_reset(user=user, kind=KINDS[options["reset"]])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Link for {user.username} mailed to {user.email}."))
        if not settings.AMPARO_SITE_URL:
            self.stderr.write(
                self.style.WARNING(
                    "AMPARO_SITE_URL is empty: the link below (and in the mail) is only a "
                    "path. Set it to the address people open Amparo at."
                )
            )
        self.stdout.write("Her one-time link (give it to nobody else; it works once):")
        self.stdout.write(f"  {link}")
