"""Issue 4: forms under Hypothesis never answer 500; bad input gets a message in the user's
language and saves nothing.

Covers the forms of working a case (cases/views/work.py), of managing one
(cases/views/management.py) and the case list's filters and name search
(cases/views/lists.py). Every submission is posted by the person the form is for, through
the real view, with the form's real field names (some valid values, mostly not) and a few
unknown keys. Each example runs inside a savepoint that is rolled back afterwards, so a
valid submission (closing the case, shredding her data) does not change what the next
example starts from, and valid paths are exercised as often as invalid ones.

When the page comes back (200) instead of redirecting, nothing of the case, its survivor
or her keys has changed, and the page says what to correct. The Spanish tests send one
known bad input per form with ``Accept-Language: es`` and look for the message in Spanish
(the compiled catalogue from ``make translations``).
"""

from __future__ import annotations

import io
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from cases import vocabularies as v
from cases.forms import work as work_forms
from cases.forms.lists import CaseFilterForm, NameSearchForm, people_of, teams_of
from cases.forms.management import (
    AssignForm,
    CloseForm,
    EmergencyAccessForm,
    ReopenForm,
    ShareForm,
    ShredConfirmForm,
    ShredRequestForm,
    UnshareForm,
)
from cases.services import management, work
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a form may answer: the form again, a redirect, or a refusal. Never a 500 (which the
# test client raises as the view's exception anyway).
ANSWERS = {200, 302, 303, 403, 404, 405}

ATTACHMENT_LIMIT = 4096  # small, so that the fuzz reaches "too large" too

# --- strategies ---------------------------------------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
integers = st.integers(min_value=-(10**20), max_value=10**20).map(str)
date_strings = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(
        ["2026-02-30", "31/12/2026", "0000-00-00", "0001-01-01", "9999-12-31", "2026-13-01",
         "1900-01-01", "mañana", "", " "]
    ),
)
uuids = st.uuids().map(str)
extra_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=14)


def _choice_values(choices) -> list[str]:
    values: list[str] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            values += _choice_values(label)
        else:
            values.append(str(value))
    return values


def _edge_values(field: forms.Field, extra: list[str]) -> list[str]:
    """Values that mean something to this field: its choices, a date, a value one too long."""
    values = list(extra)
    if isinstance(field, forms.ModelChoiceField):
        values += [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
    elif isinstance(field, forms.ChoiceField):
        values += _choice_values(field.choices)
    if isinstance(field, forms.BooleanField):
        values += ["on", "true", "false", "0"]
    if isinstance(field, forms.DateField):
        today = timezone.localdate()
        values += [today.isoformat(), (today + timedelta(days=30)).isoformat()]
    if isinstance(field, forms.CharField) and field.max_length:
        values.append("a" * (field.max_length + 1))
    return values


def _values(field: forms.Field, extra: list[str]):
    edge = _edge_values(field, extra)
    random = [texts, integers, date_strings, uuids]
    scalar = st.one_of(st.sampled_from(edge), st.sampled_from(edge), *random) if edge else (
        st.one_of(*random)
    )
    if isinstance(field, forms.MultipleChoiceField) and edge:
        return st.one_of(st.lists(st.sampled_from(edge), max_size=4), st.lists(scalar, max_size=3))
    return st.one_of(scalar, st.lists(scalar, max_size=3))


@st.composite
def submissions(draw, form: forms.Form, valid: dict, *, extra: dict | None = None,
                more: dict | None = None):
    """``(mode, data)``: "valid" (a valid submission plus unknown keys), "spoiled" (a valid
    one with some fields dropped or replaced) or "random" (fuzz on the real field names).

    ``extra`` adds values to a field's choices (an outsider's id, say); ``more`` adds keys
    the form does not declare but the view reads (the list's ``page``)."""
    extra = extra or {}
    keys = {form.add_prefix(name): _values(field, extra.get(name, []))
            for name, field in form.fields.items()}
    keys.update(more or {})
    fuzzed = draw(st.fixed_dictionaries({}, optional=keys))
    unknown = draw(
        st.dictionaries(
            extra_names.filter(lambda name: name not in keys),
            st.one_of(texts, st.lists(texts, max_size=2)),
            max_size=3,
        )
    )
    mode = draw(st.sampled_from(["valid", "spoiled", "random"]))
    if mode == "valid":
        data = dict(valid)
    elif mode == "spoiled":
        data = dict(valid)
        for key in draw(st.sets(st.sampled_from(sorted(valid)), max_size=len(valid))):
            data.pop(key)
        data.update(fuzzed)
    else:
        data = fuzzed
    data.update(unknown)
    return mode, data


def _browser_filename(name: str) -> str:
    """A file name as a browser puts it in the multipart header (HTML's form encoding)."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


_MAGIC = [b"%PDF-1.7\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"MZ", b""]

class _Upload(io.BytesIO):
    """A file as the test client sends it, with any name (``SimpleUploadedFile`` refuses
    some names before they could reach the server)."""

    def __init__(self, name: str, content: bytes, content_type: str) -> None:
        super().__init__(content)
        self.name = _browser_filename(name)
        self.content_type = content_type


uploads = st.builds(
    _Upload,
    st.one_of(
        texts,
        st.sampled_from(
            ["carta.txt", "informe.pdf", "../../etc/passwd", "a" * 300 + ".pdf", ".pdf",
             "foto.jpeg.exe", "CON", "nombre con espacios.docx", "ñandú.PNG", "x.", "..."]
        ),
    ),
    st.one_of(
        st.binary(max_size=600),
        st.tuples(st.sampled_from(_MAGIC), st.binary(max_size=300)).map(b"".join),
        texts.map(str.encode),
        st.just(b"Querida mama, estoy bien.\n" * (ATTACHMENT_LIMIT // 26 + 1)),  # too large
    ),
    st.sampled_from(
        ["text/plain", "application/pdf", "image/png", "application/octet-stream",
         "text/html", "application/x-msdownload"]
    ),
)


# --- each example: rolled back, checked ----------------------------------------------------


@contextmanager
def _rolled_back():
    with transaction.atomic(using="default"), transaction.atomic(using="keys"):
        yield
        transaction.set_rollback(True, using="keys")
        transaction.set_rollback(True, using="default")


def _rows(model, fields: tuple[str, ...]) -> list:
    present = [name for name in fields if any(f.attname == name for f in model._meta.fields)]
    return list(model.objects.order_by("pk").values_list("pk", *present)) if present else []


_WATCHED = ("status", "closure_reason", "closed_on", "owner_id", "team_id", "risk_level",
            "next_risk_review_on", "updated_at", "done_at", "withdrawn_at", "shredded_at",
            "decided_at", "expires_at")


def _state() -> dict:
    """Everything a form could save: every row count of cases and the vault, and the
    columns that change in place (status, owner, closing, done, withdrawn, shredded…)."""
    state = {}
    for label in ("cases", "vault"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = (model.objects.count(), _rows(model, _WATCHED))
    return state


def _says_what_to_correct(body: str) -> bool:
    # A field's message, an alert, or the page's error summary (a refusal with no field
    # to mark, such as a stop-sharing of someone the case is not shared with).
    return ('class="error"' in body or 'role="alert"' in body
            or 'id="error-summary"' in body)


CSRF_TOKEN = "x" * 64  # the test client does not check it


def _send(client, url: str, data: dict, *, mode: str = "random", method: str = "post",
          redirects_when_valid: bool = True, explains: bool = True):
    """One request in a savepoint: never a 500; a page shown again saved nothing."""
    if method == "post":
        # As a browser sends it: the token is always there, even when nothing is ticked.
        data = {"csrfmiddlewaretoken": CSRF_TOKEN, **data}
    with _rolled_back():
        before = _state()
        response = getattr(client, method)(url, data)
        status = response.status_code
        assert status in ANSWERS, (status, data)
        if status == 200:
            assert _state() == before, data
            if method == "post" and explains:
                assert _says_what_to_correct(response.content.decode()), data
        if mode == "valid" and redirects_when_valid:
            assert status in (302, 303), (status, data)
            assert _state() != before, "a valid submission saved nothing: is _state blind?"
    return response


# --- people and things --------------------------------------------------------------------


def _spanish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


@pytest.fixture
def es_client(client_for):
    """A signed-in client whose browser asks for Spanish."""
    return lambda user: _spanish(client_for(user))


@pytest.fixture(autouse=True)
def small_attachments(settings):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = ATTACHMENT_LIMIT


@pytest.fixture
def follow_up(caseworker, case):
    return work.add_follow_up(
        actor=caseworker, case=case, kind=v.FollowUpKind.CHECK_IN,
        due_on=timezone.localdate() + timedelta(days=7), assignee=caseworker,
    )


@pytest.fixture
def consent(caseworker, case):
    return work.record_consent(
        actor=caseworker, case=case, purpose="referral", given=True, method="verbal",
        given_by="survivor", recipient_service_type="shelter", scope=["identity"],
    )


@pytest.fixture
def other_group(make_case, caseworker):
    """A group holding another case of the same caseworker: one she may join."""
    other = make_case(caseworker, given_names="Rosa Elena", family_names="Quispe Mamani")
    return work.create_link_group(actor=caseworker, case=other, label="Casa de Mollendo")


@pytest.fixture
def closed_case(caseworker, case):
    return management.close_case(
        actor=caseworker, case=case, status=v.CaseStatus.CLOSED,
        reason=v.ClosureReason.GOALS_MET,
    )


@pytest.fixture
def foreign_case(make_case, other_supervisor, organization):
    """A case of another team of the same organisation: emergency access opens it."""
    team = other_supervisor.supervised_teams.get()
    worker = UserFactory(organization=organization, role=Role.CASEWORKER, username="otherworker")
    team.members.add(worker)
    return make_case(worker, team=team, given_names="Luz Marina", family_names="Cárdenas Rojas")


@pytest.fixture
def pending(supervisor, case):
    return management.request_shredding(
        actor=supervisor, case=case, reason=v.ShredReason.SURVIVOR_REQUEST
    )


def _case_url(name: str, case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"case_id": case.pk, **kwargs})


def _today() -> str:
    return timezone.localdate().isoformat()


def _run(strategy, send) -> None:
    @given(submission=strategy)
    @FUZZ
    def run(submission):
        send(*submission)

    run()


# --- the forms of working a case --------------------------------------------------------


def test_note(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("add_note", case)
    valid = {"note-body": "Llamó desde Tacna; está bien."}
    _run(submissions(work_forms.NoteForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_attachment_with_arbitrary_bytes_and_names(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("add_attachment", case)
    valid = {"attachment-kind": v.AttachmentKind.MEDICAL}

    @given(submission=submissions(work_forms.AttachmentForm(), valid),
           files=st.lists(uploads, max_size=2), attach=st.booleans())
    @FUZZ
    def run(submission, files, attach):
        mode, data = submission
        if mode == "valid":
            data["attachment-file"] = SimpleUploadedFile(
                "carta.txt", b"Querida mama, estoy bien.", content_type="text/plain"
            )
        elif attach and files:
            data["attachment-file"] = files if len(files) > 1 else files[0]
        _send(client, url, data, mode=mode)

    run()


def test_follow_up(es_client, caseworker, teammate, viewer, case):
    client, url = es_client(caseworker), _case_url("add_follow_up", case)
    form = work_forms.FollowUpForm(case=case, actor=caseworker)
    valid = {"follow_up-kind": v.FollowUpKind.CHECK_IN, "follow_up-due_on": _today(),
             "follow_up-assignee": str(caseworker.pk)}
    # People who cannot work the case are offered to the fuzz as assignees too.
    extra = {"assignee": [str(teammate.pk), str(viewer.pk)]}
    _run(submissions(form, valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_follow_up_done(es_client, caseworker, case, follow_up):
    client = es_client(caseworker)
    valid = {"outcome": v.FollowUpOutcome.REACHED_SAFE, "note": "La encontramos en casa."}

    @given(submission=submissions(work_forms.FollowUpDoneForm(), valid),
           known=st.booleans())
    @FUZZ
    def run(submission, known):
        mode, data = submission
        target = follow_up.pk if known else uuid.uuid4()
        url = _case_url("complete_follow_up", case, follow_up_id=target)
        response = _send(client, url, data, mode=mode, redirects_when_valid=known)
        if not known:
            assert response.status_code == 404

    run()


def test_risk_assessment(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("add_risk_assessment", case)
    valid = {"risk-assessed_on": _today(), "risk-level": v.RiskLevel.HIGH,
             "risk-factors": [v.RiskFactor.values[0]], "risk-notes": "",
             "risk-next_review_on": (timezone.localdate() + timedelta(days=30)).isoformat()}
    _run(submissions(work_forms.RiskAssessmentForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_safety_plan(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("update_safety_plan", case)
    valid = {"safety-plan": "Si la encuentran, llamar a la hermana en Arequipa."}
    _run(submissions(work_forms.SafetyPlanForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_consent_record(es_client, caseworker, case, other_organization):
    # other_organization: a second recipient organisation among the choices.
    client, url = es_client(caseworker), _case_url("record_consent", case)
    valid = {
        "consent-purpose": "referral", "consent-recipient_service_type": "shelter",
        "consent-scope": ["identity", "safe_contact"], "consent-decision": "given",
        "consent-method": "verbal", "consent-given_by": "survivor",
        "consent-interpreter_language": "",
        "consent-expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    extra = {"given_by": _choice_values(v.ConsentGivenBy.choices)}
    _run(submissions(work_forms.ConsentForm(case=case), valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_consent_withdraw(es_client, caseworker, case, consent):
    client = es_client(caseworker)
    valid = {"reason": v.ConsentWithdrawalReason.SURVIVOR_REQUEST}

    @given(submission=submissions(work_forms.WithdrawConsentForm(), valid),
           known=st.booleans())
    @FUZZ
    def run(submission, known):
        mode, data = submission
        target = consent.pk if known else uuid.uuid4()
        url = _case_url("withdraw_consent", case, consent_id=target)
        response = _send(client, url, data, mode=mode, redirects_when_valid=known)
        if not known:
            assert response.status_code == 404

    run()


def test_link_group_create(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("create_link_group", case)
    valid = {"new_group-label": "Misma casa, Mollendo 2026"}
    _run(submissions(work_forms.NewLinkGroupForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_link_group_join(es_client, caseworker, case, other_group):
    client, url = es_client(caseworker), _case_url("join_link_group", case)
    form = work_forms.JoinLinkGroupForm(case=case, actor=caseworker)
    valid = {"join_group-group": str(other_group.pk)}
    _run(submissions(form, valid), lambda mode, data: _send(client, url, data, mode=mode))


# --- the forms of managing a case -------------------------------------------------------


def test_assign(es_client, supervisor, teammate, outsider, case):
    client, url = es_client(supervisor), _case_url("assign", case)
    form = AssignForm(actor=supervisor, case=case)
    team = case.team
    valid = {"assignee": f"{team.pk}:{teammate.pk}"}
    extra = {"assignee": [f"{team.pk}:{outsider.pk}", f"{team.pk}:{case.owner_id}",
                          f"{uuid.uuid4()}:{teammate.pk}", f"{team.pk}:", ":"]}
    _run(submissions(form, valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_share(es_client, caseworker, teammate, outsider, case):
    client, url = es_client(caseworker), _case_url("share", case)
    form = ShareForm(actor=caseworker, case=case)
    valid = {"colleague": str(teammate.pk), "level": "work"}
    extra = {"colleague": [str(outsider.pk), str(caseworker.pk)]}
    _run(submissions(form, valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_unshare(es_client, caseworker, viewer, collaborator, teammate, case):
    client, url = es_client(caseworker), _case_url("unshare", case)
    form = UnshareForm(shares=management.case_shares(case))
    valid = {"colleague": str(viewer.pk)}
    extra = {"colleague": [str(teammate.pk), str(caseworker.pk)]}
    _run(submissions(form, valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_close_with_its_check_in_schedule(es_client, caseworker, case):
    client, url = es_client(caseworker), _case_url("close", case)
    form = CloseForm(closed_on=timezone.localdate())
    valid = {"status": v.CaseStatus.CLOSED_REFERRED, "closure_reason": v.ClosureReason.GOALS_MET}
    for months, due_on in form.schedule:
        valid[f"check_in_{months}"] = "on"
        valid[f"check_in_{months}_on"] = due_on.isoformat()
    _run(submissions(form, valid), lambda mode, data: _send(client, url, data, mode=mode))


def test_reopen(es_client, caseworker, closed_case):
    client, url = es_client(caseworker), _case_url("reopen", closed_case)
    valid = {"reason": v.ReopenReason.NEW_NEED}
    _run(submissions(ReopenForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_shred_request(es_client, supervisor, case):
    client, url = es_client(supervisor), _case_url("shred_request", case)
    valid = {"reason": v.ShredReason.RECORDED_IN_ERROR, "understood": "on"}
    _run(submissions(ShredRequestForm(), valid),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_emergency_access(es_client, caseworker, case, foreign_case):
    client, url = es_client(caseworker), reverse("cases:emergency_access")
    valid = {"code": foreign_case.code, "reason": "La policía de Tumbes la encontró de noche.",
             "password": TEST_PASSWORD}
    extra = {"code": [case.code, foreign_case.code.lower(), "PE-2099-0001"],
             "password": [TEST_PASSWORD, TEST_PASSWORD.upper()]}
    _run(submissions(EmergencyAccessForm(), valid, extra=extra),
         lambda mode, data: _send(client, url, data, mode=mode))


def test_shred_confirm_by_an_org_admin(es_client, org_admin, pending):
    client = es_client(org_admin)
    valid = {"understood": "on"}

    @given(submission=submissions(ShredConfirmForm(), valid), known=st.booleans())
    @FUZZ
    def run(submission, known):
        mode, data = submission
        url = reverse("cases:shred_confirm", kwargs={"request_id": pending.pk if known
                                                     else uuid.uuid4()})
        response = _send(client, url, data, mode=mode, redirects_when_valid=known)
        if not known:
            assert response.status_code == 404

    run()


def test_shred_cancel_by_an_org_admin(es_client, org_admin, pending):
    """No fields: whatever is sent, the request is cancelled (302) or unknown (404)."""
    client = es_client(org_admin)

    @given(data=st.dictionaries(extra_names, st.one_of(texts, st.lists(texts, max_size=2)),
                                max_size=4),
           known=st.booleans())
    @FUZZ
    def run(data, known):
        url = reverse("cases:shred_cancel", kwargs={"request_id": pending.pk if known
                                                    else uuid.uuid4()})
        response = _send(client, url, data)
        assert response.status_code == (302 if known else 404)

    run()


# --- the case list ------------------------------------------------------------------------


def _filters(user) -> CaseFilterForm:
    teams = teams_of(user)
    return CaseFilterForm(teams=teams, people=people_of(teams))


def test_case_list_filters(es_client, caseworker, case):
    client, url = es_client(caseworker), reverse("cases:case_list")
    valid = {"code": case.code[:7], "status": [v.CaseStatus.OPEN], "risk": [],
             "only": ["overdue"], "team": str(case.team_id), "owner": str(caseworker.pk)}
    more = {"page": st.one_of(st.sampled_from(["1", "2", "0", "-1", "last", "10" * 12]),
                              texts, st.lists(texts, max_size=2))}
    _run(submissions(_filters(caseworker), valid, more=more),
         lambda mode, data: _send(client, url, data, mode=mode, method="get",
                                  redirects_when_valid=False))


def test_case_list_name_search(es_client, caseworker, case):
    client, url = es_client(caseworker), reverse("cases:case_list")
    valid = {"full_name": "maría josé PÉREZ salas"}

    def send(mode, data):
        response = _send(client, url, data, mode=mode, redirects_when_valid=False,
                         explains=False)
        assert response.status_code == 200
        if mode == "valid":
            assert case.code in response.content.decode()

    _run(submissions(NameSearchForm(), valid), send)


# --- bad input is answered in Spanish ---------------------------------------------------

REQUIRED = "This field is required."


def _spanish_cases():
    """(name, who sends it, how, where, what, the message the app writes in English)."""
    today = _today()
    return [
        ("note", "caseworker", "post", lambda w: _case_url("add_note", w.case),
         lambda w: {"note-body": "   "}, "Write the note before saving it."),
        ("attachment", "caseworker", "post", lambda w: _case_url("add_attachment", w.case),
         lambda w: {"attachment-kind": v.AttachmentKind.MEDICAL}, "Choose a file to attach."),
        ("attachment-bytes", "caseworker", "post",
         lambda w: _case_url("add_attachment", w.case),
         lambda w: {"attachment-kind": v.AttachmentKind.MEDICAL,
                    "attachment-file": SimpleUploadedFile("informe.pdf", b"MZ\x90\x00\x03",
                                                          content_type="application/pdf")},
         "This kind of file cannot be attached. Attach a PDF, a photo (JPEG or PNG), a plain "
         "text file, or a Word or OpenDocument text."),
        ("follow-up", "caseworker", "post", lambda w: _case_url("add_follow_up", w.case),
         lambda w: {"follow_up-kind": v.FollowUpKind.CHECK_IN, "follow_up-due_on": "mañana",
                    "follow_up-assignee": str(w.caseworker.pk)},
         "Give a date such as 2026-03-31."),
        ("follow-up-done", "caseworker", "post",
         lambda w: _case_url("complete_follow_up", w.case, follow_up_id=w.follow_up.pk),
         lambda w: {"note": "No contestó."}, "Choose what happened."),
        ("risk", "caseworker", "post", lambda w: _case_url("add_risk_assessment", w.case),
         lambda w: {"risk-assessed_on": today}, "Choose a risk level."),
        ("safety-plan", "caseworker", "post", lambda w: _case_url("update_safety_plan", w.case),
         lambda w: {"safety-plan": "casa\x00"}, "Null characters are not allowed."),
        ("consent", "caseworker", "post", lambda w: _case_url("record_consent", w.case),
         lambda w: {"consent-purpose": "referral", "consent-recipient_service_type": "shelter",
                    "consent-decision": "given", "consent-method": "verbal",
                    "consent-given_by": "guardian"},
         "She is an adult: only she can give or refuse consent."),
        ("consent-withdraw", "caseworker", "post",
         lambda w: _case_url("withdraw_consent", w.case, consent_id=w.consent.pk),
         lambda w: {}, "Choose why the consent is withdrawn."),
        ("link-create", "caseworker", "post", lambda w: _case_url("create_link_group", w.case),
         lambda w: {"new_group-label": ""},
         "Give the group a name, such as the house or place."),
        ("link-join", "caseworker", "post", lambda w: _case_url("join_link_group", w.case),
         lambda w: {"join_group-group": str(uuid.uuid4())}, "Choose one of the groups listed."),
        ("assign", "supervisor", "post", lambda w: _case_url("assign", w.case),
         lambda w: {}, REQUIRED),
        ("share", "caseworker", "post", lambda w: _case_url("share", w.case),
         lambda w: {"level": "view"}, REQUIRED),
        ("unshare", "caseworker", "post", lambda w: _case_url("unshare", w.case),
         lambda w: {"colleague": str(w.teammate.pk)}, "The case is not shared with this person."),
        ("close", "caseworker", "post", lambda w: _case_url("close", w.case),
         lambda w: {"status": v.CaseStatus.CLOSED, "closure_reason": v.ClosureReason.GOALS_MET,
                    "check_in_3": "on", "check_in_3_on": ""},
         "Give a date, or untick this check-in."),
        ("reopen", "caseworker", "post", lambda w: _case_url("reopen", w.closed_case),
         lambda w: {}, REQUIRED),
        ("shred-request", "supervisor", "post", lambda w: _case_url("shred_request", w.case),
         lambda w: {"reason": v.ShredReason.SURVIVOR_REQUEST}, REQUIRED),
        ("emergency-code", "caseworker", "post", lambda w: reverse("cases:emergency_access"),
         lambda w: {"code": "María Pérez", "reason": "La policía la encontró.",
                    "password": TEST_PASSWORD},
         "A case code looks like PE-2026-0042. Check it and try again."),
        ("emergency-password", "caseworker", "post",
         lambda w: reverse("cases:emergency_access"),
         lambda w: {"code": w.foreign_case.code, "reason": "La policía la encontró.",
                    "password": "not-my-password"},
         "That is not your password. Nothing was opened."),
        ("emergency-no-case", "caseworker", "post",
         lambda w: reverse("cases:emergency_access"),
         lambda w: {"code": "PE-2099-0001", "reason": "La policía la encontró.",
                    "password": TEST_PASSWORD},
         "There is no case with that code in your organisation."),
        ("shred-confirm", "org_admin", "post",
         lambda w: reverse("cases:shred_confirm", kwargs={"request_id": w.pending.pk}),
         lambda w: {}, "Tick the box to confirm the shredding."),
        ("list-filters", "caseworker", "get", lambda w: reverse("cases:case_list"),
         lambda w: {"code": "PE 2026"},
         "A case code has only letters, digits and dashes, like PE-2026-0042."),
        ("list-search", "caseworker", "post", lambda w: reverse("cases:case_list"),
         lambda w: {"full_name": "   "}, REQUIRED),
    ]


class _Fixtures:
    """``w.case``, ``w.pending``…: the fixture of that name, made when first asked for."""

    def __init__(self, request) -> None:
        self._request = request

    def __getattr__(self, name: str):
        return self._request.getfixturevalue(name)


def test_the_spanish_catalogue_is_compiled():
    catalogue = Path(django_settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo"
    assert catalogue.is_file(), "run `make translations` first"


@pytest.mark.parametrize(
    ("who", "method", "url", "data", "english"),
    [pytest.param(*row[1:], id=row[0]) for row in _spanish_cases()],
)
def test_bad_input_is_answered_in_spanish(request, es_client, who, method, url, data, english):
    w = _Fixtures(request)
    with translation.override("es"):
        spanish = gettext(english)
    assert spanish != english, f"no Spanish for {english!r} in locale/es"
    if english == REQUIRED:
        assert spanish == "Este campo es obligatorio."
    response = _send(es_client(getattr(w, who)), url(w), data(w), method=method,
                     explains=method == "post")
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(spanish) in body
    assert escape(english) not in body
    assert response.headers.get("Content-Language") == "es"

