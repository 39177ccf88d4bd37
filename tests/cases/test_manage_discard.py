"""Discarding a case registered by mistake (issue 18): the person who registered it, on
the same day, while it holds only its start form, without the two-person shredding; her
data key is destroyed as in shredding, and the discard is an audit event."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from audit.services import record_event
from cases import vocabularies as v
from cases.models import Case, Survivor
from cases.services.management import can_discard, discard_new_case
from vault import services as vault
from vault.exceptions import OwnerShredded

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def discard_url(case):
    return reverse("cases:discard", kwargs={"case_id": case.pk})


def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_maker_discards_her_new_case_and_the_key_is_destroyed(
    client_for, caseworker, case, django_capture_on_commit_callbacks
):
    client = _english(client_for(caseworker))
    assert (
        "Discard: registered by mistake"
        in client.get(reverse("cases:case_detail", kwargs={"case_id": case.pk})).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(discard_url(case), {"understood": "on"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert survivor.is_shredded and survivor.name_key is None
    assert case.status == v.CaseStatus.CLOSED
    assert (
        AccessEvent.objects.filter(
            action=Action.CASE_DISCARDED, case_code=case.code, actor=caseworker
        ).count()
        == 1
    )
    assert AccessEvent.objects.filter(action=Action.VAULT_OWNER_SHREDDED).count() == 1
    with pytest.raises(OwnerShredded):
        vault.unseal(survivor, "given_names")
    for row in survivor.history.all():
        if row.given_names:
            with pytest.raises(OwnerShredded):
                vault.unseal(row, "given_names")


def test_an_unticked_confirmation_is_refused_with_the_summary_and_changes_nothing(
    client_for, caseworker, case
):
    response = _english(client_for(caseworker)).post(discard_url(case), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and '<a href="#id_understood">' in html
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded
    assert not AccessEvent.objects.filter(action=Action.CASE_DISCARDED).exists()


def test_the_read_only_colleague_gets_403(client_for, viewer, case):
    assert client_for(viewer).post(discard_url(case), {"understood": "on"}).status_code == 403
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded


def test_an_outsider_gets_404(client_for, outsider, case):
    assert client_for(outsider).post(discard_url(case), {"understood": "on"}).status_code == 404
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded


def test_a_supervisor_who_did_not_register_it_is_refused(client_for, supervisor, case):
    response = _english(client_for(supervisor)).post(discard_url(case), {"understood": "on"})
    assert response.status_code == 200
    assert "Ask your supervisor for shredding instead." in response.content.decode()
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded
    with pytest.raises(ValidationError):
        discard_new_case(actor=supervisor, case=case)


def test_a_case_someone_else_opened_takes_the_shredding(caseworker, supervisor, case):
    record_event(action=Action.CASE_VIEWED, actor=supervisor, target=case, case_code=case.code)
    assert not can_discard(caseworker, case)
    with pytest.raises(ValidationError):
        discard_new_case(actor=caseworker, case=case)
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded


def test_a_case_with_anything_added_takes_the_shredding(caseworker, case):
    record_event(action=Action.CASE_UPDATED, actor=caseworker, target=case, case_code=case.code)
    assert not can_discard(caseworker, case)


def test_her_own_looks_do_not_stop_the_discard(client_for, caseworker, case):
    client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert can_discard(caseworker, case)


def test_a_case_registered_yesterday_takes_the_shredding(make_case, caseworker):
    yesterday = timezone.now() - timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        case = make_case(caseworker, given_names="Ayer")
    assert not can_discard(caseworker, case)
