"""``manage.py send_pending_mail``: send the referral notifications still owed (cron)."""

from django.core.management.base import BaseCommand

from referrals.mail import send_pending


class Command(BaseCommand):
    help = "Send the referral notifications that are due and not yet sent."

    def handle(self, *args, **options) -> None:
        sent, failed = send_pending()
        self.stdout.write(f"sent: {sent}, still failing: {failed}")
