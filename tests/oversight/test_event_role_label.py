"""An event keeps the actor's role as the code it was then; the auditor's pages name it in
the reader's language (oversight/templatetags/access_log.py), since ``audit`` knows
nothing of ``accounts``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from oversight.templatetags.access_log import role_label
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_it_names_a_role_in_the_readers_language():
    with translation.override("es"):
        assert role_label("caseworker") == "Gestora de casos"
    with translation.override("en"):
        assert role_label("caseworker") == "Caseworker"


def test_a_code_no_longer_known_is_shown_as_stored():
    assert role_label("retired_role") == "retired_role"


def test_the_event_table_shows_the_role_label(client_for, auditor, caseworker):
    event(actor=caseworker, case_code="PE-2026-0031")

    page = client_for(auditor).get(reverse("oversight:search")).content.decode()

    assert "caseworker <span class=\"muted\">(Caseworker)</span>" in page
