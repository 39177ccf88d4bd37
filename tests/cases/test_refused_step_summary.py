"""A refused close or reopen answers with the error summary first in the main content and
"Error:" in the title, in both languages, and changes nothing (issue 18)."""

import pytest
from django.urls import reverse

from cases import vocabularies as v
from cases.models import Case
from cases.services.management import close_case

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

TITLE = {"en": "<title>Error: ", "es": "<title>Error: "}
HEADING = {"en": "There is a problem", "es": "Hay un problema"}


def _main(html: str) -> str:
    return html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_close_leads_with_the_summary(client_for, caseworker, case, language):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    url = reverse("cases:close", kwargs={"case_id": case.pk})
    response = client.post(url, {"status": v.CaseStatus.CLOSED, "closure_reason": "bored"})
    html = response.content.decode()
    assert response.status_code == 200
    assert TITLE[language] in html
    main = _main(html)
    assert main.startswith('<div class="error-summary"')
    assert HEADING[language] in main
    assert '<a href="#id_closure_reason">' in main
    assert not Case.objects.get(pk=case.pk).is_closed


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_reopen_leads_with_the_summary(client_for, caseworker, case, language):
    close_case(actor=caseworker, case=case, status="closed", reason="lost_contact")
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post(
        reverse("cases:reopen", kwargs={"case_id": case.pk}), {"reason": "because"}
    )
    html = response.content.decode()
    assert TITLE[language] in html
    assert _main(html).startswith('<div class="error-summary"')
    assert Case.objects.get(pk=case.pk).is_closed


def test_a_page_that_was_not_refused_has_no_summary(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:close", kwargs={"case_id": case.pk}))
    assert "error-summary" not in response.content.decode()
    assert "<title>Error:" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_stop_sharing_leads_with_the_summary_and_is_said_once(
    client_for, caseworker, case, teammate, language
):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post(
        reverse("cases:unshare", kwargs={"case_id": case.pk}), {"colleague": teammate.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert TITLE[language] in html
    main = _main(html)
    assert main.startswith('<div class="error-summary"')
    summary, rest = main.split("</div>", 1)
    assert HEADING[language] in summary
    expected = {"en": "The case is not shared with this person.",
                "es": "El caso no está compartido con esta persona."}[language]
    assert expected in summary
    assert expected not in rest and 'role="alert"' not in rest
