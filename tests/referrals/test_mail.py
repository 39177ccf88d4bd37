"""Referral mail: the people who must act are told, with the case code and a link and
nothing about her; a mail server that fails never undoes a step, and the mail is sent
later exactly once (referrals/mail.py)."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.services.work import add_note
from referrals import services
from referrals import vocabularies as rv
from referrals.models import OutgoingMail, Referral, ReferralEvent
from referrals.workflow import StepRefused
from tests.canary import encoded_forms, make_canary

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

Kind = OutgoingMail.Kind
SITE = "https://amparo.example.org"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down; its message quotes an address, as real ones do."""

    def send_messages(self, email_messages):
        raise SMTPException("550 mailbox supervisor@ngo.invalid unavailable")


@pytest.fixture(autouse=True)
def site(settings):
    settings.AMPARO_SITE_URL = SITE
    return settings


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """``mails(step)`` runs a step, lets its mail leave, and says who was told what."""

    def run(step):
        before = set(OutgoingMail.objects.values_list("pk", flat=True))
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            step()
        owed = OutgoingMail.objects.exclude(pk__in=before).select_related("recipient")
        told = sorted((m.kind, m.recipient.email) for m in owed)
        assert all(m.sent_at is not None and m.attempts == 1 for m in owed)
        delivered = sorted(address for m in mail.outbox[sent_before:] for address in m.to)
        assert delivered == sorted(email for _kind, email in told)
        return told

    return run


@pytest.fixture
def people(caseworker, supervisor, second_supervisor, partner, other_partner, viewer):
    viewer.email = "viewer@ngo.invalid"
    viewer.save(update_fields=["email"])
    return {
        "caseworker": caseworker.email,
        "supervisor": supervisor.email,
        "supervisor2": second_supervisor.email,
        "partner": partner.email,
    }


# --- who is told what -----------------------------------------------------------------


def test_each_step_tells_the_people_who_must_act_next(
    people, mails, draft, caseworker, supervisor, second_supervisor, partner
):
    to_approve = sorted(
        [(Kind.TO_APPROVE, people["supervisor"]), (Kind.TO_APPROVE, people["supervisor2"])]
    )
    assert mails(lambda: services.submit_referral(actor=caseworker, referral=draft)) == to_approve
    assert mails(
        lambda: services.return_referral(
            actor=supervisor, referral=draft, note="Add her languages."
        )
    ) == [(Kind.RETURNED, people["caseworker"])]
    assert mails(lambda: services.submit_referral(actor=caseworker, referral=draft)) == to_approve
    assert mails(lambda: services.approve_referral(actor=second_supervisor, referral=draft)) == [
        (Kind.TO_ANSWER, people["partner"])
    ]
    assert mails(lambda: services.accept_referral(actor=partner, referral=draft)) == [
        (Kind.ANSWERED, people["caseworker"])
    ]
    assert mails(
        lambda: services.complete_referral(
            actor=partner, referral=draft, outcome=rv.CompletionOutcome.SERVICE_PROVIDED
        )
    ) == [(Kind.COMPLETED, people["caseworker"])]


def test_a_supervisor_who_submits_is_not_asked_to_approve_herself(people, mails, draft, supervisor):
    assert mails(lambda: services.submit_referral(actor=supervisor, referral=draft)) == [
        (Kind.TO_APPROVE, people["supervisor2"])
    ]


def test_a_decline_tells_the_caseworker(people, mails, sent, partner):
    assert mails(
        lambda: services.decline_referral(
            actor=partner, referral=sent, reason=rv.DeclineReason.NO_CAPACITY, note="Full."
        )
    ) == [(Kind.ANSWERED, people["caseworker"])]


def test_completion_by_the_caseworker_tells_nobody(people, mails, accepted, caseworker):
    assert (
        mails(
            lambda: services.complete_referral(
                actor=caseworker, referral=accepted, outcome=rv.CompletionOutcome.SURVIVOR_LEFT
            )
        )
        == []
    )


@pytest.mark.parametrize("state", ["sent", "accepted"])
def test_withdrawing_after_sending_tells_the_provider(request, state, people, mails, caseworker):
    referral = request.getfixturevalue(state)
    assert mails(
        lambda: services.withdraw_referral(
            actor=caseworker, referral=referral, reason=rv.WithdrawReason.NEED_MET
        )
    ) == [(Kind.WITHDRAWN, people["partner"])]


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_withdrawing_before_sending_tells_nobody(request, state, people, mails, caseworker):
    referral = request.getfixturevalue(state)
    assert (
        mails(
            lambda: services.withdraw_referral(
                actor=caseworker, referral=referral, reason=rv.WithdrawReason.NEED_MET
            )
        )
        == []
    )


def test_an_emergency_send_tells_the_supervisors_and_the_provider(people, mails, draft, caseworker):
    assert mails(
        lambda: services.send_emergency(actor=caseworker, referral=draft, reason="He found her.")
    ) == sorted(
        [
            (Kind.TO_REVIEW, people["supervisor"]),
            (Kind.TO_REVIEW, people["supervisor2"]),
            (Kind.TO_ANSWER, people["partner"]),
        ]
    )


def test_people_without_an_address_or_no_longer_active_are_skipped(
    people, mails, draft, caseworker, second_supervisor
):
    second_supervisor.is_active = False
    second_supervisor.save(update_fields=["is_active"])
    assert mails(lambda: services.submit_referral(actor=caseworker, referral=draft)) == [
        (Kind.TO_APPROVE, people["supervisor"])
    ]


def test_a_refused_step_owes_no_mail(people, submitted, supervisor, caseworker):
    with pytest.raises(StepRefused):
        services.accept_referral(actor=caseworker, referral=submitted)
    assert not OutgoingMail.objects.exclude(kind=Kind.TO_APPROVE).exists()


# --- what a mail says -----------------------------------------------------------------


def test_mail_carries_the_case_code_and_a_link_and_nothing_about_her(
    make_case, caseworker, supervisor, second_supervisor, partner, shelter, mails
):
    canaries = [make_canary("given"), make_canary("family")]
    case = make_case(caseworker, given_names=canaries[0], family_names=canaries[1])
    for person, address in ((caseworker, "cw@ngo.invalid"), (supervisor, "sup@ngo.invalid")):
        person.email = address
        person.save(update_fields=["email"])
    from cases import vocabularies as cv
    from tests.referrals.conftest import referral_consent

    referral_consent(actor=caseworker, case=case, recipient_service_type=cv.ServiceType.SHELTER)

    def canary(prefix: str) -> str:
        canaries.append(make_canary(prefix))
        return canaries[-1]

    chosen = add_note(actor=caseworker, case=case, body=canary("note"))

    def draft() -> Referral:
        return services.create_referral(
            actor=caseworker,
            case=case,
            offering=shelter,
            urgency=rv.Urgency.URGENT,
            reason=canary("reason"),
            items=[*rv.minimum_necessary("shelter"), "notes"],
            note_ids=[str(chosen.pk)],
            beyond_minimum_reason=canary("beyond"),
        )

    first = draft()
    mails(lambda: services.submit_referral(actor=caseworker, referral=first))
    mails(lambda: services.return_referral(actor=supervisor, referral=first, note=canary("return")))
    mails(lambda: services.submit_referral(actor=caseworker, referral=first))
    mails(lambda: services.approve_referral(actor=supervisor, referral=first))
    mails(lambda: services.accept_referral(actor=partner, referral=first))
    mails(
        lambda: services.complete_referral(
            actor=partner,
            referral=first,
            outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
            note=canary("outcome"),
        )
    )
    second = draft()
    mails(
        lambda: services.send_emergency(
            actor=caseworker, referral=second, reason=canary("emergency")
        )
    )
    mails(
        lambda: services.decline_referral(
            actor=partner, referral=second, reason=rv.DeclineReason.OTHER, note=canary("decline")
        )
    )
    third = draft()
    mails(lambda: services.submit_referral(actor=caseworker, referral=third))
    mails(lambda: services.approve_referral(actor=supervisor, referral=third))
    mails(
        lambda: services.withdraw_referral(
            actor=caseworker,
            referral=third,
            reason=rv.WithdrawReason.OTHER,
            note=canary("withdraw"),
        )
    )

    assert len(mail.outbox) >= 12
    kinds = set(OutgoingMail.objects.values_list("kind", flat=True))
    assert kinds == set(Kind.values)  # every kind of mail was composed at least once
    for message in mail.outbox:
        assert case.code in message.subject and case.code in message.body
        referral_id = next(r.pk for r in (first, second, third) if str(r.pk) in message.body)
        links = {
            SITE + reverse("referrals:detail", kwargs={"referral_id": referral_id}),
            SITE + reverse("referrals:packet", kwargs={"referral_id": referral_id}),
        }
        assert any(link in message.body for link in links), message.body
        raw = message.message().as_bytes()
        for secret in canaries:
            for form_name, form in encoded_forms(secret).items():
                assert form not in raw, f"{form_name} of {secret[:10]}… in {message.subject}"
                assert form not in message.body.encode()
                assert form not in message.subject.encode()


def test_partners_are_linked_to_the_packet_and_case_people_to_the_referral(
    people, mails, submitted, supervisor, partner
):
    mails(lambda: services.approve_referral(actor=supervisor, referral=submitted))
    mails(lambda: services.accept_referral(actor=partner, referral=submitted))
    by_address = {m.to[0]: m.body for m in mail.outbox}
    packet = SITE + reverse("referrals:packet", kwargs={"referral_id": submitted.pk})
    detail = SITE + reverse("referrals:detail", kwargs={"referral_id": submitted.pk})
    assert packet in by_address[people["partner"]]
    assert detail in by_address[people["caseworker"]]


# --- a mail server that is down -------------------------------------------------------


def test_a_failing_mail_server_leaves_the_step_done_and_the_mail_owed(
    settings, draft, caseworker, supervisor, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.referrals.test_mail.FailingBackend"
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_referral(actor=caseworker, referral=draft)

    # The step is done and recorded.
    assert Referral.objects.get(pk=draft.pk).state == rv.State.SUBMITTED
    assert ReferralEvent.objects.filter(referral=draft, action="submit").count() == 1
    # The mail is owed: one attempt, the next one planned later, no address in the error.
    owed = OutgoingMail.objects.get()
    assert (owed.kind, owed.recipient, owed.sent_at, owed.attempts) == (
        Kind.TO_APPROVE,
        supervisor,
        None,
        1,
    )
    assert owed.next_attempt_at > started
    assert owed.next_attempt_at >= timezone.now() + timedelta(seconds=30)
    assert owed.last_error == "SMTPException"
    assert "supervisor@ngo.invalid" not in caplog.text
    assert mail.outbox == []

    # Still down: a run of the command counts another attempt and sends nothing.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []  # not due yet
    assert OutgoingMail.objects.get().attempts == 1

    # Back up, after the retry time: sent once, and a second run sends nothing more.
    with time_machine.travel(owed.next_attempt_at + timedelta(seconds=1), tick=False):
        from io import StringIO

        out = StringIO()
        call_command("send_pending_mail", stdout=out)
        assert "sent: 1" in out.getvalue()
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [supervisor.email]
        owed.refresh_from_db()
        assert owed.sent_at is not None and owed.attempts == 2 and owed.last_error == ""
        again = StringIO()
        call_command("send_pending_mail", stdout=again)
        assert "sent: 0" in again.getvalue()
    assert len(mail.outbox) == 1


def test_a_mail_server_down_twice_plans_a_later_attempt(
    settings, draft, caseworker, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.referrals.test_mail.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_referral(actor=caseworker, referral=draft)
    first = OutgoingMail.objects.get()
    with time_machine.travel(first.next_attempt_at + timedelta(seconds=1), tick=False):
        call_command("send_pending_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
        second = OutgoingMail.objects.get()
        assert second.attempts == 2 and second.sent_at is None
        # Backing off: the wait after the second failure is longer than after the first.
        assert second.next_attempt_at - timezone.now() > first.next_attempt_at - first.created_at


def test_a_queue_that_is_down_leaves_the_mail_for_the_command(
    monkeypatch, draft, caseworker, supervisor, django_capture_on_commit_callbacks
):
    from referrals import mail as referral_mail

    def down(*args, **kwargs):
        raise ConnectionError("task queue unavailable")

    monkeypatch.setattr(referral_mail, "deliver", SimpleNamespace(enqueue=down))
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_referral(actor=caseworker, referral=draft)
    assert Referral.objects.get(pk=draft.pk).state == rv.State.SUBMITTED
    owed = OutgoingMail.objects.get()
    assert owed.attempts == 0 and owed.sent_at is None
    monkeypatch.undo()
    call_command("send_pending_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
