"""The figures of the statistics page and the monthly report, counted in SQL.

Only coded and operational fields are read (DESIGN §3, §9): never a sealed column. Each
figure is one aggregate query, so the page costs the same number of queries for 100 as
for 100,000 cases. Counts leave this module only as published bands
(``reports.suppression``): ``Statistics`` holds ``Table``s, never a raw number.

A view is a whole-month period, all of the reader's teams or one, all service types or
one (the service type narrows the referral figures). Those are the only views the forms
offer (reports/forms.py), which is what the suppression argument relies on.

Assistance by category is counted from the plans' assistance record (``plans`` sits a
layer below ``reports`` for that reason); the place of identification from the coded
region the intake asks for (``Case.identification_place``), never from the sealed route.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Case as When_
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as cv
from cases.models import Case, FollowUp
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from referrals import vocabularies as rv
from referrals.models import Referral
from reports.queries import Scope
from reports.suppression import Table, publish_table

_NOT_RECORDED = ("", _("Not recorded"))


@dataclass(frozen=True)
class Filters:
    """One view the page offers. ``first`` and ``last`` are first days of months."""

    first: date
    last: date
    team_id: int | None = None
    service_type: str = ""

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.after_last, time.min))

    @property
    def after_last(self) -> date:
        days = calendar.monthrange(self.last.year, self.last.month)[1]
        return self.last + timedelta(days=days)

    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Figure:
    """A titled figure: one table, or a grid of tables (one per row, with its columns)."""

    key: str
    title: str
    table: Table | None = None
    grid: tuple[tuple[str, Table], ...] = ()
    columns: tuple[str, ...] = ()
    note: str = ""
    chart: bool = True


@dataclass
class Statistics:
    filters: Filters
    cases: Table  # the view's total, as the one-row table "new cases"
    figures: list[Figure] = field(default_factory=list)


def _counts(queryset: QuerySet, key: str) -> dict[str, int]:
    rows = queryset.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n")
    return {("" if value is None else str(value)): n for value, n in rows}


def _choices(choices: Iterable[tuple[str, str]], *, blank: bool = True) -> list[tuple[str, str]]:
    labels = [(str(code), label) for code, label in choices]
    return [*labels, _NOT_RECORDED] if blank else labels


def _month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# --- the figures -------------------------------------------------------------------------


def new_cases(cases: QuerySet[Case], filters: Filters) -> tuple[Figure, Table]:
    by_month = {
        (m.date() if isinstance(m, datetime) else m).isoformat(): n
        for m, n in cases.order_by()
        .annotate(month=TruncMonth("opened_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    }
    total = sum(by_month.values())
    months = [(m.isoformat(), _month_label(m)) for m in filters.months()]
    table = publish_table(by_month, months, total=total)
    headline = publish_table({"all": total}, [("all", _("New cases"))])
    return Figure("new_cases", str(_("New cases per month")), table), headline


def _exclusive_traits(
    cases: QuerySet[Case], traits: list[tuple[str, str, str, Iterable]]
) -> list[Figure]:
    """Traits each case has one value of (nationality, gender …), with their totals, all
    counted in one pass over the cases: one conditional count per trait and code."""
    aggregates = {"all": Count("pk")}
    rows = []
    for t, (_key, _title, column, choices) in enumerate(traits):
        labels = _choices(choices)
        rows.append(labels)
        for c, (code, _label) in enumerate(labels):
            aggregates[f"t{t}_{c}"] = Count("pk", filter=Q(**{column: code}))
    counts = cases.order_by().aggregate(**aggregates)
    figures = []
    for t, (key, title, _column, _vocabulary) in enumerate(traits):
        by_code = {code: counts[f"t{t}_{c}"] for c, (code, _label) in enumerate(rows[t])}
        figures.append(Figure(key, title, publish_table(by_code, rows[t], total=counts["all"])))
    return figures


def _multi_valued(
    key: str, title: str, cases: QuerySet[Case], column: str, choices, *, unrecorded: bool = False
) -> Figure:
    """A trait a case may have several of: one conditional count per code, one query.
    With ``unrecorded``, a "not recorded" row counts the cases whose list is empty."""
    codes = [str(code) for code, _label in choices]
    aggregates = {
        f"n{i}": Count("pk", filter=_holds(column, code)) for i, code in enumerate(codes)
    }
    if unrecorded:
        aggregates["unrecorded"] = Count("pk", filter=Q(**{column: []}))
    counts = cases.order_by().aggregate(**aggregates) if codes else {}
    by_code = {code: counts[f"n{i}"] for i, code in enumerate(codes)}
    if unrecorded:
        by_code[""] = counts["unrecorded"]
    return Figure(key, title, publish_table(by_code, _choices(choices, blank=unrecorded)),
                  note=str(_("A case may count in several rows, so there is no total.")))


def _holds(column: str, code: str) -> Q:
    """The JSON list ``column`` holds ``code``. PostgreSQL tests containment on the jsonb
    value itself (``@>``), several times faster than matching its text; SQLite has no
    containment, so there the code is matched with its quotes in the stored text, so
    that no code is taken for the beginning of a longer one."""
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__contains": [code]})
    return Q(**{f"{column}__icontains": f'"{code}"'})


def open_cases_per_caseworker(scope: Scope, filters: Filters) -> Figure:
    """Open cases today, per owner: every active person of the chosen teams gets a row,
    with or without cases, so the rows themselves say nothing."""
    from accounts.models import Role, User

    open_cases = scope.cases(filters.team_id).filter(
        status__in=[cv.CaseStatus.OPEN, cv.CaseStatus.FOLLOW_UP]
    )
    counts = _counts(open_cases, "owner_id")
    total = sum(counts.values())
    teams = scope.team_ids if filters.team_id is None else (filters.team_id,)
    people = (
        User.objects.filter(
            Q(teams__in=teams) | Q(supervised_teams__in=teams),
            organization_id=scope.organization_id,
            role__in=[Role.CASEWORKER, Role.SUPERVISOR],
        )
        .distinct()
        .order_by("username")
    )
    labels = [(str(p.pk), p.display_name) for p in people]
    # Owners who left the teams still hold cases: counted together, never dropped.
    listed = {code for code, _label in labels}
    others = sum(n for owner, n in counts.items() if owner not in listed)
    counts = {**counts, "others": others}
    labels.append(("others", str(_("Others (moved or left)"))))
    return Figure(
        "open_per_caseworker", str(_("Open cases per caseworker, today")),
        publish_table(counts, labels, total=total),
        note=str(_("Today's open cases of the chosen teams, whatever the period.")),
    )


def referral_figures(scope: Scope, filters: Filters) -> list[Figure]:
    referrals = Referral.objects.filter(
        case__in=scope.cases(filters.team_id),
        created_at__gte=filters.starts_at,
        created_at__lt=filters.ends_before,
    ).exclude(state=rv.State.DRAFT)
    if filters.service_type:
        referrals = referrals.filter(offering__service_type=filters.service_type)
    by_type = _counts(referrals, "offering__service_type")
    by_state = _counts(referrals, "state")
    by_outcome = _counts(referrals.filter(state=rv.State.COMPLETED), "outcome")
    states = [(c, lbl) for c, lbl in rv.State.choices if c != rv.State.DRAFT]
    figures = [
        Figure("referrals_by_service", str(_("Referrals by service type")),
               publish_table(by_type, _choices(cv.ServiceType.choices, blank=False),
                             total=sum(by_type.values()))),
        Figure("referrals_by_state", str(_("Referrals by state")),
               publish_table(by_state, _choices(states, blank=False),
                             total=sum(by_state.values()))),
        Figure("referral_outcomes", str(_("Outcomes of completed referrals")),
               publish_table(by_outcome, _choices(rv.CompletionOutcome.choices),
                             total=sum(by_outcome.values()))),
        time_to_first_answer(referrals),
    ]
    return figures


ANSWER_COLUMNS = (
    ("in_time", _("Answered in time")),
    ("late", _("Answered late")),
    ("overdue", _("Not answered, overdue")),
    ("waiting", _("Not answered, still in time")),
)


def time_to_first_answer(referrals: QuerySet[Referral]) -> Figure:
    """Sent referrals per urgency, by whether the provider answered by the deadline
    (24 hours, 72 hours, two weeks: ``due_at`` was set from them when it was sent)."""
    now = timezone.now()
    sent = referrals.filter(sent_at__isnull=False, due_at__isnull=False)
    answered = Q(answered_at__isnull=False)
    conditions = {
        "in_time": answered & Q(answered_at__lte=F("due_at")),
        "late": answered & Q(answered_at__gt=F("due_at")),
        "overdue": ~answered & Q(due_at__lt=now),
        "waiting": ~answered & Q(due_at__gte=now),
    }
    rows = (
        sent.order_by()
        .values("urgency")
        .annotate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    by_urgency = {row["urgency"]: row for row in rows}
    grid = []
    for urgency, label in rv.Urgency.choices:
        row = by_urgency.get(urgency, {})
        counts = {key: row.get(key, 0) for key in conditions}
        grid.append((str(label), publish_table(counts, ANSWER_COLUMNS,
                                               total=sum(counts.values()))))
    return Figure(
        "time_to_answer", str(_("Time to first answer against the deadline")),
        grid=tuple(grid), columns=tuple(str(label) for _c, label in ANSWER_COLUMNS),
        chart=False,
    )


ADHERENCE_ROWS = (
    ("on_time", _("Done by the due date")),
    ("late", _("Done late")),
    ("missed", _("Not done, overdue")),
    ("pending", _("Not yet due")),
)


def follow_up_adherence(scope: Scope, filters: Filters) -> Figure:
    today = timezone.localdate()
    due = FollowUp.objects.filter(
        case__in=scope.cases(filters.team_id),
        due_on__gte=filters.first,
        due_on__lt=filters.after_last,
    ).exclude(kind=cv.FollowUpKind.RETRAFFICKING_CHECK_IN).exclude(
        outcome=cv.FollowUpOutcome.CANCELLED
    )
    done = Q(done_at__isnull=False)
    # done_at is a moment, due_on a day: done on the due day (local time) is in time.
    counts = due.order_by().aggregate(
        on_time=Count("pk", filter=done & Q(done_at__date__lte=F("due_on"))),
        late=Count("pk", filter=done & Q(done_at__date__gt=F("due_on"))),
        missed=Count("pk", filter=~done & Q(due_on__lt=today)),
        pending=Count("pk", filter=~done & Q(due_on__gte=today)),
    )
    return Figure(
        "follow_up_adherence", str(_("Follow-up adherence")),
        publish_table(counts, ADHERENCE_ROWS, total=sum(counts.values())),
        note=str(_("Follow-ups due in the period, re-trafficking check-ins apart.")),
    )


MILESTONES = (("3", _("3 months")), ("6", _("6 months")), ("12", _("12 months")),
              ("24", _("24 months")))
CHECK_IN_COLUMNS = (
    (cv.FollowUpOutcome.REACHED_SAFE, cv.FollowUpOutcome.REACHED_SAFE.label),
    (cv.FollowUpOutcome.REACHED_CONCERN, cv.FollowUpOutcome.REACHED_CONCERN.label),
    (cv.FollowUpOutcome.NOT_REACHED, cv.FollowUpOutcome.NOT_REACHED.label),
    ("open", _("Not done yet")),
)


def retrafficking_check_ins(scope: Scope, filters: Filters) -> Figure:
    """Re-trafficking check-ins due in the period, by how long after closure they fell
    (the nearest of 3, 6, 12 and 24 months) and by what was found."""
    after_closure = ExpressionWrapper(F("due_on") - F("case__closed_on"),
                                      output_field=DurationField())
    milestone = When_(
        When(after__lte=timedelta(days=137), then=Value("3")),
        When(after__lte=timedelta(days=274), then=Value("6")),
        When(after__lte=timedelta(days=548), then=Value("12")),
        default=Value("24"),
    )
    check_ins = (
        FollowUp.objects.filter(
            case__in=scope.cases(filters.team_id),
            kind=cv.FollowUpKind.RETRAFFICKING_CHECK_IN,
            case__closed_on__isnull=False,
            due_on__gte=filters.first,
            due_on__lt=filters.after_last,
        )
        .exclude(outcome=cv.FollowUpOutcome.CANCELLED)
        .annotate(after=after_closure)
        .annotate(milestone=milestone)
    )
    rows = check_ins.order_by().values("milestone").annotate(
        **{str(code): Count("pk", filter=Q(outcome=code)) for code, _l in CHECK_IN_COLUMNS[:3]},
        open=Count("pk", filter=Q(done_at__isnull=True)),
    )
    by_milestone = {row["milestone"]: row for row in rows}
    grid = []
    for key, label in MILESTONES:
        row = by_milestone.get(key, {})
        counts = {str(code): row.get(str(code), 0) for code, _l in CHECK_IN_COLUMNS}
        grid.append((str(label), publish_table(counts, CHECK_IN_COLUMNS,
                                               total=sum(counts.values()))))
    return Figure(
        "retrafficking_check_ins", str(_("Re-trafficking check-ins after closure")),
        grid=tuple(grid), columns=tuple(str(label) for _c, label in CHECK_IN_COLUMNS),
        chart=False,
    )


def case_figures(cases: QuerySet[Case]) -> list[Figure]:
    return [
        _multi_valued("exploitation", str(_("Types of exploitation")), cases,
                      "exploitation_types", cv.ExploitationType.choices),
        _multi_valued("means_of_control", str(_("Means of control")), cases,
                      "means_of_control", cv.MeansOfControl.choices),
        # Several methods per case since issue 14 (HTCDS): counted like the other lists.
        _multi_valued("recruitment", str(_("Method of recruitment")), cases,
                      "recruitment_methods", cv.RecruitmentMethod.choices, unrecorded=True),
        *_exclusive_traits(cases, [
            ("nationality", str(_("Nationality")), "survivor__nationality",
             cv.Nationality.choices),
            ("age_band", str(_("Age band")), "survivor__age_band", cv.AgeBand.choices),
            ("gender", str(_("Gender")), "survivor__gender", cv.Gender.choices),
            ("risk", str(_("Current risk level")), "risk_level", cv.RiskLevel.choices),
            # A region, not a city or an address: coded at intake, not sealed (docs/security.md).
            ("identification_place", str(_("Place of identification")),
             "identification_place", cv.IdentificationPlace.choices),
        ]),
    ]


def assistance_by_category(scope: Scope, filters: Filters) -> Figure:
    """Women who received each kind of assistance that began in the period, from the
    plans' assistance record (entries still to confirm are not counted yet).

    Women, not entries: a woman with five nights of shelter is one in the row, so a row
    is a count of women like every other figure, published in the same bands. A woman
    may have received several kinds, so there is no total."""
    entries = AssistanceEntry.objects.filter(
        case__in=scope.cases(filters.team_id),
        started_on__gte=filters.first,
        started_on__lt=filters.after_last,
    ).exclude(status=pv.AssistanceStatus.TO_CONFIRM)
    codes = [str(code) for code, _label in pv.Area.choices]
    counts = entries.order_by().aggregate(**{
        f"n{i}": Count("case", distinct=True, filter=Q(category=code))
        for i, code in enumerate(codes)
    })
    by_code = {code: counts[f"n{i}"] for i, code in enumerate(codes)}
    return Figure(
        "assistance_by_category", str(_("Assistance received, by kind")),
        publish_table(by_code, _choices(pv.Area.choices, blank=False)),
        note=str(_("Women who received each kind of assistance that began in the period; "
                   "a woman may count in several rows, so there is no total.")),
    )


FigureBuilder = Callable[[Scope, Filters], list[Figure]]


def statistics(scope: Scope, filters: Filters) -> Statistics:
    """Every figure of one view, published as bands."""
    cases = scope.cases(filters.team_id).filter(
        opened_on__gte=filters.first, opened_on__lt=filters.after_last
    )
    by_month, headline = new_cases(cases, filters)
    result = Statistics(filters=filters, cases=headline)
    result.figures = [
        by_month,
        *case_figures(cases),
        *referral_figures(scope, filters),
        assistance_by_category(scope, filters),
        follow_up_adherence(scope, filters),
        retrafficking_check_ins(scope, filters),
        open_cases_per_caseworker(scope, filters),
    ]
    return result
