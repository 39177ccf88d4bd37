"""Every change to people, teams and their second factor goes through here.

Each function is atomic, takes the acting user as ``actor`` and writes its audit event
in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mail
from accounts.models import Invitation, InvitationKind, Organization, Role, Team, User
from audit.models import Action, Outcome
from audit.services import record_event

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
# Roles that read survivor content (DESIGN §1): granting one is mailed to the auditors.
CONTENT_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def _require_org_admin(actor: User, organization: Organization) -> None:
    if not (actor.has_role(Role.ORG_ADMIN) and actor.organization_id == organization.pk):
        raise PermissionDenied


# --- sign-in --------------------------------------------------------------------------


def record_login(*, actor: User) -> None:
    record_event(action=Action.LOGIN_SUCCEEDED, actor=actor)


def record_failed_login(*, username: str) -> None:
    """A failed password. The attempted username is never stored: it may be a password
    typed in the wrong box. An existing account is named by its row, not by the text."""
    user = User.objects.filter(username=username).first() if username else None
    record_event(
        action=Action.LOGIN_FAILED,
        outcome=Outcome.DENIED,
        target=user,
        organization=user.organization if user else None,
    )


def record_lockout(*, username: str) -> None:
    user = User.objects.filter(username=username).first() if username else None
    record_event(
        action=Action.LOGIN_LOCKED_OUT,
        outcome=Outcome.DENIED,
        target=user,
        organization=user.organization if user else None,
    )


def record_logout(*, actor: User) -> None:
    record_event(action=Action.LOGOUT, actor=actor)


# --- second factor --------------------------------------------------------------------


def pending_totp_device(*, actor: User) -> TOTPDevice:
    """The unconfirmed authenticator that enrolment shows as a QR code (made once)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return confirmed_totp_device(user) is not None


@transaction.atomic
def confirm_enrolment(*, actor: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with a first code; return fresh recovery codes.

    Returns None when the code is wrong. Any older authenticator is removed: one person,
    one phone.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    if device.confirmed or not device.verify_token(token):
        record_event(action=Action.TWO_FACTOR_FAILED, actor=actor, outcome=Outcome.DENIED)
        return None
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(actor)
    record_event(action=Action.TWO_FACTOR_ENROLLED, actor=actor, target=actor)
    return codes


@transaction.atomic
def verify_second_factor(*, actor: User, token: str) -> TOTPDevice | StaticDevice | None:
    """Check an authenticator code or a recovery code; return the device that matched.

    django-otp refuses an authenticator code that was already used (it remembers the
    last time step) and deletes a recovery code once it has been used.
    """
    token = "".join(token.split())
    device = confirmed_totp_device(actor)
    if device is not None and token.isdigit():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.verify_token(token):
            record_event(action=Action.TWO_FACTOR_VERIFIED, actor=actor)
            return device
    recovery = StaticDevice.objects.filter(user=actor, name=RECOVERY_DEVICE_NAME).first()
    if recovery is not None and device is not None:
        recovery = StaticDevice.objects.select_for_update().get(pk=recovery.pk)
        if recovery.verify_token(token.lower()):
            record_event(action=Action.RECOVERY_CODE_USED, actor=actor)
            return recovery
    record_event(action=Action.TWO_FACTOR_FAILED, actor=actor, outcome=Outcome.DENIED)
    return None


def _replace_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [_recovery_code() for _ in range(settings.AMPARO_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _recovery_code() -> str:
    # 10 characters of base32 without look-alikes; 50 bits, single use.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _check_password_and_code(actor: User, password: str, token: str) -> bool:
    """Both the password and a current code (authenticator or recovery code).

    Both are checked whatever the first answer, so the time taken does not tell which
    was wrong. A matching code is used up, as at sign-in.
    """
    password_ok = actor.check_password(password)
    token = "".join(token.split())
    code_ok = False
    device = confirmed_totp_device(actor)
    if device is not None and token.isdigit():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        code_ok = device.verify_token(token)
    if not code_ok and device is not None:
        recovery = StaticDevice.objects.filter(user=actor, name=RECOVERY_DEVICE_NAME).first()
        if recovery is not None:
            recovery = StaticDevice.objects.select_for_update().get(pk=recovery.pk)
            code_ok = recovery.verify_token(token.lower())
    return password_ok and code_ok


@transaction.atomic
def confirm_second_factor_change(*, actor: User, password: str, token: str) -> bool:
    """Before she moves to a new phone: her password and a current code, both right.

    A session that is merely open (a shared shelter computer left unlocked) must not be
    enough to replace her phone with someone else's.
    """
    if not _check_password_and_code(actor, password, token):
        record_event(
            action=Action.TWO_FACTOR_CHANGE_REFUSED,
            actor=actor,
            target=actor,
            outcome=Outcome.DENIED,
            purpose="new_phone",
        )
        return False
    record_event(action=Action.TWO_FACTOR_CHANGE_CONFIRMED, actor=actor, target=actor)
    return True


@transaction.atomic
def regenerate_recovery_codes(*, actor: User, password: str, token: str) -> list[str] | None:
    """New recovery codes, only with her password and a current code; None when refused."""
    if not _check_password_and_code(actor, password, token):
        record_event(
            action=Action.TWO_FACTOR_CHANGE_REFUSED,
            actor=actor,
            target=actor,
            outcome=Outcome.DENIED,
            purpose="recovery_codes",
        )
        return None
    codes = _replace_recovery_codes(actor)
    record_event(action=Action.RECOVERY_CODES_REGENERATED, actor=actor, target=actor)
    return codes


def record_enrolment_refused(*, actor: User) -> None:
    """A session without an invitation link (or a confirmed change) asked to enrol."""
    record_event(
        action=Action.TWO_FACTOR_ENROLMENT_REFUSED,
        actor=actor,
        target=actor,
        outcome=Outcome.DENIED,
    )


def record_password_change(*, actor: User) -> None:
    record_event(action=Action.PASSWORD_CHANGED, actor=actor, target=actor)


def record_failed_password_change(*, actor: User) -> None:
    record_event(
        action=Action.PASSWORD_CHANGE_REFUSED, actor=actor, target=actor, outcome=Outcome.DENIED
    )


# --- people and teams -----------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    role: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    teams: Iterable[Team] = (),
) -> User:
    """A new colleague, invited by mail: she chooses her own password through the link.

    The administrator never sets, sees or knows it; until the link is used the account
    has no usable password.
    """
    organization = actor.organization
    _require_org_admin(actor, organization)
    user = _new_person(
        organization=organization,
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    _set_memberships(user, teams)
    _issue_invitation(person=user, kind=InvitationKind.NEW_ACCOUNT, sent_by=actor)
    record_event(action=Action.USER_CREATED, actor=actor, target=user, purpose=role)
    return user


def _new_person(
    *, organization: Organization, username: str, role: str, email: str, first_name: str,
    last_name: str,
) -> User:
    if not email:
        raise ValidationError({"email": _("An email address is needed to send the invitation.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        organization=organization,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def update_user(
    *,
    actor: User,
    user: User,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    teams: Iterable[Team],
) -> User:
    _require_org_admin(actor, user.organization)
    if user.pk == actor.pk and role != Role.ORG_ADMIN:
        # Otherwise the last administrator could lock her organisation out of its own users.
        raise ValidationError({"role": _("You cannot take away your own administrator role.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    previous_role = user.role
    user.role = role
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.full_clean()
    user.save(update_fields=["role", "first_name", "last_name", "email"])
    _set_memberships(user, teams)
    if not note_role_grant(actor=actor, user=user, previous_role=previous_role):
        record_event(action=Action.USER_UPDATED, actor=actor, target=user)
    return user


def note_role_grant(*, actor: User | None, user: User, previous_role: str) -> bool:
    """When an existing account gains a role that reads survivor records, record it and
    tell the organisation's auditors (after commit). True when it was such a grant.

    Call inside the transaction of the change; Django's admin calls it too.
    """
    if user.role not in CONTENT_ROLES or user.role == previous_role:
        return False
    record_event(
        action=Action.ROLE_GRANTED,
        actor=actor,
        target=user,
        purpose=user.role,
        organization=user.organization,
    )
    auditors = User.objects.filter(
        organization_id=user.organization_id, role=Role.AUDITOR, is_active=True
    ).exclude(email="")
    mail.role_granted_on_commit(person=user, role=user.role, actor=actor, auditors=auditors)
    return True


def _set_memberships(user: User, teams: Iterable[Team]) -> None:
    """Caseworkers are members of their teams; supervisors supervise theirs."""
    teams = [team for team in teams if team.organization_id == user.organization_id]
    if user.role == Role.SUPERVISOR:
        user.supervised_teams.set(teams)
        user.teams.clear()
    elif user.role == Role.CASEWORKER:
        user.teams.set(teams)
        user.supervised_teams.clear()
    else:
        user.teams.clear()
        user.supervised_teams.clear()


@transaction.atomic
def deactivate_user(*, actor: User, user: User) -> None:
    """Deactivation ends the person's open sessions at once, on every device."""
    _require_org_admin(actor, user.organization)
    if user.pk == actor.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    # Her pending link dies with the account; reactivating her does not revive it.
    Invitation.objects.filter(
        user=user, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=timezone.now())
    record_event(action=Action.USER_DEACTIVATED, actor=actor, target=user)


@transaction.atomic
def reactivate_user(*, actor: User, user: User) -> None:
    _require_org_admin(actor, user.organization)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(action=Action.USER_REACTIVATED, actor=actor, target=user)


def _end_sessions(user: User) -> None:
    # Sessions live at most AMPARO_SESSION_ABSOLUTE_LIMIT, so the live ones are few.
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()


# --- invitations: one-time links by which a person sets her own password -----------


class InvitationRefused(Exception):
    """A link that no longer works; ``reason`` is one of the ``REFUSAL_*`` codes."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


REFUSAL_UNKNOWN = "unknown"
REFUSAL_USED = "used"
REFUSAL_EXPIRED = "expired"
REFUSAL_SUPERSEDED = "superseded"
REFUSAL_INACTIVE = "inactive"


def token_digest(token: str) -> str:
    """What is stored of a link's token. 256 random bits need no slow hash: nobody can
    try enough tokens to find one from its digest."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_link(token: str) -> str:
    return mail.site_link(reverse("accounts:invitation", kwargs={"token": token}))


def _issue_invitation(*, person: User, kind: str, sent_by: User | None) -> str:
    """Make a new link for ``person`` (older pending links stop working); mail it on
    commit and return it. The token itself is kept nowhere."""
    now = timezone.now()
    # Invitation has no history table: a bulk update is safe here.
    Invitation.objects.filter(
        user=person, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=person,
        kind=kind,
        token_digest=token_digest(token),
        created_by=sent_by,
        created_at=now,
        expires_at=now + settings.AMPARO_INVITATION_LIFETIME,
    )
    link = invitation_link(token)
    mail.invitation_on_commit(
        person=person, kind=kind, link=link, expires_at=invitation.expires_at
    )
    return link


def _refusal(invitation: Invitation | None, now: datetime) -> str:
    if invitation is None:
        return REFUSAL_UNKNOWN
    if not invitation.user.is_active:
        return REFUSAL_INACTIVE
    if invitation.used_at is not None:
        return REFUSAL_USED
    if invitation.superseded_at is not None:
        return REFUSAL_SUPERSEDED
    if invitation.expires_at <= now:
        return REFUSAL_EXPIRED
    return ""


def _find_invitation(digest: str, *, lock: bool = False) -> Invitation | None:
    rows = Invitation.objects.select_related("user")
    if lock:
        # Two tabs posting the same link at once: the second waits, then finds it used.
        rows = rows.select_for_update(of=("self",))
    return rows.filter(token_digest=digest).first()


def _record_refusal(error: InvitationRefused) -> None:
    person = error.invitation.user if error.invitation is not None else None
    record_event(
        action=Action.INVITATION_REFUSED,
        outcome=Outcome.DENIED,
        target=person,
        target_type="user",
        purpose=error.reason,
        organization=person.organization if person else None,
    )


def open_invitation(*, token: str) -> Invitation:
    """The link was opened: it still works (an event), or InvitationRefused (an event).

    The page then carries on under the link's digest (kept in the session), so the token
    itself leaves the address bar and is never written anywhere, not even in a sign-in
    log that records the address of the request.
    """
    invitation = check_invitation(digest=token_digest(token))
    with transaction.atomic():
        record_event(
            action=Action.INVITATION_OPENED,
            target=invitation.user,
            purpose=invitation.kind,
            organization=invitation.user.organization,
        )
    return invitation


def check_invitation(*, digest: str) -> Invitation:
    """The invitation whose token has this digest, if it still works; otherwise
    InvitationRefused, recorded as a denial."""
    invitation = _find_invitation(digest)
    reason = _refusal(invitation, timezone.now())
    if reason:
        error = InvitationRefused(reason, invitation)
        with transaction.atomic():
            _record_refusal(error)
        raise error
    return invitation


@dataclass(frozen=True)
class AcceptedInvitation:
    person: User
    kind: str
    needs_enrolment: bool


def accept_invitation(*, digest: str, password: str) -> AcceptedInvitation:
    """She sets her own password through a link that still works; the link is used up.

    ``digest``: of the link's token (see open_invitation). The caller has validated the
    password. Raises InvitationRefused (recorded) for a link that is unknown, used,
    replaced, expired, or of a deactivated person.
    """
    try:
        return _accept_invitation(digest=digest, password=password)
    except InvitationRefused as error:
        # Recorded in a transaction of its own: the refused one was rolled back.
        with transaction.atomic():
            _record_refusal(error)
        raise


@transaction.atomic
def _accept_invitation(*, digest: str, password: str) -> AcceptedInvitation:
    invitation = _find_invitation(digest, lock=True)
    now = timezone.now()
    reason = _refusal(invitation, now)
    if reason:
        raise InvitationRefused(reason, invitation)
    person = User.objects.select_for_update().get(pk=invitation.user_id)
    person.set_password(password)
    person.save(update_fields=["password"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    record_event(
        action=Action.INVITATION_ACCEPTED,
        actor=person,
        target=person,
        purpose=invitation.kind,
    )
    return AcceptedInvitation(
        person=person, kind=invitation.kind, needs_enrolment=not has_two_factor(person)
    )


def _supervisors_of(person: User) -> list[User]:
    """The supervisors of the teams she works in or supervises, herself excepted."""
    return list(
        User.objects.filter(
            is_active=True,
            supervised_teams__in=[*person.teams.all(), *person.supervised_teams.all()],
        )
        .exclude(pk=person.pk)
        .exclude(email="")
        .distinct()
    )


def _require_reachable(person: User) -> None:
    if not person.is_active:
        raise ValidationError(_("This account is deactivated: reactivate it first."))
    if not person.email:
        raise ValidationError(
            _("This person has no email address: add one so that the link can reach her.")
        )


@transaction.atomic
def reset_password(*, actor: User, user: User) -> None:
    """An org admin resets a colleague's password: the old one stops working at once,
    her sessions end, and she gets a one-time link to choose a new one. Her phone stays
    hers: after the new password she signs in with its code as before."""
    _require_org_admin(actor, user.organization)
    if user.pk == actor.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reachable(user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    _end_sessions(user)
    _issue_invitation(person=user, kind=InvitationKind.PASSWORD_RESET, sent_by=actor)
    mail.reset_notice_on_commit(
        person=user,
        kind=InvitationKind.PASSWORD_RESET,
        actor=actor,
        recipients=_supervisors_of(user),
    )
    record_event(action=Action.PASSWORD_RESET, actor=actor, target=user)


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """An org admin clears a colleague's lost phone: her authenticator and recovery codes
    stop working at once, her sessions end, and she gets a one-time link by which she
    chooses a new password and enrols a new phone. Her old password alone cannot enrol
    one (whoever stole it with the phone would)."""
    _require_org_admin(actor, user.organization)
    if user.pk == actor.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reachable(user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    _issue_invitation(person=user, kind=InvitationKind.TWO_FACTOR_RESET, sent_by=actor)
    mail.reset_notice_on_commit(
        person=user,
        kind=InvitationKind.TWO_FACTOR_RESET,
        actor=actor,
        recipients=_supervisors_of(user),
    )
    record_event(action=Action.TWO_FACTOR_RESET, actor=actor, target=user)


def awaits_invitation(user: User) -> bool:
    """A new account whose person has not chosen her password yet."""
    return not user.has_usable_password() and not user.invitations.filter(
        used_at__isnull=False
    ).exists()


@transaction.atomic
def resend_invitation(*, actor: User, user: User) -> None:
    """A new link for someone who has not used hers (lost, expired): the old one stops."""
    _require_org_admin(actor, user.organization)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reachable(user)
    if user.has_usable_password():
        raise ValidationError(_("She has already chosen her password: reset it instead."))
    latest = user.invitations.order_by("-created_at").first()
    kind = latest.kind if latest is not None else InvitationKind.NEW_ACCOUNT
    _issue_invitation(person=user, kind=kind, sent_by=actor)
    record_event(action=Action.INVITATION_SENT, actor=actor, target=user, purpose=kind)


# --- the installation's operator (management commands) --------------------------------


@transaction.atomic
def create_organization(
    *,
    name: str,
    kind: str,
    country: str,
    city: str,
    admin_username: str,
    admin_email: str,
    admin_first_name: str = "",
    admin_last_name: str = "",
) -> tuple[Organization, User, str]:
    """A new organisation and its first administrator, invited by a one-time link.

    Run by the installation's operator (no actor). Returns the link too, for an operator
    without mail; it is not kept anywhere.
    """
    if Organization.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    organization = Organization(name=name.strip(), kind=kind, country=country, city=city)
    organization.full_clean()
    organization.save()
    record_event(
        action=Action.ORGANIZATION_CREATED, target=organization, organization=organization
    )
    admin = _new_person(
        organization=organization,
        username=admin_username,
        role=Role.ORG_ADMIN,
        email=admin_email,
        first_name=admin_first_name,
        last_name=admin_last_name,
    )
    link = _issue_invitation(person=admin, kind=InvitationKind.NEW_ACCOUNT, sent_by=None)
    record_event(
        action=Action.USER_CREATED, target=admin, purpose=Role.ORG_ADMIN, organization=organization
    )
    return organization, admin, link


@transaction.atomic
def operator_reset(*, user: User, kind: str) -> str:
    """The operator sends a person a new link (e.g. her organisation's only administrator
    lost her phone). ``kind``: a password or a second-factor reset, or a new link for an
    account that was never used. Returns the link, for an operator without mail."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reachable(user)
    if kind == InvitationKind.NEW_ACCOUNT and not awaits_invitation(user):
        raise ValidationError(_("She has already chosen her password: reset it instead."))
    if kind == InvitationKind.PASSWORD_RESET:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif kind == InvitationKind.TWO_FACTOR_RESET:
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    link = _issue_invitation(person=user, kind=kind, sent_by=None)
    if kind != InvitationKind.NEW_ACCOUNT:
        mail.reset_notice_on_commit(
            person=user, kind=kind, actor=None, recipients=_supervisors_of(user)
        )
    actions = {
        InvitationKind.NEW_ACCOUNT: Action.INVITATION_SENT,
        InvitationKind.PASSWORD_RESET: Action.PASSWORD_RESET,
        InvitationKind.TWO_FACTOR_RESET: Action.TWO_FACTOR_RESET,
    }
    record_event(action=actions[kind], target=user, purpose=kind, organization=user.organization)
    return link


# --- teams ----------------------------------------------------------------------------


@transaction.atomic
def create_team(
    *, actor: User, name: str, members: Iterable[User], supervisors: Iterable[User]
) -> Team:
    organization = actor.organization
    _require_org_admin(actor, organization)
    team = Team(organization=organization, name=name)
    team.full_clean()
    team.save()
    _set_team_people(team, members, supervisors)
    record_event(action=Action.TEAM_CREATED, actor=actor, target=team)
    return team


@transaction.atomic
def set_partner_contact(*, actor: User, contact: str) -> Organization:
    """The contact channel partners see on what her organisation refers to them."""
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    _require_org_admin(actor, organization)
    organization.partner_contact = (contact or "").strip()
    organization.full_clean()
    organization.save(update_fields=["partner_contact"])
    record_event(action=Action.ORGANIZATION_UPDATED, actor=actor, target=organization,
                 organization=organization)
    return organization


@transaction.atomic
def set_retention_years(*, actor: User, retention_years: int) -> Organization:
    """How many years her organisation keeps a closed case before it is reviewed for
    shredding (cases.services.retention). The event's purpose names the setting; the
    value is no secret, but an event carries codes, not values."""
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    _require_org_admin(actor, organization)
    organization.retention_years = retention_years
    organization.full_clean()
    organization.save(update_fields=["retention_years"])
    record_event(action=Action.ORGANIZATION_UPDATED, actor=actor, target=organization,
                 organization=organization, purpose="retention_years")
    return organization


@transaction.atomic
def set_show_case_code_only(*, actor: User, show_case_code_only: bool) -> Organization:
    """Whether her organisation's case lists and case headers show the case code alone
    (cases.labels). The event's purpose says which way it was set: a code, so the auditor
    sees when names stopped (or started) being shown without opening anything."""
    if not isinstance(show_case_code_only, bool):
        raise ValidationError(_("Choose how cases are labelled."), code="invalid")
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    _require_org_admin(actor, organization)
    organization.show_case_code_only = show_case_code_only
    organization.full_clean()
    organization.save(update_fields=["show_case_code_only"])
    record_event(action=Action.ORGANIZATION_UPDATED, actor=actor, target=organization,
                 organization=organization,
                 purpose="case_code_only" if show_case_code_only else "case_names_shown")
    return organization


@transaction.atomic
def update_team(
    *, actor: User, team: Team, name: str, members: Iterable[User], supervisors: Iterable[User]
) -> Team:
    _require_org_admin(actor, team.organization)
    team = Team.objects.select_for_update().get(pk=team.pk)
    team.name = name
    team.full_clean()
    team.save(update_fields=["name"])
    _set_team_people(team, members, supervisors)
    record_event(action=Action.TEAM_UPDATED, actor=actor, target=team)
    return team


def _set_team_people(team: Team, members: Iterable[User], supervisors: Iterable[User]) -> None:
    org = team.organization_id
    team.members.set([u for u in members if u.organization_id == org and u.role == Role.CASEWORKER])
    team.supervisors.set(
        [u for u in supervisors if u.organization_id == org and u.role == Role.SUPERVISOR]
    )
