"""Who reaches the case side of referrals: partners and outsiders get 404 on every URL,
a read-only colleague may read the referral page but gets 403 on every write, no step
goes through a GET, and every request leaves exactly one access event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from referrals import vocabularies as rv
from referrals.models import Referral

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

CASE_STEPS = ["submit", "approve", "return", "send_emergency", "complete", "withdraw"]


def urls(referral):
    kwargs = {"referral_id": referral.pk}
    return {
        "create": reverse("referrals:create", kwargs={"case_id": referral.case_id}),
        "detail": reverse("referrals:detail", kwargs=kwargs),
        "edit": reverse("referrals:edit", kwargs=kwargs),
        "review": reverse("referrals:review", kwargs=kwargs),
        **{
            f"step:{step}": reverse("referrals:step", kwargs={**kwargs, "step": step})
            for step in CASE_STEPS
        },
    }


def methods(name):
    """The methods each URL accepts: the page is read-only, steps and review POST only."""
    if name == "detail":
        return ("get",)
    if name.startswith("step:") or name == "review":
        return ("post",)
    return ("get", "post")


def events_since(before):
    return list(AccessEvent.objects.filter(pk__gt=before).exclude(
        action__in=(Action.VAULT_KEY_CREATED, Action.VAULT_OWNER_SHREDDED)
    ))


def last_id():
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("who", ["partner", "other_partner", "outsider", "auditor", "org_admin"])
def test_people_outside_the_case_get_404_on_every_case_side_url(
    who, request, client_for, sent
):
    person = request.getfixturevalue(who)
    client = client_for(person)
    for name, url in urls(sent).items():
        for method in methods(name):
            before = last_id()
            response = getattr(client, method)(url)
            assert response.status_code == 404, (who, name, method)
            (event,) = events_since(before)
            assert event.outcome == Outcome.DENIED and event.case_code == ""
    sent.refresh_from_db()
    assert sent.state == rv.State.SENT


def test_the_partner_of_the_provider_gets_404_on_the_case_side_even_for_her_referral(
    client_for, partner, accepted
):
    response = client_for(partner).get(urls(accepted)["detail"])
    assert response.status_code == 404


def test_a_read_only_colleague_may_read_the_referral_page_without_any_step(
    client_for, viewer, submitted
):
    response = client_for(viewer).get(urls(submitted)["detail"])
    assert response.status_code == 200
    assert response.context["steps"] == [] and response.context["read_only"]
    assert "Edit the draft" not in response.content.decode()


def test_a_read_only_colleague_gets_403_on_every_write(client_for, viewer, draft):
    client = client_for(viewer)
    targets = urls(draft)
    for name, url in targets.items():
        if name == "detail":
            continue
        for method in methods(name):
            before = last_id()
            response = getattr(client, method)(url, {"withdraw-reason": "other"}
                                               if method == "post" else None)
            assert response.status_code == 403, (name, method)
            (event,) = events_since(before)
            assert event.outcome == Outcome.DENIED and event.case_code == draft.case.code
    draft.refresh_from_db()
    assert draft.state == rv.State.DRAFT
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("name", [f"step:{step}" for step in CASE_STEPS] + ["review"])
def test_no_step_goes_through_a_get(client_for, supervisor, submitted, name):
    response = client_for(supervisor).get(urls(submitted)[name])
    assert response.status_code == 405
    submitted.refresh_from_db()
    assert submitted.state == rv.State.SUBMITTED


@pytest.mark.parametrize("step", ["accept", "decline", "teleport"])
def test_steps_that_are_not_the_case_sides_are_not_found(client_for, caseworker, sent, step):
    url = reverse("referrals:step", kwargs={"referral_id": sent.pk, "step": step})
    before = last_id()
    response = client_for(caseworker).post(url, {"decline-reason": "other"})
    assert response.status_code == 404
    assert len(events_since(before)) == 1
    sent.refresh_from_db()
    assert sent.state == rv.State.SENT


def test_an_unknown_referral_is_not_found(client_for, caseworker):
    unknown = "6b7e4d1c-0000-4000-8000-000000000000"
    url = reverse("referrals:detail", kwargs={"referral_id": unknown})
    assert client_for(caseworker).get(url).status_code == 404


@pytest.mark.parametrize(
    ("fixture", "who", "step", "data", "action"),
    [
        ("draft", "caseworker", "submit", {}, Action.REFERRAL_SUBMITTED),
        ("submitted", "supervisor", "approve", {}, Action.REFERRAL_APPROVED),
        ("submitted", "supervisor", "return", {"return-note": "Revisa."},
         Action.REFERRAL_RETURNED),
        ("draft", "caseworker", "send_emergency", {"send_emergency-reason": "Hoy."},
         Action.REFERRAL_SENT_EMERGENCY),
        ("accepted", "caseworker", "complete", {"complete-outcome": "service_provided"},
         Action.REFERRAL_COMPLETED),
        ("sent", "supervisor", "withdraw", {"withdraw-reason": "need_met"},
         Action.REFERRAL_WITHDRAWN),
    ],
)
def test_each_step_leaves_exactly_one_event(
    request, client_for, fixture, who, step, data, action
):
    referral = request.getfixturevalue(fixture)
    client = client_for(request.getfixturevalue(who))
    before = last_id()
    response = client.post(urls(referral)[f"step:{step}"], data)
    assert response.status_code == 302
    (event,) = events_since(before)
    assert (event.action, event.outcome) == (action, Outcome.ALLOWED)


def test_a_page_view_and_a_rejected_form_each_leave_one_event(client_for, caseworker, draft):
    client = client_for(caseworker)
    before = last_id()
    client.get(urls(draft)["detail"])
    (event,) = events_since(before)
    assert event.action == Action.REFERRAL_VIEWED
    before = last_id()
    client.post(urls(draft)["step:withdraw"], {})
    (event,) = events_since(before)
    assert (event.action, event.purpose) == (Action.REFERRAL_VIEWED, "form_errors")


def test_the_new_referral_pages_each_leave_one_event(client_for, caseworker, case, shelter):
    client = client_for(caseworker)
    url = reverse("referrals:create", kwargs={"case_id": case.pk})
    for query in ("", f"?offering={shelter.pk}", "?offering=not-a-service"):
        before = last_id()
        assert client.get(url + query).status_code == 200
        (event,) = events_since(before)
        assert (event.action, event.purpose, event.case_code) == (
            Action.CASE_VIEWED, "referral_form", case.code
        )


def test_a_refused_review_leaves_one_denied_event(client_for, caseworker, draft):
    from referrals import services

    services.send_emergency(actor=caseworker, referral=draft, reason="Hoy.")
    before = last_id()
    response = client_for(caseworker).post(
        reverse("referrals:review", kwargs={"referral_id": draft.pk}),
        {"review-finding": "reviewed"},
    )
    assert response.status_code == 403
    (event,) = events_since(before)
    assert (event.action, event.outcome) == (Action.REFERRAL_REVIEWED, Outcome.DENIED)
