"""Every change to people, teams and their second factor goes through here.

Each function is atomic, takes the acting user as ``actor`` and writes its audit event
in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organization, Role, Team, User
from audit.models import Action, Outcome
from audit.services import record_event

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"


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


@transaction.atomic
def regenerate_recovery_codes(*, actor: User) -> list[str]:
    codes = _replace_recovery_codes(actor)
    record_event(action=Action.RECOVERY_CODES_REGENERATED, actor=actor, target=actor)
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """An org admin clears a colleague's lost phone; she enrols again at next sign-in."""
    _require_org_admin(actor, user.organization)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    record_event(action=Action.TWO_FACTOR_RESET, actor=actor, target=user)


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
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    teams: Iterable[Team] = (),
) -> User:
    organization = actor.organization
    _require_org_admin(actor, organization)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        organization=organization,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_memberships(user, teams)
    record_event(action=Action.USER_CREATED, actor=actor, target=user)
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
    user.role = role
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.full_clean()
    user.save(update_fields=["role", "first_name", "last_name", "email"])
    _set_memberships(user, teams)
    record_event(action=Action.USER_UPDATED, actor=actor, target=user)
    return user


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
