"""The CTDC export is k-anonymous on its quasi-identifiers, holds only cases whose
consent covers statistics, uses the CTDC variable names and is streamed (issue 13,
item 3)."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as cv
from cases.models import Consent
from reports import ctdc
from reports.forms import offered_months
from reports.models import ExportRecord
from tests.reports.population import add_cases, consent_to_statistics, exploited_in

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

QUASI = ("yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
         "CountryOfExploitation")
K = 11


def _download(client, **data) -> tuple[StreamingHttpResponse, list[dict]]:
    month = timezone.localdate().strftime("%Y-%m")
    oldest = offered_months()[-1].strftime("%Y-%m")
    form = {"first": data.get("first", oldest), "last": month, "team": ""}
    response = client.post(reverse("reports:ctdc_export"), form)
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return response, list(csv.DictReader(io.StringIO(text)))


def _groups(rows: list[dict]) -> Counter:
    return Counter(tuple(row[name] for name in QUASI) for row in rows)


def _population(caseworker, rng: random.Random, size: int) -> list:
    """Cases with varied quasi-identifiers, in small batches of one combination each."""
    everyone = []
    start = timezone.localdate().replace(day=1)
    while len(everyone) < size:
        batch = rng.randint(1, 25)
        opened = start - timedelta(days=rng.choice([0, 400, 800]))
        cases = add_cases(
            caseworker, batch, opened_on=opened,
            gender=rng.choice(["female", "female", "female", "male", "transgender"]),
            age_band=rng.choice(["13-17", "18-24", "25-34", "35-49", "unknown"]),
            nationality=rng.choice(["VE", "VE", "CO", "PE", "HT", "BR"]),
            exploitation_types=rng.sample(["sexual_prostitution", "forced_labour",
                                           "domestic_servitude"], rng.randint(0, 2)),
            means_of_control=rng.sample(["debt_bondage", "threats_family"], rng.randint(0, 2)),
        )
        exploited_in(cases, rng.choice(["PE", "PE", "EC", "CL"]))
        everyone += cases
    return everyone


def test_every_combination_of_quasi_identifiers_is_shared_by_at_least_k_rows(
    client_for, supervisor, caseworker
):
    cases = _population(caseworker, random.Random(13), 400)
    consent_to_statistics(cases, caseworker)
    _response, rows = _download(client_for(supervisor))
    groups = _groups(rows)
    assert rows, "the export must not be empty for 400 consenting cases"
    assert min(groups.values()) >= K, groups
    # at most 5 % withheld
    assert len(rows) >= 0.95 * len(cases)


def test_only_cases_whose_consent_covers_statistics_are_exported(
    client_for, supervisor, caseworker
):
    today = timezone.localdate()
    consenting = add_cases(caseworker, 15, opened_on=today, nationality="VE")
    consent_to_statistics(consenting, caseworker)
    refused = add_cases(caseworker, 15, opened_on=today, nationality="CO")
    consent_to_statistics(refused, caseworker, given=False)
    withdrawn = add_cases(caseworker, 15, opened_on=today, nationality="PE")
    consent_to_statistics(withdrawn, caseworker)
    Consent.objects.filter(case__in=withdrawn).update(withdrawn_at=timezone.now())
    expired = add_cases(caseworker, 15, opened_on=today, nationality="EC")
    consent_to_statistics(expired, caseworker)
    Consent.objects.filter(case__in=expired).update(expires_on=today - timedelta(days=1))
    add_cases(caseworker, 15, opened_on=today, nationality="BO")  # no consent recorded
    _response, rows = _download(client_for(supervisor))
    assert {row["citizenship"] for row in rows} == {"VE"}
    assert len(rows) == 15


def test_the_file_uses_the_ctdc_names_and_nothing_that_identifies(
    client_for, supervisor, caseworker
):
    cases = add_cases(caseworker, 12, opened_on=timezone.localdate(), age_band="13-17",
                      exploitation_types=["sexual_prostitution", "forced_labour"],
                      means_of_control=["debt_bondage"], recruiter_relationship="family")
    consent_to_statistics(cases, caseworker)
    exploited_in(cases, "PE")
    response, rows = _download(client_for(supervisor))
    assert list(rows[0])[:6] == ["yearOfRegistration", "gender", "ageBroad", "majorityStatus",
                                 "citizenship", "CountryOfExploitation"]
    row = rows[0]
    assert (row["gender"], row["ageBroad"], row["majorityStatus"]) == ("Female", "13--17", "Minor")
    assert (row["citizenship"], row["CountryOfExploitation"]) == ("VE", "PE")
    assert row["isSexualExploit"] == row["isForcedLabour"] == row["isSexAndLabour"] == "1"
    assert row["meansOfControlDebtBondage"] == "1" and row["meansOfControlNotSpecified"] == "0"
    assert row["recruiterRelationFamily"] == "1"
    text = "".join(",".join(r.values()) for r in rows)
    assert not any(case.code in text for case in cases)


def test_small_groups_are_generalised_then_withheld(client_for, supervisor, caseworker):
    today = timezone.localdate()
    big = add_cases(caseworker, 30, opened_on=today, nationality="VE")
    lonely = add_cases(caseworker, 2, opened_on=today, nationality="HT", gender="male")
    consent_to_statistics(big + lonely, caseworker)
    _response, rows = _download(client_for(supervisor))
    assert len(rows) == 30  # the two men from Haiti are withheld, not published
    assert min(_groups(rows).values()) >= K


def test_the_export_is_one_event_and_one_record_without_codes(client_for, supervisor, caseworker):
    cases = add_cases(caseworker, 12, opened_on=timezone.localdate())
    consent_to_statistics(cases, caseworker)
    before = AccessEvent.objects.count()
    _download(client_for(supervisor))
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.outcome) for e in events] == [(Action.CTDC_EXPORTED, Outcome.ALLOWED)]
    record = ExportRecord.objects.get(pk=events[0].target_id)
    assert record.record_count == 12 and record.case_codes == []


keys = st.tuples(
    st.sampled_from(["female", "male", "transgender", ""]),
    st.sampled_from([c for c, _l in cv.AgeBand.choices]),
    st.sampled_from(["VE", "CO", "PE", "EC", "HT", "BR", ""]),
    st.sampled_from(["PE", "EC", "CL", ""]),
    st.sampled_from(["2024", "2025", "2026"]),
)


@settings(max_examples=300, deadline=None)
@given(groups=st.dictionaries(keys, st.integers(1, 40), max_size=40), k=st.integers(11, 15))
def test_any_population_comes_out_k_anonymous(groups, k):
    """Whatever the group sizes, the rows the plan keeps, written as the file writes
    them, fall in groups of at least k."""
    chosen = ctdc.plan_for(Counter(groups), k=k)
    written: Counter = Counter()
    empty = {"exploitation_types": [], "means_of_control": [], "recruitment_methods": [],
             "recruiter_relationship": ""}
    for key, n in groups.items():
        if chosen.keeps(key):
            line = ctdc.output_row(ctdc.generalise(key, chosen.level), empty)
            written[tuple(line[:6])] += n
    assert all(size >= k for size in written.values()), written
    assert sum(written.values()) == chosen.exported


def test_a_first_month_older_than_offered_is_refused(client_for, supervisor):
    response = client_for(supervisor).post(reverse("reports:ctdc_export"),
                                           {"first": "1999-01", "last": "1999-02"})
    assert response.status_code == 200
    assert response.context["form"].errors["first"]
    assert date(1999, 1, 1) < timezone.localdate()
