"""The full transition matrix: every state × every step × every kind of person.

The expectation below is written from DESIGN §7 and the issue, not read from
``referrals.workflow.TRANSITIONS``: who may take each step, from which states, and where
it leads. Each cell is then tried through the step's service function on a referral
built in that state through the services, inside a savepoint that is rolled back, so one
referral serves all eleven people and eight steps:

- allowed → the referral is in the step's target state, with one new referral event
  (from, to, actor);
- a person who may never take the step → ``StepRefused`` with the transition's own
  ``refused`` text, or the self-approval text for the supervisor who submitted it;
- a person who may take the step but not in this state → ``StepNotAllowedNow`` naming
  the state, and nothing changed.

``allowed_steps`` (what the pages offer) must agree with the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.db import transaction
from guardian.shortcuts import assign_perm

from accounts.models import Role
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral, ReferralEvent
from referrals.workflow import TRANSITIONS, Step, StepNotAllowedNow, StepRefused, allowed_steps
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

S = rv.State

# --- the people ---------------------------------------------------------------------

OWNER = "owner caseworker"
VIEWER = "read-only viewer"
COLLABORATOR = "collaborator with change share"
SUBMITTER = "team supervisor who submitted"
TEAM_SUPERVISOR = "team supervisor who did not submit"
OTHER_TEAM_SUPERVISOR = "supervisor of another team"
PARTNER = "partner of the provider"
OTHER_PARTNER = "partner of another provider"
OUTSIDER = "outsider caseworker"
AUDITOR = "auditor"
ORG_ADMIN = "org admin"
PEOPLE = (
    OWNER,
    VIEWER,
    COLLABORATOR,
    SUBMITTER,
    TEAM_SUPERVISOR,
    OTHER_TEAM_SUPERVISOR,
    PARTNER,
    OTHER_PARTNER,
    OUTSIDER,
    AUDITOR,
    ORG_ADMIN,
)

# --- the rules, from DESIGN §7 ------------------------------------------------------

WORKS_THE_CASE = {OWNER, COLLABORATOR, SUBMITTER, TEAM_SUPERVISOR}
SUPERVISES_THE_TEAM = {SUBMITTER, TEAM_SUPERVISOR}
THE_PROVIDER = {PARTNER}

WHO = {
    Step.SUBMIT: WORKS_THE_CASE,
    Step.APPROVE: SUPERVISES_THE_TEAM,
    Step.RETURN: SUPERVISES_THE_TEAM,
    Step.SEND_EMERGENCY: WORKS_THE_CASE,
    Step.ACCEPT: THE_PROVIDER,
    Step.DECLINE: THE_PROVIDER,
    Step.COMPLETE: THE_PROVIDER | WORKS_THE_CASE,
    Step.WITHDRAW: WORKS_THE_CASE,
}
FROM = {
    Step.SUBMIT: {S.DRAFT},
    Step.APPROVE: {S.SUBMITTED},
    Step.RETURN: {S.SUBMITTED},
    Step.SEND_EMERGENCY: {S.DRAFT},
    Step.ACCEPT: {S.SENT},
    Step.DECLINE: {S.SENT},
    Step.COMPLETE: {S.ACCEPTED},
    Step.WITHDRAW: {S.DRAFT, S.SUBMITTED, S.SENT, S.ACCEPTED},
}
TO = {
    Step.SUBMIT: S.SUBMITTED,
    Step.APPROVE: S.SENT,
    Step.RETURN: S.DRAFT,
    Step.SEND_EMERGENCY: S.SENT,
    Step.ACCEPT: S.ACCEPTED,
    Step.DECLINE: S.DECLINED,
    Step.COMPLETE: S.COMPLETED,
    Step.WITHDRAW: S.WITHDRAWN,
}
# Approving or returning: never by the person who submitted.
NOT_BY_SUBMITTER = {Step.APPROVE, Step.RETURN}

SELF_APPROVAL = "You submitted this referral: another supervisor of the team must decide on it."
REFUSED = {
    Step.SUBMIT: "Only someone who works this case can submit its referrals.",
    Step.APPROVE: "Only a supervisor of the case's team can approve a referral.",
    Step.RETURN: "Only a supervisor of the case's team can return a referral.",
    Step.SEND_EMERGENCY: "Only someone who works this case can send its referrals.",
    Step.ACCEPT: "Only the organisation the referral was sent to can accept it.",
    Step.DECLINE: "Only the organisation the referral was sent to can decline it.",
    Step.COMPLETE: "Only the provider or someone who works this case can complete a referral.",
    Step.WITHDRAW: "Only someone who works this case can withdraw its referrals.",
}
STATE_LABELS = {
    S.DRAFT: "Draft",
    S.SUBMITTED: "Awaiting approval",
    S.SENT: "Sent",
    S.ACCEPTED: "Accepted",
    S.DECLINED: "Declined",
    S.COMPLETED: "Completed",
    S.WITHDRAWN: "Withdrawn",
}


def test_the_written_rules_match_the_table_in_the_code():
    """A guard on the guard: the spec above names every step, and the table's own
    targets and sources are the ones DESIGN §7 draws."""
    assert set(WHO) == set(FROM) == set(TO) == set(REFUSED) == set(TRANSITIONS)
    for step, transition in TRANSITIONS.items():
        assert transition.sources == FROM[step], step
        assert transition.target == TO[step], step
        assert str(transition.refused) == REFUSED[step], step
        assert transition.not_by_submitter == (step in NOT_BY_SUBMITTER), step


# --- referrals in each state, built through the services ----------------------------

# Every referral below is drafted by the owner, submitted by the ``SUBMITTER``
# supervisor (so that "the supervisor who submitted" is a real person) and approved by
# the other supervisor of the team. "draft" is a fresh draft nobody submitted yet;
# "draft (returned)" was submitted and returned, so it keeps its submitter. Every state
# is reachable through the services: no state is assigned directly.


def _draft(ctx):
    return ctx["draft"]


def _returned(ctx):
    submitted = _submitted(ctx)
    return services.return_referral(
        actor=ctx[TEAM_SUPERVISOR], referral=submitted, note="Add the needs."
    )


def _submitted(ctx):
    return services.submit_referral(actor=ctx[SUBMITTER], referral=ctx["draft"])


def _sent(ctx):
    return services.approve_referral(actor=ctx[TEAM_SUPERVISOR], referral=_submitted(ctx))


def _accepted(ctx):
    return services.accept_referral(actor=ctx[PARTNER], referral=_sent(ctx))


def _declined(ctx):
    return services.decline_referral(
        actor=ctx[PARTNER],
        referral=_sent(ctx),
        reason=rv.DeclineReason.NO_CAPACITY,
        note="Full until March.",
    )


def _completed(ctx):
    return services.complete_referral(
        actor=ctx[PARTNER],
        referral=_accepted(ctx),
        outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
    )


def _withdrawn(ctx):
    return services.withdraw_referral(
        actor=ctx[OWNER], referral=_sent(ctx), reason=rv.WithdrawReason.NEED_MET
    )


BUILDERS: dict[str, tuple[str, Callable]] = {
    "draft": (S.DRAFT, _draft),
    "draft (returned)": (S.DRAFT, _returned),
    "submitted": (S.SUBMITTED, _submitted),
    "sent": (S.SENT, _sent),
    "accepted": (S.ACCEPTED, _accepted),
    "declined": (S.DECLINED, _declined),
    "completed": (S.COMPLETED, _completed),
    "withdrawn": (S.WITHDRAWN, _withdrawn),
}


@pytest.fixture
def people(
    caseworker,
    viewer,
    case,
    supervisor,
    second_supervisor,
    partner,
    other_partner,
    outsider,
    auditor,
    org_admin,
    organization,
):
    collaborator = UserFactory(
        organization=organization, role=Role.CASEWORKER, username="collaborator"
    )
    assign_perm("cases.change_case", collaborator, case)
    other_team_supervisor = UserFactory(
        organization=organization, role=Role.SUPERVISOR, username="othersuper"
    )
    TeamFactory(organization=organization, name="Otro equipo").supervisors.add(
        other_team_supervisor
    )
    return {
        OWNER: caseworker,
        VIEWER: viewer,
        COLLABORATOR: collaborator,
        SUBMITTER: supervisor,
        TEAM_SUPERVISOR: second_supervisor,
        OTHER_TEAM_SUPERVISOR: other_team_supervisor,
        PARTNER: partner,
        OTHER_PARTNER: other_partner,
        OUTSIDER: outsider,
        AUDITOR: auditor,
        ORG_ADMIN: org_admin,
    }


@pytest.fixture
def build(people, draft):
    def make(name: str) -> Referral:
        state, builder = BUILDERS[name]
        referral = builder({**people, "draft": draft})
        referral = Referral.objects.get(pk=referral.pk)
        assert referral.state == state
        return referral

    return make


# --- expectation and attempt --------------------------------------------------------


def expected(referral: Referral, step: Step, person: str, people: dict) -> tuple[str, str]:
    """("allowed", "") or ("refused" / "not now", the message expected)."""
    if person not in WHO[step]:
        return "refused", REFUSED[step]
    if step in NOT_BY_SUBMITTER and referral.submitted_by_id == people[person].pk:
        return "refused", SELF_APPROVAL
    if referral.state not in FROM[step]:
        return "not now", (
            f"This referral is now “{STATE_LABELS[referral.state]}”: it cannot be changed "
            "that way. Nothing was changed."
        )
    return "allowed", ""


def take(step: Step, actor, referral: Referral) -> Referral:
    """The step's service, with the arguments a form would give it."""
    if step == Step.SUBMIT:
        return services.submit_referral(actor=actor, referral=referral)
    if step == Step.APPROVE:
        return services.approve_referral(actor=actor, referral=referral)
    if step == Step.RETURN:
        return services.return_referral(actor=actor, referral=referral, note="Say more.")
    if step == Step.SEND_EMERGENCY:
        return services.send_emergency(actor=actor, referral=referral, reason="Tonight.")
    if step == Step.ACCEPT:
        return services.accept_referral(actor=actor, referral=referral)
    if step == Step.DECLINE:
        return services.decline_referral(
            actor=actor, referral=referral, reason=rv.DeclineReason.NOT_ELIGIBLE, note="No."
        )
    if step == Step.COMPLETE:
        return services.complete_referral(
            actor=actor, referral=referral, outcome=rv.CompletionOutcome.PARTLY_PROVIDED
        )
    return services.withdraw_referral(
        actor=actor, referral=referral, reason=rv.WithdrawReason.SURVIVOR_DECLINED
    )


class _Undo(Exception):
    pass


@contextmanager
def rolled_back():
    """Run the attempt in savepoints of both databases and undo it afterwards."""
    try:
        with transaction.atomic(using="default"), transaction.atomic(using="keys"):
            yield
            raise _Undo
    except _Undo:
        pass


def attempt(step: Step, actor, referral: Referral) -> tuple[str, str]:
    """Try the step and say what happened; check that a refusal changed nothing."""
    events_before = ReferralEvent.objects.filter(referral=referral).count()
    with rolled_back():
        try:
            result = take(step, actor, Referral.objects.get(pk=referral.pk))
        except StepRefused as refusal:
            outcome = ("refused", refusal.message)
        except StepNotAllowedNow as refusal:
            assert refusal.code == "state"
            outcome = ("not now", refusal.messages[0])
        else:
            stored = Referral.objects.get(pk=referral.pk)
            event = ReferralEvent.objects.filter(referral=referral).order_by("-at", "-id")[0]
            assert result.state == stored.state == TO[step]
            assert (event.action, event.from_state, event.to_state, event.actor_id) == (
                step.value,
                referral.state,
                TO[step],
                actor.pk,
            )
            assert ReferralEvent.objects.filter(referral=referral).count() == events_before + 1
            return "allowed", ""
        stored = Referral.objects.get(pk=referral.pk)
        assert stored.state == referral.state, "a refused step changed the state"
        assert ReferralEvent.objects.filter(referral=referral).count() == events_before
    return outcome


# --- the matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("step", list(Step), ids=str)
@pytest.mark.parametrize("state", list(BUILDERS))
def test_every_person_gets_the_answer_the_rules_give(state, step, build, people):
    referral = build(state)
    wrong = []
    for person in PEOPLE:
        want = expected(referral, step, person, people)
        got = attempt(step, people[person], referral)
        if got != want:
            wrong.append(f"{person}: expected {want}, got {got}")
    assert not wrong, f"{step} on a {state} referral:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("state", list(BUILDERS))
def test_allowed_steps_offers_exactly_what_the_matrix_allows(state, build, people):
    referral = build(state)
    wrong = []
    for person in PEOPLE:
        offered = {t.step for t in allowed_steps(people[person], referral)}
        want = {step for step in Step if expected(referral, step, person, people)[0] == "allowed"}
        if offered != want:
            wrong.append(f"{person}: offered {sorted(offered)}, expected {sorted(want)}")
    assert not wrong, f"{state}:\n  " + "\n  ".join(wrong)


def test_the_matrix_is_not_vacuous(build, people):
    """Each kind of answer occurs: a sanity check on the expectation itself."""
    submitted = build("submitted")
    kinds = {expected(submitted, step, person, people)[0] for step in Step for person in PEOPLE}
    assert kinds == {"allowed", "refused", "not now"}
    assert expected(submitted, Step.APPROVE, SUBMITTER, people) == ("refused", SELF_APPROVAL)
    assert expected(submitted, Step.APPROVE, TEAM_SUPERVISOR, people)[0] == "allowed"


def test_a_deactivated_owner_may_take_no_step(build, people):
    referral = build("draft")
    owner = people[OWNER]
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert allowed_steps(owner, referral) == []
    assert attempt(Step.SUBMIT, owner, referral) == ("refused", REFUSED[Step.SUBMIT])


# --- a step chosen on an older look at the referral -----------------------------------


def test_a_step_chosen_on_what_the_person_saw_is_refused_once_the_referral_moved_on(build, people):
    """The caseworker saw it awaiting approval and chose "withdraw"; meanwhile it was
    approved. Withdrawing a sent referral is allowed, but not what she chose: refused."""
    submitted = build("submitted")
    services.approve_referral(
        actor=people[TEAM_SUPERVISOR], referral=submitted, seen_state=S.SUBMITTED
    )
    with pytest.raises(StepNotAllowedNow) as refused:
        services.withdraw_referral(
            actor=people[OWNER],
            referral=submitted,
            reason=rv.WithdrawReason.NEED_MET,
            seen_state=S.SUBMITTED,
        )
    assert refused.value.code == "state"
    assert "“Sent”" in refused.value.messages[0]
    assert "Nothing was changed" in refused.value.messages[0]
    stored = Referral.objects.get(pk=submitted.pk)
    assert stored.state == S.SENT and stored.packet is not None
    assert [e.action for e in stored.events.all()] == ["submit", "approve"]
    # Seeing it as it is now, she may withdraw it.
    services.withdraw_referral(
        actor=people[OWNER], referral=stored, reason=rv.WithdrawReason.NEED_MET, seen_state=S.SENT
    )
    assert Referral.objects.get(pk=submitted.pk).state == S.WITHDRAWN


def test_without_a_seen_state_the_table_alone_decides(build, people):
    sent = build("sent")
    services.withdraw_referral(
        actor=people[OWNER], referral=sent, reason=rv.WithdrawReason.NEED_MET
    )
    assert Referral.objects.get(pk=sent.pk).state == S.WITHDRAWN
