"""Every page of a case has an h1 that names its purpose and the case code, never the
survivor's name; the name stays in the case header where the work needs it (issue 18)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NAME = "María José Pérez Salas"


def _h1(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    assert len(headings) == 1, headings
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", headings[0])).strip()


PAGES = {
    "cases:case_detail": "Case {code}",
    "cases:case_history": "Change history · {code}",
    "cases:close": "Close {code}",
    "cases:share": "Share {code}",
    "cases:shred_request": "Shred {code}",
}


@pytest.mark.parametrize("url_name", PAGES)
def test_the_heading_names_the_page_and_the_code_not_her_name(
    client_for, caseworker, supervisor, case, url_name
):
    # Asking for shredding is the supervisor's step.
    client = client_for(supervisor if url_name == "cases:shred_request" else caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse(url_name, kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    heading = _h1(response.content.decode())
    assert heading == PAGES[url_name].format(code=case.code)
    assert "María" not in heading


def test_a_section_page_heading_is_the_section_and_the_code(client_for, caseworker, case):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    url = reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": "identity"})
    heading = _h1(client.get(url).content.decode())
    assert heading.endswith(f"· {case.code}")
    assert "María" not in heading


def test_the_case_page_heading_is_spanish_in_spanish(client_for, caseworker, case):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    html = client.get(reverse("cases:case_detail", kwargs={"case_id": case.pk})).content
    assert _h1(html.decode()) == f"Caso {case.code}"


def test_the_case_header_still_shows_her_name_to_the_caseworker(client_for, caseworker, case):
    html = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert f'<span class="case-name" translate="no">{NAME}</span>' in html.content.decode()
