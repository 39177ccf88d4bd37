"""An event keeps its purpose as a code (a section opened, a closure reason, a finding);
the auditor's pages name it in the reader's language (``oversight.purposes``), never the
stored code."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import Action
from oversight.purposes import purpose_label
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

# Codes the issue saw raw on the auditor's pages, each written by a view or a service.
SEEN_RAW = [
    "dashboard", "data_erased", "shredded", "withdrawn", "survivor_request", "shred",
    "goals_met", "close", "joined_group", "service_provided", "referral_form",
    "form_errors", "reviewed", "narrative", "route", "profile", "safe_contact",
    "documents", "identity", "lost_contact", "need_met", "no_capacity",
]


@pytest.mark.parametrize("code", SEEN_RAW)
def test_every_purpose_seen_raw_has_a_spanish_name(code):
    with translation.override("es"):
        named = purpose_label(code)
    assert named and named != code
    assert "_" not in named


@pytest.mark.parametrize("code", ["retention", "retention_years", "legal_proceedings",
                                  "retention_ended"])
def test_the_retention_reviews_purposes_have_a_spanish_name(code):
    with translation.override("es"):
        named = purpose_label(code)
    assert named and named != code
    assert "_" not in named


def test_a_purpose_is_named_in_the_readers_language():
    with translation.override("es"):
        assert purpose_label("goals_met") == "Objetivos cumplidos"
        assert purpose_label("safe_contact") == "Contacto seguro"
    with translation.override("en"):
        assert purpose_label("safe_contact") == "Safe contact"


def test_no_purpose_is_empty_and_an_unknown_one_is_shown_as_stored():
    assert purpose_label("") == ""
    assert purpose_label("retired_code") == "retired_code"


def test_the_event_table_shows_the_purpose_by_its_name(client_for, auditor, caseworker):
    event(actor=caseworker, case_code="PE-2026-0031", action=Action.CASE_CLOSED,
          purpose="goals_met")
    event(actor=caseworker, case_code="PE-2026-0031", purpose="referral_form")

    page = client_for(auditor).get(
        reverse("oversight:search"), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert "Objetivos cumplidos" in page
    assert "Formulario de derivación" in page
    assert "goals_met" not in page
    assert "referral_form" not in page


def test_a_denied_outcome_never_breaks_mid_word(client_for, auditor, caseworker):
    from audit.models import Outcome

    event(actor=caseworker, case_code="PE-2026-0031", outcome=Outcome.DENIED)

    page = client_for(auditor).get(
        reverse("oversight:search"), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert 'class="event-outcome"><strong>Denegado</strong>' in page
    with open("static/css/amparo.css") as stylesheet:
        assert ".event-table td.event-outcome { overflow-wrap: normal; white-space: nowrap; }" \
            in stylesheet.read()
