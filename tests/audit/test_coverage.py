"""Coverage of the access log (issue 6, item 4; DESIGN §8).

Two promises, each tested here:

1. **Every URL of the project is classified.** The resolver is walked (includes and
   namespaces too) and each pattern must be named in ``TOP_LEVEL`` or belong to a
   namespace of ``NAMESPACES``. A new page that is in neither fails
   ``test_every_url_pattern_is_classified``: whoever adds it must say whether it touches
   survivor data. Every URL that does must then have a row in ``SCENARIOS``.

2. **One request, one event.** For every survivor-data URL, a request by an allowed
   person and a request by a refused person (outsider → 404, read-only colleague → 403)
   each leave exactly one access event, allowed or denied, for GET and for POST (with a
   valid minimal form, so the writing path runs) where the view accepts them.

"Exactly one" counts the events of the request's person and of nobody (the system): the
vault's own key bookkeeping (a new survivor's data key, a destroyed key) is a second
fact the vault records about itself, counted apart and asserted where it happens. A page
that shows many cases (the lists, the search, the homes, the organisation's export) also
leaves one ``CASE_LISTED`` per case shown (``cases.sightings``): counted apart too, and
asserted exactly by each request's ``listed``.

``tests/cases/test_access_matrix.py`` remains the table of *who* gets which status on
every case URL (with an empty form); this file reuses its world (``targets``,
``ROUTES``) and checks the count for the valid forms and for the denied requests of
every method, plus sign-in, downloads, emergency grants, rotation and shredding.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.queries import Access
from cases.services import work
from cases.services.management import close_case, confirm_shredding, request_shredding
from tests.accounts.helpers import password_step
from tests.cases.conftest import case, outsider, viewer  # noqa: F401 - fixtures
from tests.cases.test_access_matrix import ROUTES, targets  # noqa: F401 - fixture
from tests.cases.test_intake_sections import VALID as VALID_SECTIONS
from tests.cases.test_manage_close_reopen import close_data
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.plans.test_request_events import COVERED as PLAN_COVERED
from tests.referrals.test_request_events import COVERED as REFERRAL_COVERED
from tests.vault.conftest import key_line, use_master_keys  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

# --- 1. every URL pattern is classified -------------------------------------------------

SURVIVOR = "survivor data"  # shows or changes survivor data: one event per request
RECORDED = "recorded"  # no survivor content, but every request is recorded (auditors)
NOT_SURVIVOR = "no survivor data"

# Patterns outside any namespace, by name.
TOP_LEVEL: dict[str, str] = {
    "home": SURVIVOR,  # caseworkers' and supervisors' homes list their cases
    "my_follow_ups": SURVIVOR,  # her follow-ups, by case
    "set_language": NOT_SURVIVOR,
}

# Every pattern of these namespaces.
NAMESPACES: dict[str, str] = {
    "cases": SURVIVOR,
    # The auditor's pages read the log, never survivor content; each visit is recorded.
    "oversight": RECORDED,
    # The auditor's pages of export records (codes, never content); each visit recorded
    # (tests/reports/test_export_records.py).
    "export_audit": RECORDED,
    # Sign-in, two factors, people and teams: recorded by tests/audit/test_sign_in_events.py
    # and test_user_management_events.py; no survivor data.
    "accounts": NOT_SURVIVOR,
    # Django's admin: superusers only, and no survivor model is registered (tested below).
    "admin": NOT_SURVIVOR,
    # Referrals and packets: scenarios in tests/referrals/test_request_events.py (and the
    # case side in detail in tests/referrals/test_case_side_access.py).
    "referrals": SURVIVOR,
    # The health URL: "ok" or "unavailable" to anyone, nothing about anybody.
    "operations": NOT_SURVIVOR,
    # Statistics are counted over survivors' records and the exports carry them: every
    # request is one event (scenarios below; access in tests/reports/).
    "reports": SURVIVOR,
    # Support plans and the assistance record: scenarios in tests/plans/test_request_events.py
    # (who gets which status in tests/plans/test_access_matrix.py).
    "plans": SURVIVOR,
}

# Patterns of a mixed namespace classified one by one (these win over NAMESPACES).
BY_NAME: dict[str, str] = {
    # The service directory describes organisations' services, never a survivor; every
    # search is recorded all the same (tests/referrals/test_directory_search.py).
    "referrals:directory": NOT_SURVIVOR,
    "referrals:own_services": NOT_SURVIVOR,
    "referrals:service_create": NOT_SURVIVOR,
    "referrals:service_edit": NOT_SURVIVOR,
    "referrals:service_places": NOT_SURVIVOR,
}

# Apps whose models hold survivor data: never in Django's admin.
SURVIVOR_APPS = {"cases", "vault", "referrals", "plans"}


@dataclass(frozen=True)
class Pattern:
    namespace: str
    name: str | None
    route: str

    @property
    def key(self) -> str:
        label = self.name or self.route
        return f"{self.namespace}:{label}" if self.namespace else label


def walk(patterns=None, namespace: str = "", prefix: str = "") -> Iterator[Pattern]:
    """Every URL pattern of the project, with its full namespace and route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Pattern(namespace, entry.name, prefix + str(entry.pattern))


def classify(pattern: Pattern) -> str | None:
    if pattern.key in BY_NAME:
        return BY_NAME[pattern.key]
    if pattern.namespace:
        return NAMESPACES.get(pattern.namespace.split(":")[0])
    return TOP_LEVEL.get(pattern.name or "")


ALL_PATTERNS = list(walk())


def test_every_url_pattern_is_classified():
    unclassified = sorted(p.key for p in ALL_PATTERNS if classify(p) is None)
    assert not unclassified, (
        "URL patterns that nobody has classified: add them to TOP_LEVEL or NAMESPACES in "
        f"tests/audit/test_coverage.py, saying whether they touch survivor data: {unclassified}"
    )


def test_the_classification_names_no_url_that_is_gone():
    top_level = {p.name for p in ALL_PATTERNS if not p.namespace}
    assert set(TOP_LEVEL) <= top_level, sorted(set(TOP_LEVEL) - top_level)
    namespaces = {p.namespace.split(":")[0] for p in ALL_PATTERNS if p.namespace}
    # ``oversight`` was listed ahead of its pages; every other namespace must exist.
    assert set(NAMESPACES) - {"oversight"} <= namespaces


def test_the_walk_reaches_into_includes():
    keys = {p.key for p in ALL_PATTERNS}
    assert {"cases:case_detail", "accounts:login", "admin:index", "home"} <= keys


def test_no_survivor_model_is_in_djangos_admin():
    registered = sorted(
        model._meta.label for model in admin.site._registry
        if model._meta.app_label in SURVIVOR_APPS
    )
    assert not registered, f"Survivor data in Django's admin bypasses the log: {registered}"


SURVIVOR_KEYS = sorted(p.key for p in ALL_PATTERNS if classify(p) == SURVIVOR)


# --- 2. one request, one event ----------------------------------------------------------

# The vault's own bookkeeping, counted apart (see the module docstring).
VAULT_BOOKKEEPING = (Action.VAULT_KEY_CREATED, Action.VAULT_OWNER_SHREDDED)


def new_events(before: int) -> list[AccessEvent]:
    return list(
        AccessEvent.objects.filter(pk__gt=before)
        .exclude(action__in=VAULT_BOOKKEEPING)
        .order_by("pk")
    )


def last_id() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@dataclass
class World:
    """The case, its sub-objects and its people; ``kwargs`` for every case URL."""

    kwargs: dict
    people: dict
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.people[name]
        except KeyError:
            return self.extra[name]


@pytest.fixture
def world(
    targets, case, caseworker, supervisor, viewer, outsider, collaborator,  # noqa: F811
    organization, team, make_case, auditor, org_admin, outsider_admin,
):
    teammate = UserFactory(organization=organization, role=Role.CASEWORKER, username="teammate")
    team.members.add(teammate)
    # A second case of the owner's, in a link group, for "join an existing group".
    other = make_case(caseworker, given_names="Rosa", family_names="Quispe")
    group = work.create_link_group(actor=caseworker, case=other, label="Misma red")
    return World(
        kwargs=targets,
        people={
            "caseworker": caseworker, "supervisor": supervisor, "viewer": viewer,
            "collaborator": collaborator, "outsider": outsider, "teammate": teammate,
            "auditor": auditor, "org_admin": org_admin, "outsider_admin": outsider_admin,
        },
        extra={"case": case, "team": team, "group": group},
    )


@pytest.fixture
def collaborator(organization, case):  # noqa: F811
    from guardian.shortcuts import assign_perm

    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="collaborator")
    assign_perm("cases.change_case", user, case)
    return user


def _pdf() -> SimpleUploadedFile:
    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
    return SimpleUploadedFile("informe.pdf", content, "application/pdf")


def _today() -> str:
    return timezone.localdate().isoformat()


def _in(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# Valid minimal POST data per case URL (None: the URL answers GET only).
VALID_POST: dict[str, Callable[[World], dict] | None] = {
    "case_detail": None,
    "case_history": None,
    "download_attachment": None,
    # The header's "Show name" (cases.labels): a POST with nothing but its token, answered
    # with the case page itself.
    "reveal_name": lambda w: {"show": "name"},
    "edit_section": lambda w: VALID_SECTIONS[w.kwargs["section"]],
    "add_note": lambda w: {"note-body": "Llamó desde el albergue."},
    "add_attachment": lambda w: {"attachment-kind": v.AttachmentKind.OTHER,
                                 "attachment-file": _pdf()},
    "add_follow_up": lambda w: {"follow_up-kind": v.FollowUpKind.CHECK_IN,
                                "follow_up-due_on": _in(7),
                                "follow_up-assignee": w.caseworker.pk},
    "complete_follow_up": lambda w: {"outcome": "reached_safe", "note": ""},
    "add_risk_assessment": lambda w: {"risk-assessed_on": _today(), "risk-level": "high",
                                      "risk-factors": ["perpetrators_know_location"],
                                      "risk-notes": "", "risk-next_review_on": _in(14)},
    "update_safety_plan": lambda w: {"safety-plan": "Llamar a la línea segura."},
    "record_consent": lambda w: {
        "consent-purpose": "referral", "consent-recipient_service_type": "shelter",
        "consent-scope": ["identity"], "consent-decision": "given",
        "consent-method": "verbal", "consent-given_by": "survivor",
        "consent-interpreter_language": "", "consent-expires_on": _in(90),
    },
    "withdraw_consent": lambda w: {"reason": "survivor_request"},
    "create_link_group": lambda w: {"new_group-label": "Mismo taller"},
    "join_link_group": lambda w: {"join_group-group": w.group.pk},
    "share": lambda w: {"colleague": w.teammate.pk, "level": "view"},
    "unshare": lambda w: {"colleague": w.viewer.pk},
    "close": lambda w: close_data(),
    "reopen": lambda w: {"reason": v.ReopenReason.NEW_NEED},
    "assign": lambda w: {"assignee": f"{w.team.pk}:{w.teammate.pk}"},
    "shred_request": lambda w: {"reason": v.ShredReason.SURVIVOR_REQUEST, "understood": "on"},
    # GET only here: this world's case holds more than its start form, so a discard is
    # refused; the discard's own events: tests/cases/test_manage_discard.py.
    "discard": None,
}
# Views that answer GET and POST; the others answer one of them (405 for the other,
# with no event: tests/cases/test_access_matrix.py).
GET_AND_POST = {"edit_section", "share", "close", "reopen", "assign", "shred_request"}
# POSTs answered with a page (200), not a redirect: they show, they do not change.
POST_SHOWS_A_PAGE = {"reveal_name"}
# State a valid POST needs before it is sent.
SETUP: dict[str, Callable[[World], None]] = {
    "reopen": lambda w: close_case(actor=w.caseworker, case=w.case, status="closed",
                                   reason="goals_met"),
}
# The least access that suffices, and who has exactly it.
ALLOWED_PERSON = {
    Access.VIEW: "viewer",
    Access.WORK: "collaborator",
    Access.MANAGE: "caseworker",
    Access.SUPERVISE: "supervisor",
}
OWNER_ONLY = {"join_link_group": "caseworker"}  # the group must hold a case she can see


def _methods(name: str) -> list[str]:
    if name in GET_AND_POST:
        return ["GET", "POST"]
    return ["POST"] if VALID_POST[name] else ["GET"]


CASE_SCOPED = sorted(ROUTES)
CASE_SCENARIOS = [
    (name, method, who)
    for name in CASE_SCOPED
    for method in _methods(name)
    for who in ("allowed", "outsider", "viewer")
    if not (who == "viewer" and ROUTES[name].needed == Access.VIEW)  # she is allowed there
]


def _send(client: Client, method: str, url: str, data: dict | None) -> object:
    return client.post(url, data or {}) if method == "POST" else client.get(url)


@pytest.mark.parametrize(
    ("name", "method", "who"), CASE_SCENARIOS, ids=[f"{n}-{m}-{w}" for n, m, w in CASE_SCENARIOS]
)
def test_each_case_request_leaves_exactly_one_event(
    client_for, world, django_capture_on_commit_callbacks, name, method, who
):
    row = ROUTES[name]
    if who == "allowed":
        person = world.people[OWNER_ONLY.get(name) or ALLOWED_PERSON[row.needed]]
        posted_change = method == "POST" and name not in POST_SHOWS_A_PAGE
        expected_status, expected_outcome = (302 if posted_change else 200), Outcome.ALLOWED
    else:
        person = world.people[who]
        expected_status = 404 if who == "outsider" else 403
        expected_outcome = Outcome.DENIED
    if method == "POST" and name in SETUP:
        SETUP[name](world)
    url = reverse(f"cases:{name}", kwargs={
        key: world.kwargs[key] for key in _converters(name)
    })
    data = VALID_POST[name](world) if method == "POST" else None
    client = client_for(person)
    before = last_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, method, url, data)

    assert response.status_code == expected_status, (
        f"{name} {method} by {who}: {response.status_code}, expected {expected_status}"
        + (f" {response.context['form'].errors}" if getattr(response, "context", None)
           and response.context.get("form") is not None else "")
    )
    events = new_events(before)
    assert [(e.outcome, e.actor_id) for e in events] == [(expected_outcome, person.pk)], (
        f"{name} {method} by {who}: one event per request, got "
        f"{[(e.action, e.outcome) for e in events]}"
    )


def _converters(name: str) -> list[str]:
    from cases.urls import urlpatterns

    return list(next(p for p in urlpatterns if p.name == name).pattern.converters)


@pytest.mark.parametrize(("name", "method"), [
    (name, "POST") for name in CASE_SCOPED if VALID_POST[name]
])
def test_a_form_sent_back_with_errors_is_one_event_too(client_for, world, name, method):
    """An empty form re-renders with the case header: one view, nothing saved."""
    person = world.people[OWNER_ONLY.get(name) or ALLOWED_PERSON[ROUTES[name].needed]]
    url = reverse(f"cases:{name}", kwargs={key: world.kwargs[key] for key in _converters(name)})
    before = last_id()
    response = client_for(person).post(url, {})
    assert response.status_code in (200, 302)
    events = new_events(before)
    assert len(events) == 1, [(e.action, e.outcome) for e in events]
    assert events[0].outcome == Outcome.ALLOWED


@pytest.mark.parametrize(
    ("name", "kwarg"),
    [("download_attachment", "attachment_id"), ("complete_follow_up", "follow_up_id"),
     ("withdraw_consent", "consent_id")],
)
def test_a_sub_object_of_another_case_is_a_recorded_404(client_for, world, name, kwarg):
    """The case is hers, the attachment (follow-up, consent) is not of it: 404, recorded."""
    import uuid

    kwargs = {key: world.kwargs[key] for key in _converters(name)}
    kwargs[kwarg] = uuid.uuid4()
    url = reverse(f"cases:{name}", kwargs=kwargs)
    before = last_id()
    client = client_for(world.supervisor)
    response = client.get(url) if name == "download_attachment" else client.post(url, {})
    assert response.status_code == 404
    events = new_events(before)
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.DENIED, world.supervisor.pk)]


def test_an_unknown_section_is_a_recorded_404(client_for, world):
    url = reverse("cases:edit_section", kwargs={"case_id": world.case.pk, "section": "nada"})
    before = last_id()
    assert client_for(world.caseworker).get(url).status_code == 404
    assert [e.outcome for e in new_events(before)] == [Outcome.DENIED]


def test_closing_a_closed_case_is_one_event(client_for, world):
    close_case(actor=world.caseworker, case=world.case, status="closed", reason="goals_met")
    url = reverse("cases:close", kwargs={"case_id": world.case.pk})
    for method in ("GET", "POST"):
        before = last_id()
        response = _send(client_for(world.caseworker), method, url, close_data())
        assert response.status_code == 302
        assert len(new_events(before)) == 1, method


# --- survivor-data URLs without a case in the path ---------------------------------------


@dataclass(frozen=True)
class Request:
    url: str  # URL name
    person: str
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    status: int = 200
    events: int = 1  # 0 only where nothing of a survivor is read or written (say why)
    kwargs: Callable[[World], dict] | None = None
    # Cases the page shows (names in lists, searches, homes; codes in an export): each
    # leaves a CASE_LISTED event besides the request's own one (cases.sightings).
    listed: int = 0


def _pending(w: World):
    if "pending" not in w.extra:
        w.extra["pending"] = request_shredding(
            actor=w.supervisor, case=w.case, reason=v.ShredReason.SURVIVOR_REQUEST
        )
    return {"request_id": w.extra["pending"].pk}


def _review(w: World):
    """An open retention review of the world's case, closed (made directly: the job's
    own behaviour is tests/cases/test_retention_review.py)."""
    from cases.models import RetentionReview

    if "review" not in w.extra:
        close_case(actor=w.caseworker, case=w.case, status=v.CaseStatus.CLOSED,
                   reason=v.ClosureReason.GOALS_MET)
        w.extra["review"] = RetentionReview.objects.create(
            case=w.case, due_on=timezone.localdate())
    return {"review_id": w.extra["review"].pk}


def _keep(w: World) -> dict:
    prefix = w.extra["review"].pk
    return {f"{prefix}-reason": v.RetentionKeepReason.SURVIVOR_ASKED,
            f"{prefix}-next_review_on": _in(400)}


def _propose(w: World) -> dict:
    return {f"{w.extra['review'].pk}-understood": "on"}


def _intake(w: World) -> dict:
    return {
        "team": w.team.pk,
        "given_names": "Lucía",
        "family_names": "Quispe Mamani",
        "confirm": "on",
    }


def _emergency(w: World) -> dict:
    reason = "Llamada urgente del hospital"
    return {"code": w.case.code, "reason": reason, "password": TEST_PASSWORD}


def _cases_export(w: World) -> dict:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import current_code

    month = timezone.localdate().strftime("%Y-%m")
    # The supervisor's current code (refused people post it too: the role is refused first).
    device = TOTPDevice.objects.filter(user=w.supervisor).order_by("-pk").first()
    return {"first": month, "last": month, "kind": "cases_csv", "recipient_kind": "passphrase",
            "passphrase": "a long enough passphrase",
            "token": current_code(device) if device else "000000"}


def _ctdc_export(w: World) -> dict:
    month = timezone.localdate().strftime("%Y-%m")
    return {"first": month, "last": month}


OTHER_REQUESTS: list[Request] = [
    # homes: the caseworker's and supervisor's list her cases
    Request("home", "caseworker", listed=2),  # her two open cases
    Request("home", "supervisor"),
    Request("my_follow_ups", "caseworker", listed=1),  # the case of her follow-up
    Request("my_follow_ups", "auditor", status=403),
    # the case list and the name search
    Request("cases:case_list", "caseworker", listed=2),
    Request("cases:case_list", "caseworker", "POST",
            lambda w: {"full_name": "María José Pérez Salas"}, listed=1),
    Request("cases:case_list", "auditor", status=403),
    Request("cases:case_list", "auditor", "POST", lambda w: {"full_name": "X"}, status=403),
    # intake: the blank form reads nothing; registering writes one event
    Request("cases:intake_start", "caseworker", events=0),
    Request("cases:intake_start", "caseworker", "POST", _intake, status=302),
    Request("cases:intake_start", "auditor", status=403),
    Request("cases:intake_start", "auditor", "POST", _intake, status=403),
    # emergency access (break the glass): the blank form reads nothing
    Request("cases:emergency_access", "teammate", events=0),
    Request("cases:emergency_access", "teammate", "POST", _emergency, status=302),
    Request("cases:emergency_access", "auditor", status=403),
    Request("cases:emergency_access", "auditor", "POST", _emergency, status=403),
    # shredding queue: codes only, no survivor content, so the org admin's look is not
    # an event; what she decides, and every refusal, is
    Request("cases:shred_requests", "org_admin", events=0),
    Request("cases:shred_requests", "caseworker", status=403),
    Request("cases:shred_confirm", "org_admin", "POST", lambda w: {"understood": "on"},
            status=302, kwargs=_pending),
    Request("cases:shred_confirm", "caseworker", "POST", lambda w: {"understood": "on"},
            status=403, kwargs=_pending),
    Request("cases:shred_confirm", "outsider_admin", "POST", lambda w: {"understood": "on"},
            status=404, kwargs=_pending),
    Request("cases:shred_cancel", "org_admin", "POST", status=302, kwargs=_pending),
    Request("cases:shred_cancel", "caseworker", "POST", status=403, kwargs=_pending),
    Request("cases:shred_cancel", "outsider_admin", "POST", status=404, kwargs=_pending),
    # retention queue: codes and dates, one list event; each decision is one event
    # (keep: RETENTION_KEPT; propose: the shredding request's SHRED_REQUESTED)
    Request("cases:retention_reviews", "supervisor", kwargs=None),
    Request("cases:retention_reviews", "caseworker", status=403),
    Request("cases:retention_keep", "supervisor", "POST", _keep, status=302, kwargs=_review),
    Request("cases:retention_keep", "viewer", "POST", _keep, status=403, kwargs=_review),
    Request("cases:retention_keep", "outsider", "POST", _keep, status=404, kwargs=_review),
    Request("cases:retention_propose", "supervisor", "POST", _propose, status=302,
            kwargs=_review),
    Request("cases:retention_propose", "caseworker", "POST", _propose, status=403,
            kwargs=_review),
    Request("cases:retention_propose", "outsider", "POST", _propose, status=404,
            kwargs=_review),
    # statistics and the monthly report: one look each, aggregates only
    Request("reports:statistics", "supervisor"),
    Request("reports:statistics", "org_admin"),
    Request("reports:statistics", "caseworker", status=403),
    Request("reports:statistics", "auditor", status=403),
    Request("reports:monthly", "supervisor"),
    Request("reports:monthly", "org_admin"),
    Request("reports:monthly", "viewer", status=403),
    # exports: the blank forms read nothing; the export itself is one event
    Request("reports:cases_export", "supervisor", events=0),
    Request("reports:cases_export", "supervisor", "POST", _cases_export, listed=2),
    Request("reports:cases_export", "org_admin", status=403),
    Request("reports:cases_export", "caseworker", "POST", _cases_export, status=403),
    Request("reports:ctdc_export", "supervisor", events=0),
    Request("reports:ctdc_export", "supervisor", "POST", _ctdc_export),
    Request("reports:ctdc_export", "auditor", "POST", _ctdc_export, status=403),
]


def test_every_survivor_url_has_scenarios():
    covered = (
        {f"cases:{name}" for name in CASE_SCOPED}
        | {r.url for r in OTHER_REQUESTS}
        | REFERRAL_COVERED
        | PLAN_COVERED
    )
    missing = sorted(set(SURVIVOR_KEYS) - covered)
    stale = sorted(covered - set(SURVIVOR_KEYS))
    assert not missing, f"Survivor-data URLs with no scenario in this file: {missing}"
    assert not stale, f"Scenarios for URLs that are gone: {stale}"


@pytest.mark.parametrize(
    "req", OTHER_REQUESTS, ids=[f"{r.url}-{r.method}-{r.person}" for r in OTHER_REQUESTS]
)
def test_each_other_survivor_request_leaves_exactly_one_event(
    client_for, world, django_capture_on_commit_callbacks, req
):
    person = world.people[req.person]
    url = reverse(req.url, kwargs=req.kwargs(world) if req.kwargs else None)
    client = client_for(person)  # before the data: an export's form needs her current code
    data = req.data(world) if req.data else None
    before = last_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, req.method, url, data)

    assert response.status_code == req.status
    everything = new_events(before)
    events = [e for e in everything if e.action != Action.CASE_LISTED]
    expected = Outcome.DENIED if req.status in (403, 404) else Outcome.ALLOWED
    assert [(e.outcome, e.actor_id) for e in events] == [(expected, person.pk)] * req.events, (
        [(e.action, e.outcome) for e in events]
    )
    sightings = [e for e in everything if e.action == Action.CASE_LISTED]
    assert [(e.outcome, e.actor_id) for e in sightings] == [(Outcome.ALLOWED, person.pk)] * (
        req.listed
    ), [(e.case_code, e.purpose) for e in sightings]
    assert len({e.case_code for e in sightings}) == req.listed


# --- auditors' pages: recorded, and closed to everyone else ------------------------------

AUDIT_PAGES = [p for p in ALL_PATTERNS if classify(p) == RECORDED]
PLAIN_AUDIT_PAGES = [p for p in AUDIT_PAGES if "<" not in p.route]


@pytest.mark.skipif(not PLAIN_AUDIT_PAGES, reason="the auditor's pages do not exist yet")
@pytest.mark.parametrize("pattern", PLAIN_AUDIT_PAGES, ids=[p.key for p in PLAIN_AUDIT_PAGES])
def test_each_auditor_page_visit_is_one_event(client_for, auditor, caseworker, pattern):
    url = reverse(pattern.key)
    before = last_id()
    response = client_for(auditor).get(url)
    assert response.status_code in (200, 302), response.status_code
    events = new_events(before)
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.ALLOWED, auditor.pk)]

    before = last_id()
    response = client_for(caseworker).get(url)
    assert response.status_code in (403, 404)
    events = new_events(before)
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.DENIED, caseworker.pk)]


# --- DESIGN §8 item by item ---------------------------------------------------------------


def _only(action: str, before: int) -> AccessEvent:
    events = [e for e in new_events(before)]
    assert [e.action for e in events] == [action]
    return events[0]


def test_a_sign_in_a_failed_sign_in_and_a_sign_out_are_one_event_each(caseworker):
    client = Client()
    before = last_id()
    password_step(client, caseworker.username, "wrong password")
    assert _only(Action.LOGIN_FAILED, before).outcome == Outcome.DENIED

    before = last_id()
    password_step(client, "nobody-by-this-name", "wrong password")
    assert _only(Action.LOGIN_FAILED, before).actor is None

    before = last_id()
    password_step(client, caseworker.username)
    assert _only(Action.LOGIN_SUCCEEDED, before).actor == caseworker


def test_a_sign_out_is_one_event(client_for, caseworker):
    before = last_id()
    client_for(caseworker).post(reverse("accounts:logout"))
    assert _only(Action.LOGOUT, before).actor == caseworker


def test_an_attachment_download_is_one_event_and_no_content(client_for, world):
    url = reverse("cases:download_attachment", kwargs={
        "case_id": world.case.pk, "attachment_id": world.kwargs["attachment_id"]})
    before = last_id()
    response = client_for(world.viewer).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = _only(Action.ATTACHMENT_DOWNLOADED, before)
    assert (event.actor, event.case_code, event.target_id) == (
        world.viewer, world.case.code, str(world.kwargs["attachment_id"]))


def test_the_case_history_is_one_event(client_for, world):
    url = reverse("cases:case_history", kwargs={"case_id": world.case.pk})
    before = last_id()
    assert client_for(world.viewer).get(url).status_code == 200
    assert _only(Action.CASE_HISTORY_VIEWED, before).case_code == world.case.code


def test_the_denied_case_pages_are_recorded_as_denied(client_for, world):
    detail = reverse("cases:case_detail", kwargs={"case_id": world.case.pk})
    before = last_id()
    assert client_for(world.outsider).get(detail).status_code == 404
    assert _only(Action.CASE_VIEWED, before).outcome == Outcome.DENIED
    close = reverse("cases:close", kwargs={"case_id": world.case.pk})
    before = last_id()
    assert client_for(world.viewer).get(close).status_code == 403
    assert _only(Action.CASE_VIEWED, before).outcome == Outcome.DENIED


def test_an_emergency_grant_is_one_event(client_for, world, organization):
    night = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(night)
    before = last_id()
    response = client_for(night).post(reverse("cases:emergency_access"), _emergency(world))
    assert response.status_code == 302
    event = _only(Action.EMERGENCY_ACCESS_GRANTED, before)
    assert (event.actor, event.case_code, event.outcome) == (night, world.case.code,
                                                             Outcome.ALLOWED)


def test_shredding_is_recorded_by_the_confirmation_and_by_the_vault(
    world, django_capture_on_commit_callbacks
):
    pending = request_shredding(actor=world.supervisor, case=world.case,
                                reason=v.ShredReason.SURVIVOR_REQUEST)
    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=world.org_admin, shred_request=pending)
    assert _only(Action.SHRED_CONFIRMED, before).case_code == world.case.code
    destroyed = AccessEvent.objects.filter(pk__gt=before, action=Action.VAULT_OWNER_SHREDDED)
    assert destroyed.count() == 1
    assert destroyed.get().target_id == str(world.case.survivor_id)


def test_a_key_rotation_is_one_event(use_master_keys, make_case, caseworker):  # noqa: F811
    old, _ = key_line("2025")
    new, _ = key_line("2026")
    use_master_keys(old)
    make_case(caseworker)
    use_master_keys(new, old)
    before = last_id()
    call_command("rotate_master_key", "--no-progress", stdout=io.StringIO())
    rotated = AccessEvent.objects.filter(pk__gt=before)
    assert [(e.action, e.target_id) for e in rotated] == [(Action.VAULT_KEYS_ROTATED, "2026")]
