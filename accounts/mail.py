"""Mail about people's accounts: invitation links, resets and role grants.

Sent after the change commits; a failed send is logged (without the link) and never
undoes the change: the administrator can send a new link, which replaces the old one.
An invitation link is a secret, so it is never written to a table or a log to be sent
later; that is why these mails do not go through the referrals' mail queue.

Mail holds staff names, roles, times and links to Amparo; never anything about a survivor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import InvitationKind, Role, User

logger = logging.getLogger("amparo.accounts")


def site_link(path: str) -> str:
    """An absolute link for a mail: settings' site URL, then the path."""
    return settings.AMPARO_SITE_URL.rstrip("/") + path


def home_link() -> str:
    return site_link(reverse("home"))


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _send_on_commit(*, kind: str, subject: str, body: str, addresses: Iterable[str]) -> None:
    addresses = sorted({address for address in addresses if address})
    if not addresses:
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, addresses, fail_silently=False)
        except Exception as error:  # noqa: BLE001 - a mail server failure never undoes the change
            # The kind and the error class only: the body may hold a one-time link.
            logger.warning("accounts: %s mail not sent (%s)", kind, type(error).__name__)

    transaction.on_commit(send)


def invitation_on_commit(*, person: User, kind: str, link: str, expires_at: datetime) -> None:
    """The one-time link, to the person herself."""
    with translation.override(settings.LANGUAGE_CODE):
        subjects = {
            InvitationKind.NEW_ACCOUNT: _("Your Amparo account is ready"),
            InvitationKind.PASSWORD_RESET: _("Your Amparo password was reset"),
            InvitationKind.TWO_FACTOR_RESET: _("Your Amparo two-factor sign-in was reset"),
        }
        what = {
            InvitationKind.NEW_ACCOUNT: _(
                "An account in Amparo was made for you (username: %(username)s). "
                "Nobody else knows its password: you choose it."
            ),
            InvitationKind.PASSWORD_RESET: _(
                "Your organisation's administrator reset your password (username: "
                "%(username)s). Your old password no longer works and you were signed out."
            ),
            InvitationKind.TWO_FACTOR_RESET: _(
                "Your organisation's administrator reset your two-factor sign-in (username: "
                "%(username)s). Your old phone and recovery codes no longer work and you "
                "were signed out."
            ),
        }
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": person.display_name},
                what[kind] % {"username": person.username},
                _(
                    "Open this link to choose your password and set up the code on your "
                    "phone: %(link)s"
                )
                % {"link": link},
                _("The link works once and until %(when)s.") % {"when": _when(expires_at)},
                _(
                    "If you did not expect this message, do not open the link: tell your "
                    "organisation's administrator."
                ),
                _("This message holds no personal data on purpose. Do not forward it."),
            ]
        )
        subject = str(subjects[kind])
    _send_on_commit(kind="invitation", subject=subject, body=body, addresses=[person.email])


def reset_notice_on_commit(
    *, person: User, kind: str, actor: User | None, recipients: Iterable[User]
) -> None:
    """Tell her team's supervisors that her sign-in was reset (no link: it is hers)."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == InvitationKind.PASSWORD_RESET:
            subject = _("The password of %(name)s was reset") % {"name": person.display_name}
        else:
            subject = _("The two-factor sign-in of %(name)s was reset") % {
                "name": person.display_name
            }
        body = "\n\n".join(
            [
                subject + ".",
                _("Reset by %(admin)s on %(when)s. She received a one-time link to sign in again.")
                % {
                    "admin": actor.display_name if actor else _("the installation's operator"),
                    "when": _when(timezone.now()),
                },
                _(
                    "If this is unexpected, tell your organisation's administrator and its "
                    "auditors: Amparo %(link)s"
                )
                % {"link": home_link()},
                _("This message holds no personal data on purpose. Do not forward it."),
            ]
        )
    _send_on_commit(
        kind="reset notice", subject=subject, body=body, addresses=[u.email for u in recipients]
    )


def role_granted_on_commit(
    *, person: User, role: str, actor: User | None, auditors: Iterable[User]
) -> None:
    """Tell the organisation's auditors that someone may now read survivor records."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(name)s now has the role %(role)s") % {
            "name": person.display_name,
            "role": Role(role).label,
        }
        body = "\n\n".join(
            [
                subject + ".",
                _(
                    "Given by %(admin)s on %(when)s. This role reads survivor records; "
                    "review the grant in Amparo: %(link)s"
                )
                % {
                    "admin": actor.display_name if actor else _("the installation's operator"),
                    "when": _when(timezone.now()),
                    "link": home_link(),
                },
                _("This message holds no personal data on purpose. Do not forward it."),
            ]
        )
    _send_on_commit(
        kind="role grant", subject=subject, body=body, addresses=[u.email for u in auditors]
    )
