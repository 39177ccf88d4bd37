"""The crawl's phone-length rule (issue 18, docs/accessibility.md) takes a long list page as
paginated when it carries ``data-pagination``: the lists served a page at a time carry it,
also when their rows fit one page, and only those."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_case_list_is_marked_as_served_a_page_at_a_time(make_case, caseworker, client_for):
    make_case(caseworker)
    html = client_for(caseworker).get(reverse("cases:case_list")).content.decode()
    assert '<p class="result-summary" role="status" data-pagination>' in html


def test_a_cases_history_is_marked_as_served_a_page_at_a_time(make_case, caseworker, client_for):
    case = make_case(caseworker)
    url = reverse("cases:case_history", kwargs={"case_id": case.pk})
    html = client_for(caseworker).get(url).content.decode()
    assert '<ol class="entries history-list" data-pagination>' in html


def test_an_outsider_gets_no_history_page_at_all(make_case, caseworker, outsider, client_for):
    case = make_case(caseworker)
    url = reverse("cases:case_history", kwargs={"case_id": case.pk})
    assert client_for(outsider).get(url).status_code == 404


def test_a_home_of_counts_and_links_is_not_marked(org_admin, client_for):
    assert "data-pagination" not in client_for(org_admin).get("/").content.decode()
