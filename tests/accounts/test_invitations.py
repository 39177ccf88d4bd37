"""A one-time link is the only way into a new or reset account: it works once, for a
while, for an active person, and only the newest one; everything else is refused with a
clear page and an event. Only a digest of its token is stored."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, InvitationKind, Role, User
from audit.models import AccessEvent, Action, Outcome
from tests.accounts.helpers import in_english, is_fully_signed_in
from tests.accounts.invitations import (
    LINK,
    SITE_URL,
    choose_password,
    link_in,
    mails_to,
    path_of,
    post_password,
    token_of,
)
from tests.factories import current_code, enrol_totp

NEW_PASSWORD = "lantern-river-morning-stone"

pytestmark = pytest.mark.usefixtures("site_url")


@pytest.fixture
def invited(org_admin, team, committed):
    """A caseworker just invited by her organisation's administrator, and her link."""
    with committed():
        person = services.create_user(
            actor=org_admin,
            username="rosa",
            role=Role.CASEWORKER,
            email="rosa@example.org",
            first_name="Rosa",
            teams=[team],
        )
    return person, link_in(mails_to("rosa@example.org")[-1])


def _choose(client: Client, link: str, password: str = NEW_PASSWORD, again: str | None = None):
    return choose_password(client, link, password, again)


def _events(action: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=action))


# --- the link that works ------------------------------------------------------------


def test_the_invitation_mail_links_to_the_site_and_says_when_it_expires(invited):
    person, link = invited
    message = mails_to(person.email)[-1]

    assert link.startswith(f"{SITE_URL}/accounts/invitation/")
    assert message.subject == "Your Amparo account is ready"
    assert "rosa" in message.body
    assert "The link works once and until" in message.body
    assert message.to == ["rosa@example.org"]


def test_she_chooses_her_password_and_goes_on_to_enrol_her_phone(invited, client):
    person, link = invited

    opened = in_english(client).get(path_of(link))
    # The page goes on at an address without the token (history, logs, Referer).
    assert opened.status_code == 302
    assert opened.url == reverse("accounts:invitation_password")
    assert token_of(link) not in opened.url
    page = client.get(opened.url)
    assert page.status_code == 200
    assert page.context["person"] == person
    response = post_password(client, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_enrol")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    enrolment = client.get(reverse("accounts:two_factor_enrol"))
    assert enrolment.status_code == 200
    device = person.totpdevice_set.get(confirmed=False)
    codes = client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})
    assert codes.status_code == 200
    assert is_fully_signed_in(client)


def test_only_a_digest_of_the_token_is_stored(invited):
    _person, link = invited
    token = token_of(link)

    invitation = Invitation.objects.get()
    assert invitation.token_digest == services.token_digest(token)
    assert token not in invitation.token_digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_invitation")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM audit_accessevent")
        rows += cursor.fetchall()
    assert token not in repr(rows)


def test_opening_and_using_the_link_are_one_event_each(invited, client):
    person, link = invited
    before = AccessEvent.objects.count()

    client.get(path_of(link))
    assert AccessEvent.objects.count() == before + 1
    opened = AccessEvent.objects.latest("id")
    assert (opened.action, opened.target_id, opened.purpose) == (
        Action.INVITATION_OPENED, str(person.pk), InvitationKind.NEW_ACCOUNT
    )

    client.get(reverse("accounts:invitation_password"))
    assert AccessEvent.objects.count() == before + 1
    post_password(client, NEW_PASSWORD)
    assert AccessEvent.objects.count() == before + 2
    accepted = AccessEvent.objects.latest("id")
    assert (accepted.action, accepted.actor) == (Action.INVITATION_ACCEPTED, person)


def test_a_weak_password_is_refused_and_the_link_still_works(invited, client):
    person, link = invited

    response = _choose(in_english(client), link, password="password1234")

    assert response.status_code == 200
    assert "This password is too common." in response.context["form"].errors["new_password1"]
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert Invitation.objects.get().used_at is None
    assert post_password(client, NEW_PASSWORD).status_code == 302


def test_two_different_passwords_are_refused(invited, client):
    person, link = invited

    response = _choose(in_english(client), link, again="something-else-entirely")

    assert response.context["form"].errors["new_password2"] == [
        "The two passwords are not the same."
    ]
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_password_like_her_username_is_refused(invited, client):
    _person, link = invited

    response = _choose(in_english(client), link, password="rosa@example.org")

    assert response.context["form"].errors["new_password1"]


@override_settings(AMPARO_INVITATION_LIFETIME=timedelta(hours=2))
def test_the_lifetime_is_a_setting(org_admin):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        person = services.create_user(
            actor=org_admin, username="ana", role=Role.AUDITOR, email="ana@example.org"
        )

    assert person.invitations.get().expires_at == now + timedelta(hours=2)


def test_the_default_lifetime_is_72_hours():
    assert timedelta(hours=72) == settings.AMPARO_INVITATION_LIFETIME


def test_someone_else_signed_in_on_that_browser_is_signed_out(invited, client_for, supervisor):
    person, link = invited
    client = client_for(supervisor)

    _choose(client, link)

    assert client.session["_auth_user_id"] == str(person.pk)


# --- links that are refused ------------------------------------------------------------


def _assert_refused(response, reason: str, status: int = 410) -> None:
    assert response.status_code == status
    assert [t.name for t in response.templates][0] == "accounts/invitation_refused.html"
    assert response.context["reason"] == reason
    event = AccessEvent.objects.latest("id")
    assert event.action == Action.INVITATION_REFUSED
    assert event.outcome == Outcome.DENIED
    assert event.purpose == reason


def test_a_used_link_is_refused(invited, client):
    person, link = invited
    _choose(client, link)

    response = in_english(Client()).get(path_of(link))

    _assert_refused(response, services.REFUSAL_USED)
    assert "It was already used" in response.content.decode()
    assert AccessEvent.objects.latest("id").target_id == str(person.pk)


def test_a_link_opened_twice_sets_the_password_only_once(invited):
    """Opened in two browsers (or tabs): the first to choose wins, the second is refused."""
    person, link = invited
    first, second = Client(), Client()
    first.get(path_of(link))
    second.get(path_of(link))
    assert post_password(first, NEW_PASSWORD).status_code == 302

    response = post_password(second, "a-thief-chooses-this-one")

    _assert_refused(response, services.REFUSAL_USED)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_the_password_page_without_a_link_is_refused(db):
    response = in_english(Client()).post(
        reverse("accounts:invitation_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    _assert_refused(response, services.REFUSAL_UNKNOWN, status=404)


def test_the_link_itself_takes_no_post(invited):
    _person, link = invited

    response = Client().post(
        path_of(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 405
    assert Invitation.objects.get().used_at is None


def test_an_expired_link_is_refused_and_changes_nothing(invited):
    person, link = invited

    with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=1)):
        page = in_english(Client()).get(path_of(link))

    _assert_refused(page, services.REFUSAL_EXPIRED)
    assert "It has expired" in page.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()


@override_settings(AMPARO_INVITATION_LIFETIME=timedelta(hours=1))
def test_a_link_that_expires_while_its_page_is_open_is_refused(org_admin, committed):
    with committed():
        person = services.create_user(
            actor=org_admin, username="ana", role=Role.AUDITOR, email="ana@example.org"
        )
    client = Client()
    client.get(path_of(link_in(mails_to("ana@example.org")[-1])))

    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        response = post_password(client, NEW_PASSWORD)

    _assert_refused(response, services.REFUSAL_EXPIRED)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_link_still_works_just_before_it_expires(invited):
    _person, link = invited

    with time_machine.travel(timezone.now() + timedelta(hours=71, minutes=59)):
        assert _choose(Client(), link).status_code == 302


def test_a_replaced_link_is_refused(invited, org_admin, committed):
    person, old_link = invited
    with committed():
        services.resend_invitation(actor=org_admin, user=person)
    new_link = link_in(mails_to(person.email)[-1])

    _assert_refused(_choose(Client(), old_link), services.REFUSAL_SUPERSEDED)
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert _choose(Client(), new_link).status_code == 302


def test_the_link_of_a_deactivated_person_is_refused(invited, org_admin):
    person, link = invited
    opened_before = Client()
    opened_before.get(path_of(link))
    services.deactivate_user(actor=org_admin, user=person)

    _assert_refused(post_password(opened_before, NEW_PASSWORD), services.REFUSAL_INACTIVE)

    _assert_refused(Client().get(path_of(link)), services.REFUSAL_INACTIVE)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_reactivating_her_does_not_revive_the_old_link(invited, org_admin):
    person, link = invited
    services.deactivate_user(actor=org_admin, user=person)
    services.reactivate_user(actor=org_admin, user=person)

    _assert_refused(Client().get(path_of(link)), services.REFUSAL_SUPERSEDED)


def test_an_unknown_link_is_refused_with_404(db):
    response = in_english(Client()).get(reverse("accounts:invitation", args=["made-up-token"]))

    _assert_refused(response, services.REFUSAL_UNKNOWN, status=404)
    assert "This link is not valid" in response.content.decode()
    assert AccessEvent.objects.latest("id").target_id == ""


def test_the_refusal_page_is_in_spanish_too(invited, client):
    _person, link = invited
    _choose(client, link)

    response = Client(HTTP_ACCEPT_LANGUAGE="es").get(path_of(link))

    assert "Este enlace ya no funciona" in response.content.decode()
    assert "Ya se usó" in response.content.decode()


# --- a password reset link --------------------------------------------------------------


def test_after_a_password_reset_she_signs_in_with_her_phone_as_before(
    org_admin, caseworker, committed
):
    caseworker.email = "caseworker@example.org"
    caseworker.save(update_fields=["email"])
    device = enrol_totp(caseworker)
    with committed():
        services.reset_password(actor=org_admin, user=caseworker)
    link = link_in(mails_to("caseworker@example.org")[-1])
    client = Client()

    response = _choose(client, link)

    assert response.url == reverse("accounts:two_factor_verify")
    # Her phone stays hers: no new one may be enrolled with the link.
    assert client.get(reverse("accounts:two_factor_enrol")).url == reverse(
        "accounts:two_factor_verify"
    )
    client.post(reverse("accounts:two_factor_verify"), {"token": current_code(device)})
    assert is_fully_signed_in(client)


def test_no_mail_without_a_commit(org_admin, team):
    """A creation that fails halfway sends no link and leaves nobody behind."""
    with pytest.raises(Exception):  # noqa: B017 - whatever the database raises
        from django.db import transaction

        with transaction.atomic():
            services.create_user(
                actor=org_admin, username="luz", role=Role.CASEWORKER, email="luz@example.org"
            )
            raise RuntimeError("the request failed after the service")

    assert mail.outbox == []
    assert not User.objects.filter(username="luz").exists()
    assert not Invitation.objects.exists()


def test_a_mail_server_that_fails_undoes_nothing_and_logs_no_link(
    org_admin, committed, caplog
):
    import smtplib
    from unittest import mock

    caplog.set_level(logging.DEBUG)
    with mock.patch(
        "accounts.mail.send_mail", side_effect=smtplib.SMTPException("down")
    ) as send, committed():
        person = services.create_user(
            actor=org_admin, username="luz", role=Role.CASEWORKER, email="luz@example.org"
        )

    assert send.call_count == 1
    body = send.call_args.args[1]
    token = token_of(LINK.search(body).group(1))
    assert User.objects.filter(pk=person.pk).exists()
    assert Invitation.objects.get(user=person).used_at is None
    assert "invitation mail not sent (SMTPException)" in caplog.text
    assert token not in caplog.text
