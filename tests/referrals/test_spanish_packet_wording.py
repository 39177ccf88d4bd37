"""The packet and the referral tables read right in Spanish (issue 14): an estimated age
is never labelled a birth date, dates are written as the language writes them, the
withdrawn notice has one full stop, and an emergency sender is not said to have
"submitted it for approval"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from referrals import services
from referrals import vocabularies as rv
from referrals.packet import Packet, present

AGE_ONLY = {"items": {"name": "Rosa", "estimated_age": "22",
                      "risk": {"level": "high", "factors": [], "assessed_on": "2026-11-30"},
                      "notes": [{"date": "2026-12-01", "body": "Llamar por la tarde."}]}}


def test_an_estimated_age_is_not_labelled_a_birth_date():
    with translation.override("es"):
        presented = present(Packet(data=AGE_ONLY))
        rows = dict(presented.parts()["rows"])
        lines = dict(presented.lines())

    assert "Fecha de nacimiento" not in rows and "Fecha de nacimiento" not in lines
    assert rows["Edad aproximada (años)"] == "22"
    assert lines["Edad aproximada (años)"] == ["unos 22 años"]


def test_a_known_birth_date_is_labelled_and_written_in_spanish():
    data = {"items": {"birth_date": "2004-08-28"}}
    with translation.override("es"):
        rows = dict(present(Packet(data=data)).parts()["rows"])
    assert rows == {"Fecha de nacimiento": "28/08/2004"}


def test_the_preview_writes_its_dates_in_spanish():
    with translation.override("es"):
        lines = dict(present(Packet(data=AGE_ONLY)).lines())

    assert "Evaluado el 30/11/2026" in lines["Resumen del riesgo"]
    assert lines["Notas elegidas"] == ["01/12/2026 — Llamar por la tarde."]


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_withdrawn_notice_ends_with_one_full_stop(client_for, caseworker, partner, sent):
    services.withdraw_referral(actor=caseworker, referral=sent,
                               reason=rv.CHOSEN_WITHDRAW_REASONS[0][0])
    url = reverse("referrals:packet", kwargs={"referral_id": sent.pk})

    english = client_for(partner).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client_for(partner).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "the referring organisation withdrew it." in english
    assert ".." not in english.replace("...", "")
    assert "la organización que deriva la retiró." in spanish


def _row(emergency: bool):
    return SimpleNamespace(
        pk="00000000-0000-0000-0000-000000000001", is_overdue=False, emergency=emergency,
        case=SimpleNamespace(code="PE-2026-0031", is_child=False),
        offering=SimpleNamespace(name="Albergue"), provider=SimpleNamespace(name="Casa"),
        state="sent", get_state_display=lambda: "Enviada", due_at=None,
        get_urgency_display=lambda: "Urgente",
        submitted_by=SimpleNamespace(display_name="Ana Torres"),
    )


def test_an_emergency_sender_is_not_said_to_have_asked_for_approval():
    with translation.override("es"):
        page = render_to_string("workspace/_referral_table.html",
                                {"referrals": [_row(True), _row(False)], "show_by": True})

    assert "Enviada a aprobación por" not in page
    assert "Derivada por" in page
    assert page.count("la envió como emergencia") == 1
    assert page.count("la envió a aprobación") == 1
