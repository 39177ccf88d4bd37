"""Each section of the intake has its own page and saves on its own, in any order.

Owner: 200 / 302. Read-only colleague (viewer): 403. Outsider: 404. Exactly one access
event per request, and none of what was typed in it.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.models import Case
from cases.services.intake import Guardian, Identity, update_identity
from cases.views.intake import CASE_PAGE_SECTION
from tests.audit.chain_helpers import forget_access_events
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SECRET = "Girasol-7731"  # typed into every section; must never reach an event


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


VALID = {
    "identity": {
        "given_names": "Rosa",
        "family_names": "Flores",
        "aliases": SECRET,
        "birth_date": "1995-05-05",
        "gender": "female",
        "nationality": "CO",
        "languages": ["es", "en"],
    },
    "documents": {
        **_management("documents", 2),
        "documents-0-kind": "passport",
        "documents-0-number": SECRET,
        "documents-0-issuing_country": "CO",
        "documents-0-held_by_survivor": "on",
        "documents-1-kind": "",
        "documents-1-number": "",
    },
    "safe-contact": {
        "channel": "whatsapp",
        "address": "+51 999 111 222",
        "safe_times": "after 18:00",
        "code_word": SECRET,
    },
    "profile": {
        "trafficking_status": "confirmed",
        "determined_by": "ngo",
        "exploitation_types": ["forced_labour", "domestic_servitude"],
        "labour_industry": "agriculture",
        "recruitment_methods": ["online_social"],
        "recruitment_platform": "facebook",
        "recruiter_relationship": "acquainted",
        "means_of_control": ["debt_bondage", "withholds_documents"],
        "debt_amount": "1500.50",
        "debt_currency": "PEN",
        "perpetrators": SECRET,
    },
    "route": {
        **_management("route", 2),
        "route-0-kind": "recruitment",
        "route-0-country": "VE",
        "route-0-place": "Maracaibo",
        "route-0-when": "March 2024",
        "route-1-kind": "exploitation",
        "route-1-country": "PE",
        "route-1-place": SECRET,
        "route-1-when": "",
    },
    "narrative": {
        "immediate_needs": ["shelter", "medical"],
        "needs_note": "Needs glasses",
        "narrative": SECRET,
    },
}
SECTIONS = list(VALID)
PURPOSES = {"safe-contact": "safe_contact"}


def _url(case, section):
    return reverse("cases:edit_section", args=[case.pk, section])


def _events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED))


def _assert_no_content(events):
    for event in events:
        for value in event.__dict__.values():
            assert SECRET not in str(value)


@pytest.fixture
def fresh(case):
    """The case, with the registration's own events cleared."""
    forget_access_events()
    return case


# --- access ----------------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
def test_the_owner_sees_the_section_with_one_view_event(client_for, caseworker, fresh, section):
    response = client_for(caseworker).get(_url(fresh, section))
    assert response.status_code == 200
    (event,) = _events()
    assert event.action == Action.CASE_VIEWED and event.outcome == Outcome.ALLOWED
    assert event.case_code == fresh.code


@pytest.mark.parametrize("section", SECTIONS)
def test_the_owner_saves_the_section_with_one_update_event(client_for, caseworker, fresh, section):
    response = client_for(caseworker).post(_url(fresh, section), VALID[section])
    assert response.status_code == 302, response.context and response.context["form"].errors
    # Back to the case page, with the section that shows what was saved open.
    shown = CASE_PAGE_SECTION[section]
    assert response["Location"] == (
        reverse("cases:case_detail", args=[fresh.pk]) + f"?section={shown}#{shown}"
    )
    events = _events()
    assert [e.action for e in events] == [Action.CASE_UPDATED]
    assert events[0].purpose == PURPOSES.get(section, section)
    _assert_no_content(events)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [f"Saved in case {fresh.code}."] or all(fresh.code in m for m in shown)
    assert all(SECRET not in m for m in shown)


@pytest.mark.parametrize("section", SECTIONS)
def test_a_change_share_colleague_may_save(client_for, collaborator, fresh, section):
    response = client_for(collaborator).post(_url(fresh, section), VALID[section])
    assert response.status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("section", SECTIONS)
def test_the_read_only_colleague_gets_403_and_nothing_changes(
    client_for, viewer, fresh, section, method
):
    client = client_for(viewer)
    before = Case.objects.get(pk=fresh.pk).updated_at
    forget_access_events()
    response = getattr(client, method)(_url(fresh, section), VALID[section])
    assert response.status_code == 403
    (event,) = _events()
    assert event.outcome == Outcome.DENIED
    _assert_no_content([event])
    assert Case.objects.get(pk=fresh.pk).updated_at == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("section", SECTIONS)
def test_an_outsider_gets_404(client_for, outsider, teammate, fresh, section, method):
    for person in (outsider, teammate):
        forget_access_events()
        response = getattr(client_for(person), method)(_url(fresh, section), VALID[section])
        assert response.status_code == 404
        (event,) = _events()
        assert event.outcome == Outcome.DENIED and event.case_code == ""
    assert Case.objects.get(pk=fresh.pk).route.count() == 0


def test_an_unknown_section_is_404(client_for, caseworker, fresh):
    assert client_for(caseworker).get(_url(fresh, "everything")).status_code == 404


# --- what each section does --------------------------------------------------------------


def test_the_sections_can_be_filled_in_any_order(client_for, caseworker, fresh):
    client = client_for(caseworker)
    for section in reversed(SECTIONS):
        assert client.post(_url(fresh, section), VALID[section]).status_code == 302
    case = Case.objects.get(pk=fresh.pk)
    survivor = case.survivor
    assert vault.unseal(survivor, "given_names") == "Rosa"
    assert survivor.languages == ["es", "en"] and survivor.nationality == "CO"
    assert vault.unseal(survivor.documents.get(), "number") == SECRET
    assert json.loads(vault.unseal(survivor, "safe_contact"))["code_word"] == SECRET
    assert case.trafficking_status == "confirmed" and case.recruitment_platform == "facebook"
    assert case.means_of_control == ["debt_bondage", "withholds_documents"]
    assert str(case.debt_amount) == "1500.50" and case.debt_currency == "PEN"
    assert vault.unseal(case, "perpetrators") == SECRET
    assert [(s.kind, s.country) for s in case.route.all()] == [
        ("recruitment", "VE"),
        ("exploitation", "PE"),
    ]
    assert vault.unseal(case.route.last(), "place") == SECRET
    assert case.immediate_needs == ["shelter", "medical"]
    assert vault.unseal(case, "narrative") == SECRET


def test_the_form_comes_back_filled_with_what_was_saved(client_for, caseworker, fresh):
    client = client_for(caseworker)
    for section in SECTIONS:
        client.post(_url(fresh, section), VALID[section])
    body = {section: client.get(_url(fresh, section)).content.decode() for section in SECTIONS}
    assert 'value="Rosa"' in body["identity"] and 'value="1995-05-05"' in body["identity"]
    assert SECRET in body["documents"] and SECRET in body["safe-contact"]
    assert SECRET in body["profile"] and SECRET in body["route"] and SECRET in body["narrative"]


def test_do_not_contact_keeps_what_she_said_about_contact(client_for, caseworker, fresh):
    # Issue 14: "do not contact" is when the details matter most; they stay sealed.
    client = client_for(caseworker)
    client.post(_url(fresh, "safe-contact"), VALID["safe-contact"])
    response = client.post(
        _url(fresh, "safe-contact"), {**VALID["safe-contact"], "channel": "do_not_contact"}
    )
    assert response.status_code == 302
    survivor = Case.objects.get(pk=fresh.pk).survivor
    assert survivor.contact_channel == v.ContactChannel.DO_NOT_CONTACT
    kept = json.loads(vault.unseal(survivor, "safe_contact"))
    assert kept["address"] == "+51 999 111 222" and kept["code_word"] == SECRET
    page = client.get(reverse("cases:case_detail", kwargs={"case_id": fresh.pk})).content.decode()
    assert "Do not contact her." in page and SECRET in page


def test_contact_only_through_the_office_is_a_choice(client_for, caseworker, fresh):
    response = client_for(caseworker).post(
        _url(fresh, "safe-contact"), {**VALID["safe-contact"], "channel": "through_office"}
    )
    assert response.status_code == 302
    survivor = Case.objects.get(pk=fresh.pk).survivor
    assert survivor.contact_channel == v.ContactChannel.THROUGH_OFFICE


@pytest.mark.parametrize(
    ("section", "changes", "field"),
    [
        ("profile", {"recruitment_platform": ""}, "recruitment_platform"),
        ("profile", {"debt_currency": ""}, "debt_currency"),
        ("profile", {"exploitation_types": ["sexual_prostitution"]}, "labour_industry"),
        ("profile", {"trafficking_status": "invented"}, "trafficking_status"),
        ("profile", {"debt_amount": "-5"}, "debt_amount"),
        ("identity", {"estimated_age": "200"}, "estimated_age"),
        ("identity", {"birth_date": "2999-01-01"}, "birth_date"),
        ("identity", {"birth_date": "", "estimated_age": "16"}, "guardian_name"),
        ("safe-contact", {"channel": "carrier_pigeon"}, "channel"),
        ("narrative", {"immediate_needs": ["a_pony"]}, "immediate_needs"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(
    client_for, caseworker, fresh, section, changes, field
):
    before = Case.objects.get(pk=fresh.pk)
    response = client_for(caseworker).post(_url(fresh, section), {**VALID[section], **changes})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'id="error-summary"' in response.content.decode()
    after = Case.objects.get(pk=fresh.pk)
    assert after.updated_at == before.updated_at
    assert after.survivor.contact_channel == before.survivor.contact_channel
    # Showing her record again is the one event of the request.
    assert [e.action for e in _events()] == [Action.CASE_VIEWED]


def test_a_document_row_without_a_type_is_refused(client_for, caseworker, fresh):
    data = {**VALID["documents"], "documents-0-kind": ""}
    response = client_for(caseworker).post(_url(fresh, "documents"), data)
    assert response.status_code == 200
    assert not Case.objects.get(pk=fresh.pk).survivor.documents.exists()


def test_a_child_identity_needs_a_guardian_and_is_flagged(client_for, caseworker, fresh):
    data = {
        **VALID["identity"],
        "birth_date": "",
        "estimated_age": "17",
        "guardian_name": "Carmen Flores",
        "guardian_relationship": "mother",
    }
    response = client_for(caseworker).post(_url(fresh, "identity"), data)
    assert response.status_code == 302
    case = Case.objects.get(pk=fresh.pk)
    assert case.is_child
    assert json.loads(vault.unseal(case.survivor, "guardian"))["name"] == "Carmen Flores"
    page = client_for(caseworker).get(_url(fresh, "identity")).content.decode()
    assert "badge--child" in page and 'value="Carmen Flores"' in page


def test_editing_identity_keeps_her_family_contacts(client_for, caseworker, fresh):
    update_identity(
        actor=caseworker,
        case=fresh,
        identity=Identity(
            given_names="María José", birth_date=date(1996, 4, 12), family_contacts="Mamá"
        ),
        guardian=Guardian(),
    )
    client_for(caseworker).post(_url(fresh, "identity"), VALID["identity"])
    survivor = Case.objects.get(pk=fresh.pk).survivor
    assert vault.unseal(survivor, "family_contacts") == "Mamá"


def test_emptying_a_route_row_removes_the_stop(client_for, caseworker, fresh):
    client = client_for(caseworker)
    client.post(_url(fresh, "route"), VALID["route"])
    data = {
        **VALID["route"],
        **_management("route", 2, 2),
        "route-1-kind": "",
        "route-1-country": "",
        "route-1-place": "",
    }
    assert client.post(_url(fresh, "route"), data).status_code == 302
    assert Case.objects.get(pk=fresh.pk).route.count() == 1


def test_save_and_add_another_row_comes_back_to_the_section(client_for, caseworker, fresh):
    response = client_for(caseworker).post(
        _url(fresh, "documents"), {**VALID["documents"], "add_row": "1"}
    )
    assert response["Location"] == _url(fresh, "documents")
