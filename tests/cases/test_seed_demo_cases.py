"""``seed_demo`` adds fictional cases once; ``--cases`` adds more; ``--canary`` plants a
text in every sealed field of one survivor, and the text is sealed wherever it went."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from cases.demo import DEMO_CASE_COUNT
from cases.models import (
    Attachment,
    Case,
    FollowUp,
    LinkGroup,
    Note,
    RiskAssessment,
    RouteStop,
    Survivor,
    SurvivorDocument,
)
from tests.canary import assert_no_canary_leaks, make_canary
from vault import services as vault
from vault.fields import EncryptedField

DATABASES = ["default", "keys"]


def seed(*args: str) -> str:
    out = StringIO()
    with override_settings(AMPARO_DEMO=True):
        call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db(databases=DATABASES)
def test_seed_demo_adds_varied_cases_once():
    seed()
    cases = Case.objects.all()
    assert cases.count() == DEMO_CASE_COUNT
    assert {c.status for c in cases} >= {"open", "follow_up", "closed"} or {
        c.status for c in cases
    } >= {"open", "follow_up", "closed_referred"}
    assert cases.filter(is_child=True).exists()
    assert {c.risk_level for c in cases} >= {"low", "medium", "high", "critical"}
    assert cases.filter(survivor__contact_channel="do_not_contact").exists()
    assert (
        Survivor.objects.filter(nationality="VE").count()
        > Survivor.objects.filter(nationality="PE").count()
    )
    assert Note.objects.exists() and FollowUp.objects.exists() and RiskAssessment.objects.exists()
    assert cases.exclude(closure_reason="").exists()

    seed()
    assert Case.objects.count() == DEMO_CASE_COUNT


@pytest.mark.django_db(databases=DATABASES)
def test_seed_demo_cases_adds_that_many_more():
    seed("--cases", "25")
    assert Case.objects.count() == DEMO_CASE_COUNT + 25
    assert len(set(Case.objects.values_list("code", flat=True))) == DEMO_CASE_COUNT + 25
    bulk = Case.objects.order_by("-code").first()
    assert vault.unseal(bulk.survivor, "given_names")


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_the_canary_goes_into_every_sealed_field_and_stays_sealed(caplog):
    canary = make_canary()
    output = seed("--canary", canary)
    assert canary not in output
    case = Case.objects.get(code=output.split("Canary planted in case ")[1].split(".")[0])
    survivor = case.survivor
    rows = [
        survivor,
        case,
        *SurvivorDocument.objects.filter(survivor=survivor),
        *RouteStop.objects.filter(case=case),
        *RiskAssessment.objects.filter(case=case),
        *Note.objects.filter(case=case),
        *FollowUp.objects.filter(case=case, done_at__isnull=False),
        *LinkGroup.objects.filter(cases=case),
        *Attachment.objects.filter(case=case),
    ]
    for model in (
        Survivor,
        Case,
        SurvivorDocument,
        RouteStop,
        RiskAssessment,
        Note,
        FollowUp,
        LinkGroup,
        Attachment,
    ):
        assert any(isinstance(row, model) for row in rows), model
    for row in rows:
        for field in type(row)._meta.get_fields():
            if isinstance(field, EncryptedField):
                assert canary in (vault.unseal(row, field.name) or ""), (
                    f"{type(row).__name__}.{field.name}"
                )
    attachment = Attachment.objects.get(case=case)
    assert canary.encode() in b"".join(vault.open_file(attachment, "content"))

    # Again with the same text: the same survivor, not a second one.
    seed("--canary", canary)
    assert Case.objects.count() == DEMO_CASE_COUNT + 1

    assert_no_canary_leaks([canary], logs=caplog.text)
