"""The canary scan over a whole case: no survivor content anywhere it could leak.

Canaries go into every identifying and narrative value a case holds — a full intake
(identity, documents, safe contact, profile with perpetrators, route, needs and her
account), a note, an attachment (name and content), consent, a risk assessment, a
safety plan, a follow-up outcome, a linked-case label and an emergency access reason —
each section is then edited again so that history rows exist, and the case is read
through its pages, downloaded, shared, assigned and closed. Then every table of both
databases (raw SQLite files with journal and WAL, or pg_dump), the file storage, the
logs and every mail sent are searched for every canary, in every encoding.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases import vocabularies as v
from cases.models import Case, RouteStop, Survivor, SurvivorDocument
from cases.services import intake, management, work
from cases.services.intake import Guardian, Identity, SafeContact, register_intake
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])


def plant_identity(canaries, *, age_uncertain=False) -> tuple[Identity, Guardian]:
    identity = Identity(
        given_names=canaries.new("given"),
        family_names=canaries.new("family"),
        aliases=canaries.new("alias"),
        birth_date=date(1999, 3, 14),
        age_uncertain=age_uncertain,
        gender=v.Gender.FEMALE,
        nationality=v.Nationality.VENEZUELA,
        languages=["es"],
        family_contacts=canaries.new("family-contact"),
    )
    guardian = Guardian(
        name=canaries.new("guardian"), relationship="tía", contact=canaries.new("guardian-phone")
    )
    return identity, guardian


def fill_the_intake(canaries, *, actor, case) -> None:
    """Every section of the intake, with a canary in each sealed value."""
    identity, guardian = plant_identity(canaries)
    intake.update_identity(actor=actor, case=case, identity=identity, guardian=guardian)
    intake.set_documents(
        actor=actor,
        case=case,
        documents=[
            {
                "kind": v.DocumentType.PASSPORT,
                "number": canaries.new("passport"),
                "issuing_country": v.Nationality.VENEZUELA,
                "held_by_survivor": False,
            }
        ],
    )
    intake.update_safe_contact(
        actor=actor,
        case=case,
        contact=SafeContact(
            channel=v.ContactChannel.WHATSAPP,
            address=canaries.new("phone"),
            safe_times=canaries.new("times"),
            may_leave_message=False,
            code_word=canaries.new("codeword"),
        ),
    )
    intake.update_profile(
        actor=actor,
        case=case,
        perpetrators=canaries.new("perpetrator"),
        trafficking_status=v.TraffickingStatus.POSSIBLE,
        exploitation_types=[v.ExploitationType.SEXUAL_PROSTITUTION],
        recruitment_methods=[v.RecruitmentMethod.JOB_OFFER],
        means_of_control=[v.MeansOfControl.DEBT_BONDAGE],
        debt_currency=v.Currency.USD,
    )
    intake.set_route(
        actor=actor,
        case=case,
        stops=[
            {
                "kind": v.RouteStopKind.RECRUITMENT,
                "country": "VE",
                "place": canaries.new("place"),
                "when": canaries.new("when"),
            },
            {
                "kind": v.RouteStopKind.EXPLOITATION,
                "country": "PE",
                "place": canaries.new("place"),
                "when": canaries.new("when"),
            },
        ],
    )
    intake.update_needs_and_narrative(
        actor=actor,
        case=case,
        immediate_needs=[v.ServiceType.SHELTER],
        needs_note=canaries.new("needs"),
        narrative=canaries.new("narrative"),
    )


def do_the_case_work(canaries, *, actor, case):
    """Note, attachment, consent, risk, safety plan, follow-up, linked cases."""
    work.add_note(actor=actor, case=case, body=canaries.new("note"))
    content = f"Carta: {canaries.new('letter')}\n".encode()
    attachment = work.add_attachment(
        actor=actor,
        case=case,
        kind=v.AttachmentKind.OTHER,
        upload=SimpleUploadedFile(
            f"{canaries.new('file')}.txt", content, content_type="text/plain"
        ),
    )
    work.record_consent(
        actor=actor,
        case=case,
        purpose=v.ConsentPurpose.DATA_PROCESSING,
        given=True,
        method=v.ConsentMethod.VERBAL,
        given_by=v.ConsentGivenBy.SURVIVOR,
        interpreter_language=v.Language.SPANISH,
    )
    work.record_risk_assessment(
        actor=actor,
        case=case,
        assessed_on=timezone.localdate(),
        level=v.RiskLevel.HIGH,
        factors=[v.RiskFactor.THREATS_TO_FAMILY_ABROAD],
        notes=canaries.new("risk"),
    )
    work.update_safety_plan(actor=actor, case=case, plan=canaries.new("safety"))
    follow_up = work.add_follow_up(
        actor=actor,
        case=case,
        kind=v.FollowUpKind.CHECK_IN,
        due_on=timezone.localdate() + timedelta(days=7),
        assignee=actor,
    )
    work.complete_follow_up(
        actor=actor,
        case=case,
        follow_up=follow_up,
        outcome=v.FollowUpOutcome.REACHED_SAFE,
        note=canaries.new("outcome"),
    )
    work.create_link_group(actor=actor, case=case, label=canaries.new("house"))
    return attachment


def test_no_canary_leaves_the_vault(canaries, client_for, caseworker, supervisor, organization):
    for person, address in ((caseworker, "owner@example.org"), (supervisor, "boss@example.org")):
        person.email = address
        person.save(update_fields=["email"])
    identity, guardian = plant_identity(canaries)
    case = register_intake(
        actor=caseworker, team=caseworker.teams.get(), identity=identity, guardian=guardian
    )
    fill_the_intake(canaries, actor=caseworker, case=case)
    attachment = do_the_case_work(canaries, actor=caseworker, case=case)

    # Two edits of everything: the history tables now hold several versions.
    fill_the_intake(canaries, actor=caseworker, case=case)
    work.update_safety_plan(actor=caseworker, case=case, plan=canaries.new("safety"))
    fill_the_intake(canaries, actor=caseworker, case=case)
    work.update_safety_plan(actor=caseworker, case=case, plan=canaries.new("safety"))

    # The values really are there, sealed (so the scan below is not vacuous).
    case = Case.objects.get(pk=case.pk)
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert vault.unseal(survivor, "given_names").startswith("given-")
    assert vault.unseal(case, "safety_plan") == canaries.planted[-1]
    assert survivor.history.count() >= 3 and Case.history.filter(id=case.pk).count() >= 3
    assert RouteStop.history.exists() and SurvivorDocument.history.exists()

    # Read it through the pages, download the file, and manage the case.
    owner = client_for(caseworker)
    for url in (
        reverse("cases:case_detail", kwargs={"case_id": case.pk}),
        reverse("cases:case_history", kwargs={"case_id": case.pk}),
        reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": "identity"}),
    ):
        assert owner.get(url).status_code == 200
    download = owner.get(
        reverse(
            "cases:download_attachment", kwargs={"case_id": case.pk, "attachment_id": attachment.pk}
        )
    )
    assert b"letter-" in b"".join(download.streaming_content)

    night = UserFactory(
        organization=organization, role=Role.CASEWORKER, username="night", email="night@example.org"
    )
    TeamFactory(organization=organization, name="Noche").members.add(night)
    response = client_for(night).post(
        reverse("cases:emergency_access"),
        {
            "code": case.code,
            "reason": f"Urgente: {canaries.new('emergency')}",
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client_for(night).get(response.url).status_code == 200

    colleague = UserFactory(organization=organization, role=Role.CASEWORKER, email="c@example.org")
    caseworker.teams.get().members.add(colleague)
    supervisor_client = client_for(supervisor)
    supervisor_client.post(
        reverse("cases:share", kwargs={"case_id": case.pk}),
        {"colleague": colleague.pk, "level": "view"},
    )
    team = caseworker.teams.get()
    supervisor_client.post(
        reverse("cases:assign", kwargs={"case_id": case.pk}),
        {"assignee": f"{team.pk}:{colleague.pk}"},
    )
    management.close_case(
        actor=supervisor,
        case=case,
        status=v.CaseStatus.CLOSED,
        reason=v.ClosureReason.GOALS_MET,
        check_ins=[timezone.localdate() + timedelta(days=30)],
    )

    assert len(mail.outbox) >= 3  # emergency, share and assignment notices were sent

    canaries.assert_no_leaks()
