"""Issue 13 in a real browser: a supervisor reads her teams' statistics and the monthly
report and opens both export forms, in English and Spanish. Axe finds nothing serious,
nothing trips the CSP, nothing scrolls sideways on a phone, and the pages leave
screenshots in var/screenshots/<lang>/reports-*."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import serious_axe_violations, shoot, submit_code, submit_password
from tests.reports.population import add_cases

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

PAGES = [
    ("reports-statistics", "reports:statistics", {"en": "Statistics", "es": "Estadísticas"}),
    ("reports-monthly", "reports:monthly", {"en": "Monthly report", "es": "Informe mensual"}),
    ("reports-cases-export", "reports:cases_export",
     {"en": "Export our cases", "es": "Exportar nuestros casos"}),
    ("reports-ctdc-export", "reports:ctdc_export",
     {"en": "CTDC export", "es": "Exportación CTDC"}),
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_supervisors_statistics_pages_have_no_serious_axe_violations(
    open_page, person_with_phone, caseworker, language
):
    add_cases(caseworker, 23, opened_on=timezone.localdate(),
              exploitation_types=["sexual_prostitution"], means_of_control=["debt_bondage"])
    supervisor, device = person_with_phone("supervisor")
    visit = open_page(language)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, supervisor.username)
    submit_code(visit, device)
    for name, url_name, heading in PAGES:
        visit.goto(reverse(url_name))
        expect(visit.page.locator("h1")).to_contain_text(heading[language])
        expect(visit.page.locator("html")).to_have_attribute("lang", language)
        assert serious_axe_violations(visit) == [], name
        shoot(visit, name)
    # The charts are there, drawn by the server, each followed by its table.
    visit.goto(reverse("reports:statistics"))
    assert visit.page.locator("svg.chart").count() >= 10
    assert visit.page.locator("table.stats-table").count() >= 14
