"""Notifications of the referral workflow: owed in the transaction, delivered after it.

A step writes one ``OutgoingMail`` row per recipient inside its own transaction, so the
debt is never lost; after commit each row is handed to a background task
(django-tasks). The task sends it or, when the mail server fails, counts the attempt and
sets the next one (``AMPARO_MAIL_RETRY_MINUTES``); a backend that can defer runs it again
then, and ``manage.py send_pending_mail`` (cron, or after an outage) sends whatever is
due. A mail server that is down therefore never undoes a step.

A mail names the case by its code and links to the page where the person acts. It never
carries survivor content: no name, no reason, no note (tests plant canaries).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from referrals.models import OutgoingMail, Referral

try:  # Django 6 ships the tasks framework; on 5.2 it is the django-tasks package.
    from django.tasks import task, task_backends  # type: ignore[import-not-found]
except ImportError:
    from django_tasks import task, task_backends

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("amparo.referrals")
Kind = OutgoingMail.Kind


def owe(kind: str, referral: Referral, recipients: Iterable[User]) -> list[OutgoingMail]:
    """Record the mails owed (call inside the step's transaction); send them after commit."""
    seen: set[int] = set()
    owed = []
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active or not person.email:
            continue
        seen.add(person.pk)
        owed.append(OutgoingMail.objects.create(kind=kind, referral=referral, recipient=person))
    for mail in owed:
        transaction.on_commit(lambda mail_id=str(mail.pk): _enqueue(mail_id))
    return owed


def _enqueue(mail_id: str, run_after=None) -> None:
    try:
        if run_after is not None:
            deliver.using(run_after=run_after).enqueue(mail_id)
        else:
            deliver.enqueue(mail_id)
    except Exception:  # the queue itself is down: send_pending_mail picks the row up
        logger.exception("could not queue notification %s", mail_id)


def _link(mail: OutgoingMail) -> str:
    if mail.kind in (Kind.TO_ANSWER, Kind.WITHDRAWN):
        path = reverse("referrals:packet", kwargs={"referral_id": mail.referral_id})
    else:
        path = reverse("referrals:detail", kwargs={"referral_id": mail.referral_id})
    return settings.AMPARO_SITE_URL.rstrip("/") + path


def compose(mail: OutgoingMail) -> tuple[str, str]:
    """Subject and body: the case code, what to do, a link. Nothing about her."""
    code = mail.referral.case.code
    subjects = {
        Kind.TO_APPROVE: _("Referral for %(code)s awaits your approval"),
        Kind.TO_REVIEW: _("Emergency referral for %(code)s awaits your review"),
        Kind.TO_ANSWER: _("New referral %(code)s for your organisation"),
        Kind.RETURNED: _("Your referral for %(code)s was returned"),
        Kind.ANSWERED: _("Your referral for %(code)s was answered"),
        Kind.COMPLETED: _("Your referral for %(code)s was completed"),
        Kind.WITHDRAWN: _("Referral %(code)s was withdrawn"),
    }
    subject = subjects[mail.kind] % {"code": code}
    body = "\n\n".join(
        [
            subject + ".",
            _("Open Amparo to see it: %(link)s") % {"link": _link(mail)},
            _("This message holds no personal data on purpose. Do not forward it."),
        ]
    )
    return subject, body


def _retry_delay(attempts: int) -> timedelta:
    waits = settings.AMPARO_MAIL_RETRY_MINUTES
    return timedelta(minutes=waits[min(attempts, len(waits)) - 1])


@task()
def deliver(mail_id: str) -> bool:
    """Send one owed mail unless already sent; on failure, plan the next attempt."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update()
            .select_related("referral__case", "recipient")
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None:
            return True
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = compose(mail)
        try:
            send_mail(subject, body, None, [mail.recipient.email], fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any mail server failure: keep the debt, try later
            mail.attempts += 1
            mail.last_error = type(error).__name__[:100]
            mail.next_attempt_at = timezone.now() + _retry_delay(mail.attempts)
            mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("notification %s not sent (%s); attempt %d", mail.pk,
                           mail.last_error, mail.attempts)
            if task_backends[deliver.backend].supports_defer:
                run_after = mail.next_attempt_at
                transaction.on_commit(lambda: _enqueue(str(mail.pk), run_after))
            return False
        mail.attempts += 1
        mail.sent_at = timezone.now()
        mail.last_error = ""
        mail.save(update_fields=["attempts", "sent_at", "last_error"])
    return True


def send_pending(*, now=None) -> tuple[int, int]:
    """Send every owed mail that is due; ``(sent, still failing)``."""
    now = now or timezone.now()
    due = OutgoingMail.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
    sent = failed = 0
    for mail_id in due.values_list("pk", flat=True):
        if deliver.call(str(mail_id)):
            sent += 1
        else:
            failed += 1
    return sent, failed
