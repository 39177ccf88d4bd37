"""The figures on a phone (issue 18): every figure open made the statistics some 14,600 px
long at 390 px. Each figure is folded under its title, the headline count stays above them,
and on paper every fold opens (case-print.js; the print CSS without JavaScript)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.reports.population import add_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FIGURE_PAGES = ["reports:statistics", "reports:monthly"]


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_every_figure_is_folded_under_its_title_with_the_headline_above(
    client_for, caseworker, supervisor, page
):
    add_cases(caseworker, 20, opened_on=timezone.localdate().replace(day=1))
    html = client_for(supervisor).get(reverse(page)).content.decode()
    sections = html.count('<section class="stats-figure"')
    folds = re.findall(
        r'<details class="case-fold stats-fold"( open)?>\s*<summary><h2 id="title-', html
    )
    assert sections >= 5
    assert len(folds) == sections
    assert not any(folds)  # none open
    assert html.index('class="stats-headline"') < html.index('class="stats-figure"')
    assert html.count("<table") >= sections  # the tables are there, folded
    assert "js/case-print.js" in html


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_a_caseworker_still_may_not_open_them(client_for, caseworker, page):
    assert client_for(caseworker).get(reverse(page)).status_code == 403
