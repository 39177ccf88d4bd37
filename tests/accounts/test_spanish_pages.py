"""Every page of this issue reads entirely in Spanish when Spanish is asked for.

Each page is rendered in English and in Spanish. A piece of visible text (text nodes and
alt, aria-label, placeholder and title attributes) that is the same in both, and is not
a name of a person, organisation or team, was not translated; neither was a piece of
the Spanish page that is a source string whose catalogue translation differs.

These tests fail while locale/es/LC_MESSAGES/django.po is incomplete or not compiled,
and should: see test_spanish_catalogue.py for how to fix the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import InvitationKind, Organization, Role, Team, User
from audit.models import Action, Outcome
from audit.services import record_event
from tests.accounts.helpers import (
    confirm_new_phone,
    enrolling_client,
    new_recovery_codes,
    password_only_client,
    password_step,
)
from tests.accounts.translation import (
    page_language,
    spelled_the_same,
    still_english,
    visible_pieces,
)
from tests.conftest import signed_in_client
from tests.factories import OrganizationFactory, TeamFactory, UserFactory, current_code, enrol_totp

NOW = "2026-03-02 15:00:00+00:00"
ALWAYS_THE_SAME = {"Amparo"}


@dataclass
class Network:
    organization: Organization
    team: Team
    people: dict[str, User]
    outsider: User
    language: str = "en"

    def client(self, client: Client) -> Client:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = self.language
        return client

    def signed_in(self, role: str) -> Client:
        return self.client(signed_in_client(self.people[role]))

    def anonymous(self, address: str = "127.0.0.1") -> Client:
        return self.client(Client(REMOTE_ADDR=address))

    def colleague(self, **fields) -> User:
        """A fresh person to act on, so that each language gets its own."""
        return UserFactory(organization=self.organization, **fields)


@pytest.fixture
def network(db) -> Network:
    organization = OrganizationFactory(name="Asociación Prueba")
    team = TeamFactory(organization=organization, name="Equipo Lima")
    people = {
        role: UserFactory(organization=organization, role=role, username=f"demo_{role}")
        for role in Role.values
    }
    team.members.add(people[Role.CASEWORKER])
    team.supervisors.add(people[Role.SUPERVISOR])
    outsider = UserFactory(organization=OrganizationFactory(name="Otra Organización"))
    for action, outcome in [
        (Action.LOGIN_SUCCEEDED, Outcome.ALLOWED),
        (Action.LOGIN_FAILED, Outcome.DENIED),
        (Action.TWO_FACTOR_VERIFIED, Outcome.ALLOWED),
        (Action.USER_CREATED, Outcome.ALLOWED),
        (Action.SESSION_EXPIRED, Outcome.ALLOWED),
    ]:
        record_event(action=action, outcome=outcome, actor=people[Role.ORG_ADMIN])
    return Network(organization, team, people, outsider)


PAGES: dict[str, Callable] = {}


def page(name: str) -> Callable:
    def register(render: Callable) -> Callable:
        PAGES[name] = render
        return render

    return register


# --- signing in ---------------------------------------------------------------------------


@page("login")
def _login(net: Network):
    return net.anonymous().get(reverse("accounts:login"))


@page("login, wrong password")
def _login_wrong(net: Network):
    return password_step(net.anonymous(), "demo_caseworker", "not-the-password")


@page("login, locked out")
def _login_locked(net: Network):
    client = net.anonymous(address=f"10.9.9.{len(net.language)}{ord(net.language[0]) % 10}")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = password_step(client, "demo_caseworker", "not-the-password")
    assert response.status_code == 429
    return response


@page("login, after signing out")
def _signed_out(net: Network):
    return net.signed_in(Role.CASEWORKER).post(reverse("accounts:logout"), follow=True)


@page("login, after an idle timeout")
def _idle(net: Network):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = net.signed_in(Role.CASEWORKER)
        clock.shift(timedelta(minutes=20))
        return client.get(reverse("home"), follow=True)


@page("login, after the absolute limit")
def _absolute(net: Network):
    client = net.signed_in(Role.CASEWORKER)
    session = client.session
    session["amparo_authenticated_at"] = (timezone.now() - timedelta(hours=9)).timestamp()
    session.save()
    return client.get(reverse("home"), follow=True)


@page("two-factor verify")
def _verify(net: Network):
    user = net.colleague()
    enrol_totp(user)
    return net.client(password_only_client(user)).get(reverse("accounts:two_factor_verify"))


@page("two-factor verify, wrong code")
def _verify_wrong(net: Network):
    user = net.colleague()
    device = enrol_totp(user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    return net.client(password_only_client(user)).post(
        reverse("accounts:two_factor_verify"), {"token": wrong}
    )


@page("two-factor enrolment")
def _enrol(net: Network):
    return net.client(enrolling_client(net.colleague())).get(
        reverse("accounts:two_factor_enrol")
    )


@page("two-factor enrolment, refused without a link")
def _enrol_refused(net: Network):
    return net.client(password_only_client(net.colleague())).get(
        reverse("accounts:two_factor_enrol")
    )


@page("two-factor enrolment, not six digits")
def _enrol_invalid(net: Network):
    return net.client(enrolling_client(net.colleague())).post(
        reverse("accounts:two_factor_enrol"), {"token": "12ab"}
    )


@page("two-factor enrolment, wrong code")
def _enrol_wrong(net: Network):
    user = net.colleague()
    client = net.client(enrolling_client(user))
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    return client.post(reverse("accounts:two_factor_enrol"), {"token": wrong})


@page("recovery codes")
def _recovery_codes(net: Network):
    user = net.colleague()
    return new_recovery_codes(net.client(signed_in_client(user)), user)


@page("security, new phone refused")
def _new_phone_refused(net: Network):
    user = net.colleague()
    return confirm_new_phone(net.client(signed_in_client(user)), user, password="wrong")


@page("security, new phone before confirming")
def _new_phone_unconfirmed(net: Network):
    return net.signed_in(Role.SUPERVISOR).get(reverse("accounts:two_factor_enrol"), follow=True)


# --- invitation links -----------------------------------------------------------------


def _invited(net: Network) -> tuple[User, str]:
    """A colleague with a fresh password-reset link, and the link's token."""
    person = net.colleague(email="nueva@example.org")
    link = services.operator_reset(user=person, kind=InvitationKind.PASSWORD_RESET)
    return person, link.rstrip("/").rsplit("/", 1)[-1]


def _invitation_token(net: Network) -> str:
    return _invited(net)[1]


@page("invitation")
def _invitation(net: Network):
    token = _invitation_token(net)
    return net.anonymous().get(reverse("accounts:invitation", args=[token]), follow=True)


@page("invitation, passwords refused")
def _invitation_refused_password(net: Network):
    token = _invitation_token(net)
    client = net.anonymous()
    client.get(reverse("accounts:invitation", args=[token]))
    return client.post(
        reverse("accounts:invitation_password"),
        {"new_password1": "short", "new_password2": "other"},
    )


@page("invitation, unknown link")
def _invitation_unknown(net: Network):
    return net.anonymous().get(reverse("accounts:invitation", args=["no-such-link"]))


@page("invitation, used link")
def _invitation_used(net: Network):
    token = _invitation_token(net)
    services.accept_invitation(
        digest=services.token_digest(token), password="a-long-enough-passphrase"
    )
    return net.anonymous().get(reverse("accounts:invitation", args=[token]))


@page("invitation, expired link")
def _invitation_expired(net: Network):
    token = _invitation_token(net)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        return net.anonymous().get(reverse("accounts:invitation", args=[token]))


@page("invitation, replaced link")
def _invitation_replaced(net: Network):
    person, token = _invited(net)
    services.operator_reset(user=person, kind=InvitationKind.PASSWORD_RESET)
    return net.anonymous().get(reverse("accounts:invitation", args=[token]))


@page("invitation, deactivated person")
def _invitation_inactive(net: Network):
    person, token = _invited(net)
    services.deactivate_user(actor=net.people[Role.ORG_ADMIN], user=person)
    return net.anonymous().get(reverse("accounts:invitation", args=[token]))


# --- home for each role -------------------------------------------------------------------


def _home(role: str) -> Callable:
    return lambda net: net.signed_in(role).get(reverse("home"))


for _role in Role.values:
    page(f"home, {_role}")(_home(_role))


@page("home, caseworker without a team")
def _home_without_team(net: Network):
    return net.client(signed_in_client(net.colleague(role=Role.CASEWORKER))).get(reverse("home"))


@page("home, auditor of a quiet organisation")
def _home_auditor_quiet(net: Network):
    quiet = OrganizationFactory()
    auditor = UserFactory(organization=quiet, role=Role.AUDITOR)
    return net.client(signed_in_client(auditor)).get(reverse("home"))


# --- one's own account --------------------------------------------------------------------


@page("security")
def _security(net: Network):
    return net.signed_in(Role.SUPERVISOR).get(reverse("accounts:security"))


@page("security, without two-factor (demo account)")
def _security_without(net: Network):
    with override_settings(AMPARO_DEMO=True):
        client = net.client(Client())
        person = net.colleague(demo_account=True)
        password_step(client, person.username)
        return client.get(reverse("accounts:security"))


@page("security, password refused")
def _security_refused(net: Network):
    return net.signed_in(Role.SUPERVISOR).post(
        reverse("accounts:security"),
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    )


@page("security, password changed")
def _security_changed(net: Network):
    user = net.colleague()
    new = "another-long-passphrase-9"
    return net.client(signed_in_client(user)).post(
        reverse("accounts:security"),
        {"old_password": "correct-horse-battery-staple", "new_password1": new,
         "new_password2": new},
        follow=True,
    )


# --- people -------------------------------------------------------------------------------


@page("user list")
def _user_list(net: Network):
    services.deactivate_user(actor=net.people[Role.ORG_ADMIN], user=net.colleague())
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:user_list"))


@page("user list, created message")
def _user_created(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_create"),
        {"username": f"nueva_{net.language}", "first_name": "Nueva", "role": Role.AUDITOR,
         "email": "nueva@example.org"},
        follow=True,
    )


@page("user form, new")
def _user_new(net: Network):
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:user_create"))


@page("user form, new, refused")
def _user_new_refused(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_create"),
        {"username": "demo_auditor", "email": "not-an-address", "role": "nonsense"},
    )


@page("user form, new, no teams yet")
def _user_new_no_teams(net: Network):
    admin = UserFactory(organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    return net.client(signed_in_client(admin)).get(reverse("accounts:user_create"))


@page("user form, edit")
def _user_edit(net: Network):
    person = net.colleague()
    enrol_totp(person)
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:user_edit", args=[person.pk]))


@page("user form, edit, deactivated without two-factor")
def _user_edit_deactivated(net: Network):
    person = net.colleague(is_active=False)
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:user_edit", args=[person.pk]))


@page("user form, own account")
def _user_edit_self(net: Network):
    admin = net.people[Role.ORG_ADMIN]
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:user_edit", args=[admin.pk]))


@page("user list, changes saved message")
def _user_saved(net: Network):
    person = net.colleague()
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_edit", args=[person.pk]),
        {"first_name": "Otra", "last_name": "Persona", "email": "", "role": Role.CASEWORKER},
        follow=True,
    )


@page("user list, deactivated message")
def _user_deactivated(net: Network):
    person = net.colleague()
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_deactivate", args=[person.pk]), follow=True
    )


@page("user form, cannot deactivate oneself")
def _user_deactivate_self(net: Network):
    admin = net.people[Role.ORG_ADMIN]
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_deactivate", args=[admin.pk]), follow=True
    )


@page("user list, reactivated message")
def _user_reactivated(net: Network):
    person = net.colleague(is_active=False)
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_reactivate", args=[person.pk]), follow=True
    )


@page("user form, two-factor reset message")
def _user_reset(net: Network):
    person = net.colleague(email="rosa@example.org")
    enrol_totp(person)
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_reset_two_factor", args=[person.pk]), follow=True
    )


@page("user form, password reset message")
def _user_reset_password(net: Network):
    person = net.colleague(email="rosa@example.org")
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_reset_password", args=[person.pk]), follow=True
    )


@page("user form, reset refused without an email address")
def _user_reset_no_email(net: Network):
    person = net.colleague(email="")
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_reset_password", args=[person.pk]), follow=True
    )


@page("user form, waiting for her invitation, new one sent")
def _user_resend(net: Network):
    admin = net.people[Role.ORG_ADMIN]
    person = services.create_user(
        actor=admin, username=f"invitada_{net.language}", role=Role.CASEWORKER,
        email="invitada@example.org",
    )
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:user_resend_invitation", args=[person.pk]), follow=True
    )


# --- teams --------------------------------------------------------------------------------


@page("team list")
def _team_list(net: Network):
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:team_list"))


@page("team list, empty")
def _team_list_empty(net: Network):
    admin = UserFactory(organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    return net.client(signed_in_client(admin)).get(reverse("accounts:team_list"))


@page("team list, created message")
def _team_created(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:team_create"), {"name": f"Equipo {net.language}"}, follow=True
    )


@page("team form, new")
def _team_new(net: Network):
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:team_create"))


@page("team form, duplicate name")
def _team_duplicate(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(reverse("accounts:team_create"), {"name": ""})


@page("team form, name taken")
def _team_taken(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(
        reverse("accounts:team_create"), {"name": net.team.name}
    )


@page("team form, edit")
def _team_edit(net: Network):
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:team_edit", args=[net.team.pk]))


# --- retention ------------------------------------------------------------------------


@page("retention period")
def _retention(net: Network):
    return net.signed_in(Role.ORG_ADMIN).get(reverse("accounts:retention"))


@page("retention period, refused")
def _retention_refused(net: Network):
    return net.signed_in(Role.ORG_ADMIN).post(reverse("accounts:retention"),
                                              {"retention_years": "99"})


@page("retention review queue, empty")
def _retention_queue(net: Network):
    return net.signed_in(Role.SUPERVISOR).get(reverse("cases:retention_reviews"))


# --- errors -------------------------------------------------------------------------------


@page("403")
def _forbidden(net: Network):
    response = net.signed_in(Role.CASEWORKER).get(reverse("accounts:user_list"))
    assert response.status_code == 403
    return response


@page("404")
def _not_found(net: Network):
    response = net.signed_in(Role.ORG_ADMIN).get(
        reverse("accounts:user_edit", args=[net.outsider.pk])
    )
    assert response.status_code == 404
    return response


# --- the checks ---------------------------------------------------------------------------


def _names() -> set[str]:
    """Names of people, organisations and teams: data, shown as entered."""
    names = set(ALWAYS_THE_SAME)
    for user in User.objects.all():
        names.update(
            {user.username, user.first_name, user.last_name, user.get_full_name(), user.email}
        )
    names.update(Organization.objects.values_list("name", flat=True))
    names.update(Team.objects.values_list("name", flat=True))
    return {name for name in names if name}


def _render(net: Network, name: str, language: str) -> str:
    net.language = language
    with time_machine.travel(NOW, tick=True):
        response = PAGES[name](net)
    assert response.status_code in (200, 403, 404, 410, 429), (name, response.status_code)
    html = response.content.decode()
    assert page_language(html) == language, f"{name} did not render in {language!r}"
    return html


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_untranslated_text(network, name):
    english_html = _render(network, name, "en")
    spanish_html = _render(network, name, "es")
    names = _names()

    english = visible_pieces(english_html, "en", names)
    spanish = visible_pieces(spanish_html, "es", names)

    same = spelled_the_same()
    unchanged = sorted(piece for piece in english & spanish if piece not in same)
    source_strings = sorted(spanish & still_english())
    assert not unchanged, f"{name}: still in English in Spanish: {unchanged}"
    assert not source_strings, f"{name}: untranslated source strings: {source_strings}"


def test_the_language_switch_changes_the_language_of_the_pages(network):
    client = network.anonymous()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("accounts:login")},
        follow=True,
    )

    html = response.content.decode()
    assert page_language(html) == "es"
    english = visible_pieces(_render(network, "login", "en"), "en", _names())
    assert not (visible_pieces(html, "es", _names()) & (english - spelled_the_same()))


def test_the_checks_see_the_text_they_are_meant_to_see(network):
    """Guard: the parser must find the page's text, or the tests above prove nothing."""
    pieces = visible_pieces(_render(network, "home, org_admin", "en"), "en", _names())

    assert "Sign out" in pieces
    assert "Manage people" in pieces
    assert "Skip to content" in pieces
    assert "Asociación Prueba" not in pieces  # names are data, not text to translate
    assert "English" not in pieces and "Español" not in pieces  # language names are lang-tagged
