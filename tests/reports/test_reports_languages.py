"""The statistics and the monthly report read in Spanish and in English, charts
included, and carry their print style (issue 13, items 1 and 5)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.reports.population import add_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["Estadísticas", "Casos nuevos por mes", "menos de 10", "gráfico de barras",
            "Tipos de explotación"]),
    ("en", ["Statistics", "New cases per month", "fewer than 10", "bar chart",
            "Types of exploitation"]),
])
def test_the_statistics_page_speaks_the_readers_language(
    client_for, supervisor, caseworker, language, words
):
    add_cases(caseworker, 14, opened_on=timezone.localdate(),
              exploitation_types=["sexual_prostitution"])
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get(reverse("reports:statistics")).content.decode()
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html, word


def test_the_page_has_one_h1_a_chart_per_table_and_no_inline_script_or_style(
    client_for, supervisor, caseworker
):
    add_cases(caseworker, 14, opened_on=timezone.localdate())
    html = client_for(supervisor).get(reverse("reports:statistics")).content.decode()
    assert html.count("<h1") == 1
    assert html.count('<svg class="chart"') >= 10
    assert "<script>" not in html and "style=" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        assert 'role="img"' in svg and "aria-label=" in svg


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_monthly_report_names_its_month_and_is_printable(
    client_for, supervisor, caseworker, language
):
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    month = timezone.localdate().replace(day=1)
    response = client.get(reverse("reports:monthly"), {"month": month.strftime("%Y-%m")})
    html = response.content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, flags=re.S).group(1)
    assert ("Informe mensual" if language == "es" else "Monthly report") in heading
    assert str(month.year) in heading
    assert "data-print" in html and "js/print.js" in html


@pytest.mark.parametrize("page", ["reports:statistics", "reports:monthly",
                                  "reports:cases_export", "reports:ctdc_export"])
def test_no_text_is_left_in_english_on_the_spanish_pages(client_for, supervisor, caseworker,
                                                         page):
    from accounts.models import Team, User
    from tests.accounts.translation import spelled_the_same, still_english, visible_pieces

    add_cases(caseworker, 14, opened_on=timezone.localdate())
    client = client_for(supervisor)
    pages = {}
    for language in ("en", "es"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        pages[language] = client.get(reverse(page)).content.decode()
    names = {n for u in User.objects.all() for n in (u.username, u.first_name, u.last_name,
                                                      u.get_full_name()) if n}
    names |= set(Team.objects.values_list("name", flat=True))
    names |= {supervisor.organization.name, "Amparo"}
    english = visible_pieces(pages["en"], "en", names)
    spanish = visible_pieces(pages["es"], "es", names)
    unchanged = sorted(p for p in english & spanish if p not in spelled_the_same())
    assert not unchanged, unchanged
    assert not sorted(spanish & still_english())


@pytest.mark.parametrize(("language", "word"), [("es", "Tabla"), ("en", "Table")])
def test_each_table_that_may_scroll_sideways_is_focusable_and_named_after_its_figure(
    client_for, supervisor, caseworker, language, word
):
    add_cases(caseworker, 14, opened_on=timezone.localdate())
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get(reverse("reports:statistics")).content.decode()
    boxes = re.findall(r'<div class="table-scroll"([^>]*)>\s*<table class="stats-table">\s*'
                       r"<caption>(.*?)</caption>", html, flags=re.S)
    assert len(boxes) >= 14
    for attributes, caption in boxes:
        # At 390 px the box scrolls: a keyboard reaches it, a screen reader names it.
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes
        assert f'aria-label="{word}: {caption}"' in attributes
