"""The case pages read in Spanish: history columns named in Spanish, dates and money as
Spanish writes them, a refused consent worded as a refusal (issue 14)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cases import vocabularies as v
from cases.services import consent, intake, work
from core.formatting import local_date, money

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _get(client, name, case):
    return client.get(
        reverse(name, kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()


NBSP = "\N{NO-BREAK SPACE}"


def test_money_is_written_as_the_language_writes_it():
    # Spanish groups thousands with a (non-breaking) space, as Django's "es" formats do.
    with translation.override("es"):
        assert money(Decimal("3900.00"), "USD") == f"US${NBSP}3{NBSP}900"
        assert money(Decimal("1250.50"), "PEN") == f"S/{NBSP}1{NBSP}250,50"
    with translation.override("en"):
        assert money(Decimal("3900.00"), "USD") == "US$3,900"
    assert money(None, "USD") == ""


def test_an_iso_date_is_written_as_the_language_writes_it():
    with translation.override("es"):
        assert local_date("2026-12-05") == "05/12/2026"
    with translation.override("en"):
        assert local_date(date(2026, 12, 5)) == "12/05/2026"
    assert local_date("not a date") == "not a date"


def test_the_case_page_shows_debt_and_birth_date_in_spanish(client_for, caseworker, case):
    intake.update_profile(actor=caseworker, case=case, debt_amount=Decimal("3900.00"),
                          debt_currency=v.Currency.USD)

    page = _get(client_for(caseworker), "cases:case_detail", case)

    assert f"US${NBSP}3{NBSP}900" in page
    assert "Dólares estadounidenses" not in page and "3900,00" not in page
    assert "12/04/1996" in page  # the fixture's birth date, day first
    assert "1996-04-12" not in page


def test_the_history_names_its_people_and_dates_in_spanish(client_for, caseworker, case):
    work.record_risk_assessment(actor=caseworker, case=case, assessed_on=date(2026, 11, 30),
                                level=v.RiskLevel.HIGH, factors=[])
    work.add_note(actor=caseworker, case=case, body="Llamó por la tarde.")
    consent.record_consent(actor=caseworker, case=case, purpose=v.ConsentPurpose.DATA_PROCESSING,
                           given=True, method=v.ConsentMethod.VERBAL,
                           given_by=v.ConsentGivenBy.SURVIVOR)
    intake.update_profile(actor=caseworker, case=case, debt_amount=Decimal("3900.00"),
                          debt_currency=v.Currency.USD)

    page = _get(client_for(caseworker), "cases:case_history", case)

    for english in ("Assessed by", "Recorded by", "Author", "Created by"):
        assert english not in page
    assert "Evaluado por" in page and "Registrado por" in page and "Autora" in page
    assert "12/04/1996" in page and "1996-04-12" not in page
    assert "30/11/2026" in page and "2026-11-30" not in page
    assert f"3{NBSP}900" in page and "3900.00" not in page


def test_a_refused_consent_reads_as_refused_by_her(client_for, caseworker, case):
    consent.record_consent(actor=caseworker, case=case, purpose=v.ConsentPurpose.DATA_PROCESSING,
                           given=False, method=v.ConsentMethod.VERBAL,
                           given_by=v.ConsentGivenBy.SURVIVOR)

    page = _get(client_for(caseworker), "cases:case_detail", case)

    assert "rechazado por la sobreviviente" in page
    assert "otorgado por la sobreviviente" not in page
