"""Two figures of issue 13 that were missing: cases by place of identification (a coded
region, asked at intake) and women by kind of assistance received (from the plans'
assistance record). Both are published in bands like every other figure, on the page
and in the monthly report; the place goes into the organisation's own export but not
into the CTDC export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import pyrage
import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from plans import vocabularies as pv
from plans.models import AssistanceEntry
from reports import figures
from reports.ctdc import QUASI_IDENTIFIERS
from reports.queries import statistics_scope
from reports.suppression import publish
from tests.factories import current_code
from tests.reports.adversary import View, World, recovered
from tests.reports.population import add_cases, consent_to_statistics, exploited_in

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def month(months_ago: int) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def raw_counts(monkeypatch):
    """The exact counts handed to publication, keyed by the first code of each table."""
    seen: dict[str, list[tuple[dict, int | None]]] = {}
    real = figures.publish_table

    def spy(counts, labels, *, total=None, k=None):
        labels = list(labels)
        seen.setdefault(str(labels[0][0]), []).append((dict(counts), total))
        return real(counts, labels, total=total, k=k)

    monkeypatch.setattr(figures, "publish_table", spy)
    return seen


def _view(supervisor, first: date, last: date, **kwargs) -> figures.Statistics:
    scope = statistics_scope(supervisor, action="statistics.viewed")
    return figures.statistics(scope, figures.Filters(first=first, last=last, **kwargs))


def _figure(result: figures.Statistics, key: str) -> figures.Figure:
    return next(f for f in result.figures if f.key == key)


def _assist(case, category: str, started_on: date, status=pv.AssistanceStatus.CONFIRMED):
    return AssistanceEntry.objects.create(
        id=uuid.uuid4(), case=case, survivor_id=case.survivor_id, category=category,
        started_on=started_on, provider=case.organization, source=pv.AssistanceSource.RECORDED,
        status=status,
    )


# --- place of identification ----------------------------------------------------------


def test_cases_are_counted_by_the_region_where_she_was_identified(
    supervisor, caseworker, raw_counts
):
    add_cases(caseworker, 12, opened_on=month(0), identification_place="PE-LMA")
    add_cases(caseworker, 2, opened_on=month(0), identification_place="PE-MDD")
    add_cases(caseworker, 1, opened_on=month(0))  # not asked yet
    add_cases(caseworker, 4, opened_on=month(3), identification_place="PE-CUS")  # before
    result = _view(supervisor, month(1), month(0))

    counts, total = raw_counts["PE-AMA"][0]
    assert {code: n for code, n in counts.items() if n} == {"PE-LMA": 12, "PE-MDD": 2, "": 1}
    assert total == 15
    table = _figure(result, "identification_place").table
    rows = {row.key: row.band for row in table.rows}
    assert rows["PE-LMA"] == publish(12) and rows["PE-MDD"] == publish(2)
    # every region has its row, empty or not, so that the rows say nothing
    assert rows["PE-CUS"] == rows["PE-UCA"] == publish(0)
    assert table.total == publish(15)


def test_the_regions_figure_gives_nothing_away_to_the_differencing_adversary(
    supervisor, caseworker, team
):
    """The figure is the adversary's model exactly (a table by coded category with its
    total, over whole months): what the page publishes for two overlapping periods is
    what the adversary is given, and she recovers no count under the threshold."""
    placed = {(0, 0): 3, (0, 1): 11, (1, 0): 9, (1, 1): 1}  # (month, region): cases
    regions = ("PE-MDD", "PE-LMA")
    for (m, r), n in placed.items():
        add_cases(caseworker, n, opened_on=month(1 - m), identification_place=regions[r])
    both, second = _view(supervisor, month(1), month(0)), _view(supervisor, month(0), month(0))
    world = World(2, 1, 1, 2, {(m, 0, 0, r): n for (m, r), n in placed.items()})
    for view, result in ((View(0, 1, None, None), both), (View(1, 1, None, None), second)):
        table = _figure(result, "identification_place").table
        rows = {row.key: row.band for row in table.rows}
        for r, code in enumerate(regions):
            expected = sum(n for (m, rr), n in placed.items()
                           if rr == r and view.first_month <= m <= view.last_month)
            assert rows[code] == publish(expected)
    assert recovered(world, [View(0, 1, None, None), View(1, 1, None, None)],
                     lambda n, k: (publish(n, k).low, publish(n, k).high), 10) == []


def test_the_organisations_export_carries_the_region(client_for, supervisor, caseworker):
    add_cases(caseworker, 2, opened_on=timezone.localdate(), identification_place="PE-TUM")
    client = client_for(supervisor)
    device = TOTPDevice.objects.get(user=supervisor)
    this_month = timezone.localdate().strftime("%Y-%m")
    response = client.post(reverse("reports:cases_export"), {
        "first": this_month, "last": this_month, "team": "", "kind": "cases_csv",
        "recipient_kind": "passphrase", "passphrase": "correct horse battery staple 2026",
        "public_key": "", "identity_reason": "", "token": current_code(device),
    })
    assert response.status_code == 200
    plain = pyrage.passphrase.decrypt(response.content, "correct horse battery staple 2026")
    rows = list(csv.DictReader(io.StringIO(plain.decode())))
    assert [row["identification_place"] for row in rows] == ["PE-TUM", "PE-TUM"]


def test_the_ctdc_export_leaves_the_region_out(client_for, supervisor, caseworker):
    cases = add_cases(caseworker, 12, opened_on=timezone.localdate(),
                      identification_place="PE-LMA")
    consent_to_statistics(cases, caseworker)
    exploited_in(cases, "PE")
    this_month = timezone.localdate().strftime("%Y-%m")
    response = client_for(supervisor).post(reverse("reports:ctdc_export"),
                                           {"first": this_month, "last": this_month, "team": ""})
    text = b"".join(response.streaming_content).decode()
    header = text.splitlines()[0]
    assert "identification" not in header.lower() and "PE-LMA" not in text
    assert "identification_place" not in QUASI_IDENTIFIERS


# --- assistance by kind ----------------------------------------------------------------


def test_women_are_counted_by_the_kind_of_assistance_they_received(
    supervisor, caseworker, raw_counts
):
    cases = add_cases(caseworker, 3, opened_on=month(4))
    today = timezone.localdate()
    _assist(cases[0], pv.Area.HEALTH, today)
    _assist(cases[0], pv.Area.HEALTH, today)  # the same woman twice: one woman
    _assist(cases[0], pv.Area.ACCOMMODATION, today)
    _assist(cases[1], pv.Area.HEALTH, today)
    _assist(cases[2], pv.Area.LEGAL, today, status=pv.AssistanceStatus.TO_CONFIRM)  # not yet
    _assist(cases[2], pv.Area.EDUCATION, month(3))  # before the period
    result = _view(supervisor, month(1), month(0))

    counts, total = raw_counts["safety"][0]
    assert {code: n for code, n in counts.items() if n} == {"health": 2, "accommodation": 1}
    assert total is None  # several kinds per woman
    table = _figure(result, "assistance_by_category").table
    assert [row.key for row in table.rows] == list(pv.Area.values)
    assert all(row.band == publish(0) for row in table.rows)  # all under the threshold


def test_another_teams_assistance_is_not_counted(supervisor, caseworker, organization,
                                                 raw_counts):
    from tests.factories import TeamFactory, UserFactory

    other_team = TeamFactory(organization=organization, name="Equipo Cusco")
    colleague = UserFactory(organization=organization, role="caseworker", username="cusco")
    other_team.members.add(colleague)
    theirs = add_cases(colleague, 1, team=other_team, opened_on=month(0))
    _assist(theirs[0], pv.Area.HEALTH, timezone.localdate())
    _view(supervisor, month(0), month(0))

    assert not any(raw_counts["safety"][0][0].values())


@pytest.mark.parametrize("page", ["reports:statistics", "reports:monthly"])
def test_both_figures_are_on_the_page_and_the_report_in_spanish(
    client_for, supervisor, caseworker, page
):
    cases = add_cases(caseworker, 11, opened_on=timezone.localdate(),
                      identification_place="PE-CAL")
    for case in cases:
        _assist(case, pv.Area.PSYCHOSOCIAL, timezone.localdate())
    query = {"month": timezone.localdate().strftime("%Y-%m")} if page == "reports:monthly" else {}
    html = client_for(supervisor).get(reverse(page), query,
                                      HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Lugar de identificación" in html and "Callao" in html
    assert "Asistencia recibida, por tipo" in html
    assert "10–12" in html  # 11 women, published as their band
    assert ">11<" not in html
