"""``manage.py create_organization``: a new organisation and its first administrator.

The administrator gets a one-time link by mail (and the command prints it, for an
operator without mail) by which she chooses her own password and sets up her phone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts import services
from accounts.models import OrganizationKind


class Command(BaseCommand):
    help = (
        "Create an organisation and invite its first administrator: she gets a one-time "
        "link by mail to choose her own password and set up two-factor sign-in. The link "
        "is printed too."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument(
            "--kind", required=True, choices=OrganizationKind.values, help="What it is."
        )
        parser.add_argument("--country", required=True)
        parser.add_argument("--city", required=True)
        parser.add_argument(
            "--admin-username", required=True, help="Username of its first administrator."
        )
        parser.add_argument(
            "--admin-email", required=True, help="Where her invitation link is mailed."
        )
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")

    def handle(self, *args, **options) -> None:
        try:
            validate_email(options["admin_email"])
            organization, admin, link = services.create_organization(
                name=options["name"],
                kind=options["kind"],
                country=options["country"],
                city=options["city"],
                admin_username=options["admin_username"],
                admin_email=options["admin_email"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {organization.name}."))
        if not settings.AMPARO_SITE_URL:
            self.stderr.write(
                self.style.WARNING(
                    "AMPARO_SITE_URL is empty: the link below (and in the mail) is only a "
                    "path. Set it to the address people open Amparo at."
                )
            )
        self.stdout.write(f"Invitation for {admin.username} mailed to {admin.email}.")
        self.stdout.write("Her one-time link (give it to nobody else; it works once):")
        self.stdout.write(f"  {link}")
