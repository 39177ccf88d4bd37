"""Anomalies in the access log: simple rules an auditor can explain (DESIGN §8).

Each rule reads the events it is given (already scoped to the auditor's organisation by
``oversight.queries.events_for_auditor``) since a point in time, and names who, when and how
many. Thresholds are settings:

- ``many_cases``: a person opened more than ``AMPARO_ANOMALY_CASES_PER_HOUR`` distinct
  cases within any 60 minutes (allowed events carrying a case code, but not a case's
  mere showing in a list);
- ``many_listed``: a person saw more than ``AMPARO_ANOMALY_LISTED_CASES_PER_HOUR``
  distinct cases outside her own caseload (cases she does not own) in lists, searches,
  home pages and exports within any 60 minutes (``CASE_LISTED`` events,
  ``cases.sightings``): paging through a thousand names without opening one;
- ``night``: a person did something between ``AMPARO_ANOMALY_NIGHT_START`` and
  ``AMPARO_ANOMALY_NIGHT_END`` o'clock, local time (TIME_ZONE);
- ``outside_teams``: a person reached a case whose team is not one of hers (as member or
  supervisor) and that she does not own — shares and emergency grants show here too,
  which is the point: the auditor sees every such access. Duties and system cascades are
  not accesses she chose: the administrator's confirmation or cancellation of a shredding
  request (the second person the rule requires, whose role spans every team) and the
  referrals withdrawn automatically because a consent was withdrawn or her data was
  shredded (``DUTY_ACTIONS``, ``CASCADE_WITHDRAWALS``);
- ``denials``: more than ``AMPARO_ANOMALY_DENIALS_PER_HOUR`` refusals for one person
  (by username, so unknown accounts count too) within any 60 minutes;
- ``export``: every export, download or print;
- ``duplicate_probe``: a duplicate check at intake matched a case the person cannot see
  (what testing whether a named woman is a client of another team looks like), with the
  case's code.

The auditor's own reading of the log (``audit.*`` actions) is not an anomaly of the
rules above, except that her exports are listed like everyone's. A case shown in a list
(``CASE_LISTED``) is counted by ``many_listed`` only: the list page's own event is what
``night`` lists, and a case outside her teams shows in a list only through a share or an
emergency grant, which ``outside_teams`` finds when she opens it.

The database does the reading: each rule is one query (or two) whose rows are its
findings, never a week of events brought into Python. The two "within any 60 minutes"
rules first count per person and clock hour (UTC): a window of 60 minutes lies within
two consecutive clock hours, so only a person whose two consecutive hours together pass
the limit can have a finding, and only her rows are read to find the exact moments.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessEvent, Action, Outcome
from cases.models import Case
from cases.services.intake import HIDDEN_MATCH_PURPOSE
from referrals.vocabularies import WithdrawReason

HOUR = timedelta(hours=1)

# Exports, downloads and prints; later modules name theirs "….exported" or "….printed".
EXPORT_ACTIONS = {Action.ATTACHMENT_DOWNLOADED.value, Action.AUDIT_EXPORTED.value}


# An organisation administrator's duties on any case of her organisation: shredding needs
# a second person, and that person is her (cases.services.management.confirm_shredding).
DUTY_ACTIONS = {Action.SHRED_CONFIRMED.value, Action.SHRED_CANCELLED.value}

# Withdrawals the system makes on its own inside another change (referrals.services):
# the person who withdrew the consent or confirmed the shredding did not reach the case.
CASCADE_WITHDRAWALS = Q(
    action=Action.REFERRAL_WITHDRAWN.value,
    purpose__in=[WithdrawReason.CONSENT_WITHDRAWN.value, WithdrawReason.DATA_ERASED.value],
)


def _is_export(action: str) -> bool:
    return action in EXPORT_ACTIONS or action.endswith((".exported", ".printed"))


class Rule(enum.StrEnum):
    MANY_CASES = "many_cases"
    MANY_LISTED = "many_listed"
    NIGHT = "night"
    OUTSIDE_TEAMS = "outside_teams"
    DENIALS = "denials"
    EXPORT = "export"
    DUPLICATE_PROBE = "duplicate_probe"

    @property
    def label(self) -> str:
        return str(RULE_LABELS[self])


RULE_LABELS = {
    Rule.MANY_CASES: _("Many cases in an hour"),
    Rule.MANY_LISTED: _("Many others' cases seen in lists in an hour"),
    Rule.NIGHT: _("Activity at night"),
    Rule.OUTSIDE_TEAMS: _("Case outside her teams"),
    Rule.DENIALS: _("Repeated refusals"),
    Rule.EXPORT: _("Export or download"),
    Rule.DUPLICATE_PROBE: _("Duplicate check matched a hidden case"),
}


@dataclass(frozen=True)
class Anomaly:
    rule: Rule
    username: str
    actor_id: int | None
    started_at: datetime
    count: int = 1
    case_code: str = ""
    action: str = ""

    @property
    def rule_label(self) -> str:
        return self.rule.label

    @property
    def action_label(self) -> str:
        return str(dict(Action.choices).get(self.action, self.action))


def _not_auditing(events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
    return events.exclude(action__startswith="audit.")


def _bursts(rows: Iterable[tuple[str, datetime, object]], *, more_than: int) -> list[tuple]:
    """Per key, the first moments when more than ``more_than`` distinct values fall within
    60 minutes. ``rows`` must be ordered by key, then time. One finding per burst: after a
    hit, the window starts again after it."""
    found = []
    by_key: dict[str, list[tuple[datetime, object]]] = defaultdict(list)
    for key, moment, value in rows:
        by_key[key].append((moment, value))
    for key, moments in by_key.items():
        start = 0
        for end in range(len(moments)):
            while moments[end][0] - moments[start][0] >= HOUR:
                start += 1
            distinct = {value for _moment, value in moments[start : end + 1]}
            if len(distinct) > more_than:
                found.append((key, moments[start][0], len(distinct)))
                start = end + 1
    return found


def _suspects(events: QuerySet[AccessEvent], key: str, counted: Count, more_than: int) -> set:
    """Keys (actor ids, usernames) with more than ``more_than`` counted in some two
    consecutive clock hours: whoever has a burst of 60 minutes is among them."""
    per_hour: dict[object, dict[datetime, int]] = defaultdict(dict)
    rows = (
        events.annotate(hour=TruncHour("occurred_at", tzinfo=UTC))
        .values_list(key, "hour")
        .annotate(count=counted)
        .order_by()
    )
    for value, hour, count in rows:
        per_hour[value][hour] = count
    return {
        value
        for value, hours in per_hour.items()
        if any(count + hours.get(hour + HOUR, 0) > more_than for hour, count in hours.items())
    }


def _not_listed(events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
    return events.exclude(action=Action.CASE_LISTED)


def _many_distinct_cases(
    events: QuerySet[AccessEvent], rule: Rule, limit: int
) -> list[Anomaly]:
    """A finding per burst of more than ``limit`` distinct case codes of one person in
    60 minutes, among ``events`` (allowed, with an actor and a case code)."""
    suspects = _suspects(events, "actor_id", Count("case_code", distinct=True), limit)
    if not suspects:
        return []
    rows = (
        events.filter(actor_id__in=suspects)
        .order_by("actor_id", "occurred_at", "id")
        .values_list("actor_id", "actor_username", "occurred_at", "case_code")
    )
    names: dict[int, str] = {}
    keyed = []
    for actor_id, username, moment, code in rows:
        names[actor_id] = username
        keyed.append((actor_id, moment, code))
    return [
        Anomaly(rule, names[actor_id], actor_id, started, count)
        for actor_id, started, count in _bursts(keyed, more_than=limit)
    ]


def _with_cases(events: QuerySet[AccessEvent], since: datetime) -> QuerySet[AccessEvent]:
    return (
        _not_auditing(events)
        .filter(occurred_at__gte=since, outcome=Outcome.ALLOWED, actor__isnull=False)
        .exclude(case_code="")
    )


def many_cases(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    opened = _not_listed(_with_cases(events, since))
    return _many_distinct_cases(opened, Rule.MANY_CASES, settings.AMPARO_ANOMALY_CASES_PER_HOUR)


def many_listed(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    # Her own caseload is what her lists are for: the cases she owns do not count.
    own = Case.objects.filter(
        organization_id=OuterRef("organization_id"), code=OuterRef("case_code"),
        owner_id=OuterRef("actor_id"),
    )
    seen = _with_cases(events, since).filter(action=Action.CASE_LISTED).exclude(Exists(own))
    return _many_distinct_cases(
        seen, Rule.MANY_LISTED, settings.AMPARO_ANOMALY_LISTED_CASES_PER_HOUR
    )


def repeated_denials(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    limit = settings.AMPARO_ANOMALY_DENIALS_PER_HOUR
    denied = events.filter(occurred_at__gte=since, outcome=Outcome.DENIED)
    suspects = _suspects(denied, "actor_username", Count("id"), limit)
    if not suspects:
        return []
    rows = (
        denied.filter(actor_username__in=suspects)
        .order_by("actor_username", "occurred_at", "id")
        .values_list("actor_username", "actor_id", "occurred_at", "id")
    )
    ids: dict[str, int | None] = {}
    keyed = []
    for username, actor_id, moment, event_id in rows:
        ids[username] = actor_id
        keyed.append((username, moment, event_id))
    return [
        Anomaly(Rule.DENIALS, username, ids[username], started, count)
        for username, started, count in _bursts(keyed, more_than=limit)
    ]


def night_activity(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    start, end = settings.AMPARO_ANOMALY_NIGHT_START, settings.AMPARO_ANOMALY_NIGHT_END
    # Hour lookups are done in the current time zone (TIME_ZONE): local time.
    if start > end:  # across midnight
        at_night = Q(occurred_at__hour__gte=start) | Q(occurred_at__hour__lt=end)
    else:
        at_night = Q(occurred_at__hour__gte=start, occurred_at__hour__lt=end)
    rows = (
        _not_listed(_not_auditing(events))
        .filter(at_night, occurred_at__gte=since, actor__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list("actor_username", "actor_id", "occurred_at", "case_code", "action")
    )
    return [
        Anomaly(Rule.NIGHT, username, actor_id, moment, case_code=code, action=action)
        for username, actor_id, moment, code, action in rows
    ]


def outside_teams(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    # The case an event names: same organisation, same code (a code that matches no case,
    # a mistyped emergency request, is no finding).
    named = Case.objects.filter(
        organization_id=OuterRef("organization_id"), code=OuterRef("case_code")
    )
    # ... and hers to reach: she owns it, or it belongs to a team she is in or supervises.
    hers = named.filter(
        Q(owner_id=OuterRef("actor_id"))
        | Q(team__members=OuterRef("actor_id"))
        | Q(team__supervisors=OuterRef("actor_id"))
    )
    rows = (
        _not_listed(_not_auditing(events))
        .filter(occurred_at__gte=since, outcome=Outcome.ALLOWED, actor__isnull=False)
        .exclude(case_code="")
        .exclude(action__in=DUTY_ACTIONS)
        .exclude(CASCADE_WITHDRAWALS)
        .filter(Exists(named))
        .exclude(Exists(hers))
        .order_by("-occurred_at", "-id")
        .values_list("actor_username", "actor_id", "occurred_at", "case_code", "action")
    )
    return [
        Anomaly(Rule.OUTSIDE_TEAMS, username, actor_id, moment, case_code=code, action=action)
        for username, actor_id, moment, code, action in rows
    ]


def exports(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    rows = (
        events.filter(occurred_at__gte=since, outcome=Outcome.ALLOWED)
        .filter(
            Q(action__in=EXPORT_ACTIONS)
            | Q(action__endswith=".exported")
            | Q(action__endswith=".printed")
        )
        .order_by("-occurred_at", "-id")
        .values_list("actor_username", "actor_id", "occurred_at", "case_code", "action")
    )
    return [
        Anomaly(Rule.EXPORT, username, actor_id, moment, case_code=code, action=action)
        for username, actor_id, moment, code, action in rows
        if _is_export(action)
    ]


def duplicate_probes(events: QuerySet[AccessEvent], since: datetime) -> list[Anomaly]:
    rows = (
        events.filter(
            occurred_at__gte=since, outcome=Outcome.ALLOWED, action=Action.DUPLICATE_CHECKED,
            purpose=HIDDEN_MATCH_PURPOSE,
        )
        .order_by("-occurred_at", "-id")
        .values_list("actor_username", "actor_id", "occurred_at", "case_code", "action")
    )
    return [
        Anomaly(Rule.DUPLICATE_PROBE, username, actor_id, moment, case_code=code, action=action)
        for username, actor_id, moment, code, action in rows
    ]


RULES = {
    Rule.MANY_CASES: many_cases,
    Rule.MANY_LISTED: many_listed,
    Rule.NIGHT: night_activity,
    Rule.OUTSIDE_TEAMS: outside_teams,
    Rule.DENIALS: repeated_denials,
    Rule.EXPORT: exports,
    Rule.DUPLICATE_PROBE: duplicate_probes,
}


def default_since() -> datetime:
    return timezone.now() - timedelta(days=settings.AMPARO_ANOMALY_WINDOW_DAYS)


def find_anomalies(
    events: QuerySet[AccessEvent], since: datetime | None = None
) -> dict[Rule, list[Anomaly]]:
    """Every rule's findings over ``events`` since ``since`` (default: the window)."""
    since = since or default_since()
    return {rule: check(events, since) for rule, check in RULES.items()}
