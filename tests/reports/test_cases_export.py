"""The organisation's own export: encrypted to a recipient in the age format, behind a
fresh authenticator code, one access event with the case codes (issue 13, item 4)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pyrage
import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from audit.models import AccessEvent, Action, Outcome
from reports.models import ExportRecord
from tests.factories import current_code
from tests.reports.population import add_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

PASSPHRASE = "correct horse battery staple 2026"
URL = "reports:cases_export"


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _code(user, offset: int = 0) -> str:
    return current_code(TOTPDevice.objects.get(user=user), offset_steps=offset)


def _form(user, **overrides) -> dict:
    data = {"first": _month(), "last": _month(), "team": "", "kind": "cases_csv",
            "recipient_kind": "passphrase", "passphrase": PASSPHRASE, "public_key": "",
            "identity_reason": "", "token": _code(user)}
    data.update(overrides)
    return data


def _events(before: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(pk__gt=before).exclude(
        action__in=[Action.VAULT_KEY_CREATED]).order_by("pk"))


def _last() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def cases(caseworker, make_case):
    registered = [make_case(caseworker, given_names=f"Ana{i}", family_names="Quispe Mamani")
                  for i in range(2)]
    return registered + add_cases(caseworker, 3, opened_on=timezone.localdate())


def test_the_export_opens_with_pyrage_and_holds_coded_fields_only(client_for, supervisor, cases):
    client = client_for(supervisor)
    before = _last()
    response = client.post(reverse(URL), _form(supervisor))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv.age"')
    assert response.content.startswith(b"age-encryption.org/v1")
    assert b"Quispe" not in response.content
    plain = pyrage.passphrase.decrypt(response.content, PASSPHRASE).decode()
    rows = list(csv.DictReader(io.StringIO(plain)))
    assert sorted(r["case_code"] for r in rows) == sorted(c.code for c in cases)
    assert "given_names" not in rows[0] and "Quispe" not in plain
    # one event naming the record that lists the case codes, and one in each case's trail
    events = _events(before)
    assert [(e.action, e.outcome) for e in events] == [
        (Action.CASES_EXPORTED, Outcome.ALLOWED)] + [(Action.CASE_LISTED, Outcome.ALLOWED)] * 5
    assert sorted(e.case_code for e in events[1:]) == sorted(c.code for c in cases)
    assert {(e.actor, e.purpose) for e in events[1:]} == {(supervisor, "export")}
    record = ExportRecord.objects.get(pk=events[0].target_id)
    assert sorted(record.case_codes) == sorted(c.code for c in cases)
    assert record.exported_by == supervisor and record.recipient_kind == "passphrase"


def test_an_xlsx_export_to_a_public_key_opens_with_the_private_key(client_for, supervisor, cases):
    identity = pyrage.x25519.Identity.generate()
    response = client_for(supervisor).post(reverse(URL), _form(
        supervisor, kind="cases_xlsx", recipient_kind="public_key", passphrase="",
        public_key=str(identity.to_public())))
    assert response.status_code == 200
    plain = pyrage.decrypt(response.content, [identity])
    sheet = load_workbook(io.BytesIO(plain), read_only=True).active
    values = list(sheet.values)
    assert values[0][0] == "case_code" and len(values) == 1 + len(cases)


def test_names_are_exported_only_with_a_reason(client_for, supervisor, cases):
    response = client_for(supervisor).post(
        reverse(URL), _form(supervisor, identity_reason="case_transfer"))
    plain = pyrage.passphrase.decrypt(response.content, PASSPHRASE).decode()
    rows = list(csv.DictReader(io.StringIO(plain)))
    names = {r["given_names"] for r in rows}
    assert {"Ana0", "Ana1"} <= names
    event = AccessEvent.objects.filter(action=Action.CASES_EXPORTED).get()
    assert event.purpose == "case_transfer"
    assert "Ana0" not in str(ExportRecord.objects.get().__dict__)


def test_a_wrong_code_exports_nothing_and_is_one_denied_event(client_for, supervisor, cases):
    client = client_for(supervisor)
    before = _last()
    response = client.post(reverse(URL), _form(supervisor, token="000000"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["token"]
    assert not ExportRecord.objects.exists()
    assert [(e.action, e.outcome, e.purpose) for e in _events(before)] == [
        (Action.CASES_EXPORTED, Outcome.DENIED, "second_factor_refused")]


def test_a_code_works_for_one_export_only(client_for, supervisor, cases):
    client = client_for(supervisor)
    code = _code(supervisor)
    assert client.post(reverse(URL), _form(supervisor, token=code))["Content-Type"] == (
        "application/octet-stream")
    second = client.post(reverse(URL), _form(supervisor, token=code))
    assert second.context["form"].errors["token"]
    assert ExportRecord.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"recipient_kind": "public_key", "public_key": "age1notakey"}, "public_key"),
    ({"passphrase": "short"}, "passphrase"),
    ({"identity_reason": "curiosity"}, "identity_reason"),
    ({"first": "1999-01"}, "first"),
    ({"token": ""}, "token"),
])
def test_bad_input_is_explained_and_changes_nothing(client_for, supervisor, cases,
                                                     overrides, field):
    before = _last()
    response = client_for(supervisor).post(reverse(URL), _form(supervisor, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'id="error-summary"' in response.content.decode()
    assert not ExportRecord.objects.exists()
    assert _events(before) == []


def test_a_failure_while_encrypting_leaves_no_record_and_no_event(
    client_for, supervisor, cases, monkeypatch
):
    from reports import exports

    def broken(self, data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports.Recipient, "encrypt", broken)
    client = client_for(supervisor)
    client.raise_request_exception = False
    before = _last()
    response = client.post(reverse(URL), _form(supervisor))
    assert response.status_code == 500
    assert not ExportRecord.objects.exists()
    assert [e.action for e in _events(before)] == []


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command is not installed "
                    "(apt-get install age)")
def test_the_reference_age_tool_opens_the_export(client_for, supervisor, cases, tmp_path):
    """Not only pyrage: the reference implementation decrypts it with the private key."""
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(str(identity) + "\n")
    response = client_for(supervisor).post(reverse(URL), _form(
        supervisor, recipient_kind="public_key", passphrase="",
        public_key=str(identity.to_public())))
    result = subprocess.run(["age", "-d", "-i", str(key_file)], input=response.content,
                            capture_output=True, timeout=30, check=True)
    assert result.stdout.decode().startswith("case_code,")
