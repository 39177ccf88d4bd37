"""The case page gets its Referrals section from the registry that referrals fills
(``cases/sections.py``): cases itself knows nothing of referrals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import sections
from cases.sections import CaseSection

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def case_url(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def test_referrals_registers_its_section_of_the_case_page():
    # Referrals' own section, registered in its ready(); apps above (plans) add theirs.
    assert "referrals" in [s.anchor for s in sections.registered()]


def test_the_referrals_section_sits_after_follow_ups_and_before_notes(
    client_for, caseworker, case, sent
):
    page = client_for(caseworker).get(case_url(case)).content.decode()

    follow_ups, referrals, notes = (
        page.index(f'<section id="{anchor}"') for anchor in ("follow-ups", "referrals", "notes")
    )
    assert follow_ups < referrals < notes
    assert (
        f'<a href="/cases/{case.pk}/?section=referrals#referrals">Referrals'
        ' <span class="count">1</span></a>'
    ) in page


def test_a_section_is_built_for_the_person_and_case_the_page_fetched(
    monkeypatch, client_for, caseworker, viewer, case
):
    seen = []

    def build(request):
        seen.append((request.actor, request.case, request.can_work))
        return {"extras": ["one", "two"]}

    extra = CaseSection(anchor="extras", title="Extras", template="cases/case/includes/sealed.html",
                        build=build, count_key="extras")
    monkeypatch.setattr(sections, "_SECTIONS", {**sections._SECTIONS, "extras": extra})

    for person in (caseworker, viewer):
        response = client_for(person).get(case_url(case))
        assert response.status_code == 200
        built = {s.anchor: s.count for s in response.context["added_sections"]}
        assert {"referrals": built["referrals"], "extras": built["extras"]} == {
            "referrals": 0, "extras": 2,
        }
        assert response.context["extras"] == ["one", "two"]

    assert seen == [(caseworker, case, True), (viewer, case, False)]


def test_an_outsider_gets_no_section_built(monkeypatch, client_for, outsider, case):
    def build(request):
        raise AssertionError("built for someone who may not see the case")

    extra = CaseSection(anchor="extras", title="Extras", template="x.html", build=build)
    monkeypatch.setattr(sections, "_SECTIONS", {**sections._SECTIONS, "extras": extra})

    assert client_for(outsider).get(case_url(case)).status_code == 404
