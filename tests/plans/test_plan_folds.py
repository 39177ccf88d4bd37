"""The support plan page folds its sections (agreement, goals, reviews, assistance, her
copy) under the plan's status, as the case page does (a phone page within three screens,
issue 18); a step done there returns to its section open, and a refused entry is never
hidden in a closed fold."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from tests.folds import form_errors

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _plan(case, query=""):
    return reverse("plans:plan_detail", kwargs={"case_id": case.pk}) + query


def _fold_of(html: str, section: str) -> str:
    """The opening tag of a section's fold."""
    after = html[html.index(f'<section id="{section}"'):]
    return re.search(r"<details[^>]*>", after)[0]


def test_reviews_and_assistance_are_folded_under_their_counts(client_for, approved, case,
                                                              caseworker):
    services.record_assistance(actor=caseworker, case=case, category=pv.Area.HEALTH,
                               started_on=timezone.localdate(), provider=case.organization)
    html = client_for(caseworker).get(_plan(case)).content.decode()
    for section in ("reviews", "assistance"):
        assert _fold_of(html, section) == '<details class="case-fold">'
    assert re.search(r'id="assistance-title">[^<]*<span class="count">1</span>', html)
    assert re.search(r'id="reviews-title">[^<]*<span class="count">0</span>', html)


@pytest.mark.parametrize("section", ["reviews", "assistance"])
def test_the_section_named_in_the_address_is_open(client_for, approved, case, caseworker,
                                                   section):
    html = client_for(caseworker).get(_plan(case, f"?section={section}")).content.decode()
    assert _fold_of(html, section) == '<details class="case-fold" open>'
    other = {"reviews": "assistance", "assistance": "reviews"}[section]
    assert _fold_of(html, other) == '<details class="case-fold">'


def test_an_unknown_section_opens_nothing(client_for, approved, case, caseworker):
    html = client_for(caseworker).get(_plan(case, "?section=%3Cscript%3E")).content.decode()
    assert " open>" not in _fold_of(html, "reviews") + _fold_of(html, "assistance")
    assert "<script>" not in html


def test_recorded_assistance_returns_to_its_section_open(client_for, approved, case,
                                                         caseworker):
    client = client_for(caseworker)
    response = client.post(
        reverse("plans:add_assistance", kwargs={"case_id": case.pk}),
        {"assistance-category": pv.Area.HEALTH,
         "assistance-started_on": timezone.localdate().isoformat(),
         "assistance-provider": case.organization.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == _plan(case, "?section=assistance#assistance")
    assert AssistanceEntry.objects.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert _fold_of(html, "assistance") == '<details class="case-fold" open>'


def test_refused_assistance_is_shown_in_an_open_fold_and_nothing_is_saved(
    client_for, approved, case, caseworker
):
    response = client_for(caseworker).post(
        reverse("plans:add_assistance", kwargs={"case_id": case.pk}), {}
    )
    html = response.content.decode()
    shown, hidden = form_errors(html)
    assert shown and not hidden
    assert _fold_of(html, "assistance") == '<details class="case-fold" open>'
    assert not AssistanceEntry.objects.exists()


def test_a_read_only_colleague_sees_the_folds_and_an_outsider_gets_404(
    client_for, approved, case, viewer, outsider
):
    html = client_for(viewer).get(_plan(case, "?section=reviews")).content.decode()
    assert _fold_of(html, "reviews") == '<details class="case-fold" open>'
    assert client_for(outsider).get(_plan(case, "?section=reviews")).status_code == 404


def test_a_refused_goal_opens_her_goals_and_a_changed_one_returns_to_them(
    client_for, approved, case, caseworker
):
    from plans.views import plan_url

    refused = client_for(caseworker).post(
        reverse("plans:add_goal", kwargs={"case_id": case.pk}), {}
    ).content.decode()
    shown, hidden = form_errors(refused)
    assert shown and not hidden
    assert _fold_of(refused, "goals") == '<details class="case-fold" open>'
    assert plan_url(case.pk, "goal-7") == _plan(case, "?section=goals#goal-7")
    assert plan_url(case.pk, "agreement") == _plan(case, "?section=agreement#agreement")
