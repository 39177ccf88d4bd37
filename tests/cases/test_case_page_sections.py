"""What the case page shows: her earlier episodes, a shredded survivor, and a steady query count."""

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.services import work
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _url(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def _earlier_episode(case, owner, team, code):
    return Case.objects.create(
        code=code,
        organization=case.organization,
        survivor=case.survivor,
        team=team,
        owner=owner,
        status="closed",
        opened_on=timezone.localdate() - timedelta(days=900),
        closed_on=timezone.localdate() - timedelta(days=700),
        closure_reason="lost_contact",
    )


def test_it_lists_her_earlier_episodes_the_viewer_may_see(
    client_for, caseworker, other_supervisor, case
):
    mine = _earlier_episode(case, caseworker, case.team, "PE-2024-0007")
    other_team = other_supervisor.supervised_teams.first()
    hidden = _earlier_episode(case, other_supervisor, other_team, "PE-2023-0099")
    text = client_for(caseworker).get(_url(case)).content.decode()
    assert mine.code in text
    assert reverse("cases:case_detail", kwargs={"case_id": mine.pk}) in text
    assert hidden.code not in text


def test_a_shredded_survivor_shows_as_shredded_with_coded_fields_kept(client_for, caseworker, case):
    work.add_note(actor=caseworker, case=case, body="Nota antes del borrado")
    work.record_risk_assessment(
        actor=caseworker,
        case=case,
        assessed_on=timezone.localdate(),
        level="high",
        factors=["pregnancy"],
        notes="algo",
    )
    survivor = case.survivor
    vault.shred_owner(survivor.pk)
    survivor.shredded_at = timezone.now()
    survivor.save(update_fields=["shredded_at"])
    response = client_for(caseworker).get(_url(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert "María" not in text
    assert "Nota antes del borrado" not in text
    assert "Shredded" in text
    assert "Pregnancy" in text  # coded fields remain
    assert reverse("cases:add_note", kwargs={"case_id": case.pk}) not in text


def test_a_shredded_survivor_gets_nothing_more_recorded(client_for, caseworker, case):
    vault.shred_owner(case.survivor_id)
    case.survivor.shredded_at = timezone.now()
    case.survivor.save(update_fields=["shredded_at"])
    response = client_for(caseworker).post(
        reverse("cases:add_note", kwargs={"case_id": case.pk}), {"note-body": "x"}
    )
    assert response.status_code == 200
    assert not case.notes.exists()


def _fill(case, owner, notes):
    for number in range(notes):
        work.add_note(actor=owner, case=case, body=f"Nota {number}")
    today = timezone.localdate()
    work.add_follow_up(actor=owner, case=case, kind="check_in", due_on=today, assignee=owner)
    work.record_consent(
        actor=owner,
        case=case,
        purpose="data_processing",
        given=True,
        method="verbal",
        given_by="survivor",
    )
    work.record_risk_assessment(
        actor=owner, case=case, assessed_on=today, level="medium", factors=[]
    )


def _count(client, case):
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["keys"]) as keys,
    ):
        assert client.get(_url(case)).status_code == 200
    return len(default), len(keys)


def test_the_query_count_does_not_grow_with_the_number_of_notes(
    client_for, caseworker, make_case, django_assert_max_num_queries
):
    few, many = make_case(caseworker), make_case(caseworker, given_names="Daniela")
    _fill(few, caseworker, 3)
    _fill(many, caseworker, 20)
    client = client_for(caseworker)
    client.get(_url(few))  # warm the session and caches
    few_default, few_keys = _count(client, few)
    with django_assert_max_num_queries(few_default):
        client.get(_url(many))
    assert _count(client, many)[1] == few_keys


def test_every_section_is_one_click_from_the_menu_at_the_top_with_its_count(
    client_for, caseworker, case
):
    import re

    work.add_note(actor=caseworker, case=case, body="Llamó el lunes.")
    work.add_follow_up(actor=caseworker, case=case, kind="check_in",
                       due_on=timezone.localdate() + timedelta(days=2), assignee=caseworker)

    page = client_for(caseworker).get(_url(case)).content.decode()

    menu_start = page.index('class="section-nav"')
    menu = page[menu_start:page.index("</nav>", menu_start)]
    sections = re.findall(r'<section id="([\w-]+)" class="case-section', page)
    linked = re.findall(r'<a href="[^"#]*\?section=([\w-]+)#([\w-]+)"', menu)
    assert all(key == anchor for key, anchor in linked)
    assert sections and set(sections) <= {key for key, _ in linked}
    assert menu_start < page.index(f'<section id="{sections[0]}"')  # the menu comes first
    counts = dict(re.findall(
        r'<a href="[^"]*#([\w-]+)">[^<]*<span class="count">(\d+)</span>', menu
    ))
    assert counts["follow-ups"] == "1" and counts["notes"] == "1"
    assert {"consent", "attachments", "linked", "episodes"} <= set(counts)


def test_the_menu_names_each_section_by_its_heading_or_a_shorter_form(client_for, caseworker, case):
    import re

    page = client_for(caseworker).get(_url(case)).content.decode()
    menu_start = page.index('class="section-nav"')
    menu = page[menu_start:page.index("</nav>", menu_start)]
    named = dict(re.findall(r'<a href="[^"]*#([\w-]+)"[^>]*>([^<]+)', menu))
    headings = dict(re.findall(r'<h2 id="([\w-]+)-title">([^<]+)<', page))
    assert {"episodes", "notes", "consent"} <= set(named) & set(headings)
    for key, title in named.items():
        if key in headings:  # the menu may shorten a heading, never name it otherwise
            words = set(headings[key].lower().split())
            assert set(title.lower().split()) <= words, (key, title, headings[key])


def _open_sections(page: str) -> list[str]:
    """The sections whose fold is open, in page order."""
    import re

    return re.findall(
        r'<section id="([\w-]+)" class="case-section[^>]*>\s*<details class="case-fold" open>',
        page,
    )


def test_every_section_is_folded_with_its_count_until_one_is_asked_for(
    client_for, caseworker, case
):
    work.add_note(actor=caseworker, case=case, body="Llamó el lunes.")
    client = client_for(caseworker)

    folded = client.get(_url(case)).content.decode()
    assert _open_sections(folded) == []
    summary = '<summary><h2 id="notes-title">Notes</h2> <span class="count">1</span></summary>'
    assert summary in folded

    asked = client.get(_url(case), {"section": "notes"}).content.decode()
    assert _open_sections(asked) == ["notes"]
    assert 'aria-current="location">Notes' in asked
    # A section an app above registers opens the same way.
    assert _open_sections(client.get(_url(case), {"section": "referrals"}).content.decode()) == [
        "referrals"
    ]


def test_an_unknown_section_opens_none_and_the_page_is_still_shown(client_for, caseworker, case):
    response = client_for(caseworker).get(_url(case), {"section": "<script>"})
    assert response.status_code == 200
    assert _open_sections(response.content.decode()) == []
    assert "&lt;script&gt;" not in response.content.decode()


def test_section_url_opens_a_section_and_refuses_one_the_page_does_not_have(case):
    from cases.sections import section_url

    assert section_url(case, "notes") == f"{_url(case)}?section=notes#notes"
    assert section_url(case.pk, "risk", anchor="safety-plan") == (
        f"{_url(case)}?section=risk#safety-plan"
    )
    assert section_url(case, "referrals").endswith("?section=referrals#referrals")
    with pytest.raises(ValueError):
        section_url(case, "nowhere")


# Every form the folded case page offers, posted empty: each refusal must show its form and
# its errors unfolded, never inside a closed section or a closed form (tests/folds.py).
CASE_PAGE_FORMS = [
    "add_note", "add_attachment", "add_follow_up", "add_risk_assessment", "record_consent",
    "create_link_group",
]


@pytest.mark.parametrize("action", CASE_PAGE_FORMS)
def test_a_refused_form_of_a_folded_section_is_shown_open_with_its_errors(
    client_for, caseworker, case, action
):
    from tests.folds import form_errors

    folded = client_for(caseworker).get(_url(case)).content.decode()
    assert reverse(f"cases:{action}", kwargs={"case_id": case.pk}) in folded
    _shown, hidden_on_the_page = form_errors(folded)
    assert hidden_on_the_page == []

    response = client_for(caseworker).post(
        reverse(f"cases:{action}", kwargs={"case_id": case.pk}), {}
    )
    assert response.status_code == 200
    shown, hidden = form_errors(response.content.decode())
    assert shown, "the refusal shows no error"
    assert hidden == []
    assert 'id="error-summary"' in response.content.decode()


def test_an_error_inside_a_closed_fold_is_found_by_the_check():
    """The check above can fail: an error in a closed <details> is reported hidden, the
    same error in an open one shown."""
    from tests.folds import form_errors

    closed = ('<details class="case-fold"><summary>Notes</summary><form>'
              '<p class="error" id="e">Required</p><input aria-invalid="true" name="body">'
              "</form></details>")
    assert form_errors(closed) == ([], ["e", "body"])
    assert form_errors(closed.replace('"case-fold"', '"case-fold" open')) == (["e", "body"], [])
