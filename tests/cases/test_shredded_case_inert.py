"""A shredded case is inert (issue 12, opening 10): nothing is done to it any more, her
consents read as ended, her follow-ups leave every home and she leaves her link groups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases import vocabularies as v
from cases.models import Case, CaseLink, Consent, FollowUp
from cases.queries import open_follow_ups, visible_cases
from cases.services import intake, work
from cases.services.intake import Identity
from cases.services.management import (
    assign_case,
    close_case,
    confirm_shredding,
    reopen_case,
    request_shredding,
    share_case,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SHREDDED = "Her data was shredded: nothing more can be recorded in this case."


@pytest.fixture
def client_for(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def worked_case(caseworker, supervisor, case, make_case):
    """Her case with a live consent, open follow-ups and a link group, then closed."""
    work.record_consent(
        actor=caseworker, case=case, purpose=v.ConsentPurpose.REFERRAL, given=True,
        method=v.ConsentMethod.VERBAL, given_by=v.ConsentGivenBy.SURVIVOR,
        recipient_service_type=v.ServiceType.SHELTER, scope=[v.ConsentScope.values[0]],
    )
    for days in (3, 10):
        work.add_follow_up(
            actor=caseworker, case=case, kind=v.FollowUpKind.CHECK_IN,
            due_on=timezone.localdate() + timedelta(days=days), assignee=caseworker,
        )
    group = work.create_link_group(actor=caseworker, case=case, label="Casa de Tumbes")
    work.add_to_link_group(actor=caseworker, case=make_case(caseworker), group=group)
    close_case(actor=caseworker, case=case, status=v.CaseStatus.CLOSED,
               reason=v.ClosureReason.values[0],
               check_ins=[timezone.localdate() + timedelta(days=30)])
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def shredded(worked_case, supervisor, org_admin, django_capture_on_commit_callbacks):
    item = request_shredding(
        actor=supervisor, case=worked_case, reason=v.ShredReason.SURVIVOR_REQUEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=item)
    return Case.objects.select_related("survivor").get(pk=worked_case.pk)


def test_a_shredded_case_cannot_be_reopened_shared_assigned_or_edited(
    shredded, caseworker, supervisor, organization, team
):
    colleague = UserFactory(organization=organization, role=Role.CASEWORKER)
    team.members.add(colleague)
    refusals = [
        lambda: reopen_case(actor=supervisor, case=shredded, reason=v.ReopenReason.values[0]),
        lambda: share_case(actor=supervisor, case=shredded, colleague=colleague, can_work=False),
        lambda: assign_case(actor=supervisor, case=shredded, owner=colleague),
        lambda: intake.update_identity(
            actor=caseworker, case=shredded, identity=Identity(given_names="Otra"), guardian=None
        ),
        lambda: work.add_note(actor=caseworker, case=shredded, body="Nada."),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError, match="shredded"):
            refused()
    case = Case.objects.get(pk=shredded.pk)
    assert case.is_closed and case.owner == caseworker
    assert not visible_cases(colleague).filter(pk=case.pk).exists()


def test_reopening_a_shredded_case_over_http_changes_nothing(client_for, shredded, supervisor):
    response = client_for(supervisor).post(
        reverse("cases:reopen", kwargs={"case_id": shredded.pk}),
        {"reason": v.ReopenReason.values[0]},
    )
    assert response.status_code == 200
    assert SHREDDED in response.content.decode()
    assert Case.objects.get(pk=shredded.pk).is_closed


def test_the_case_page_offers_no_step_on_a_shredded_case(client_for, shredded, supervisor):
    page = client_for(supervisor).get(reverse("cases:case_detail", kwargs={"case_id": shredded.pk}))
    text = page.content.decode()
    for name in ("cases:reopen", "cases:share", "cases:assign", "cases:shred_request"):
        assert reverse(name, kwargs={"case_id": shredded.pk}) not in text


def test_her_consents_end_with_her_data(shredded, client_for, caseworker):
    consent = Consent.objects.get(case=shredded)
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_reason == v.ConsentWithdrawalReason.SHREDDED
    assert not consent.is_live()
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": shredded.pk}))
    assert "In force" not in page.content.decode()


def test_her_follow_ups_are_cancelled_and_leave_every_home(
    shredded, client_for, caseworker, supervisor
):
    follow_ups = FollowUp.objects.filter(case=shredded)
    assert follow_ups.count() == 3  # two check-ins and the re-trafficking check-in
    assert set(follow_ups.values_list("outcome", flat=True)) == {v.FollowUpOutcome.CANCELLED}
    assert not open_follow_ups(visible_cases(caseworker)).filter(case=shredded).exists()
    for person in (caseworker, supervisor):
        home = client_for(person).get(reverse("home"))
        assert home.status_code == 200
        assert all(item.case_id != shredded.pk for item in home.context["follow_ups"])


def test_she_leaves_her_link_groups(shredded):
    assert not CaseLink.objects.filter(case=shredded).exists()


def test_the_consent_form_does_not_offer_the_shredding_reason():
    from cases.forms.work import WithdrawConsentForm

    offered = [value for value, _label in WithdrawConsentForm().fields["reason"].choices]
    assert v.ConsentWithdrawalReason.SHREDDED not in offered
