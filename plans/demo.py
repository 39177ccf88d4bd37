"""Demo support plans (``seed_demo`` runs this after the demo referrals).

Three of the demo organisation's open adult cases get a plan each, through the services:
one approved whose review is overdue (on Carmen's home and Lucía's), one waiting for
Carmen's approval, one still a draft. Fictional, like every demo record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_demo_allowed
from accounts.models import User
from cases import vocabularies as cv
from cases.demo import demo_organization
from cases.models import Case
from plans import services
from plans import vocabularies as pv
from plans.models import Plan
from vault.scope import key_scope


@dataclass(frozen=True)
class DemoGoal:
    area: str
    wording: str
    action: str
    performer: str = pv.Performer.CASEWORKER


GOALS = [
    DemoGoal(pv.Area.ACCOMMODATION, "Quiero un lugar seguro para dormir, lejos de Lima.",
             "Buscar plaza en una casa refugio para mujeres adultas."),
    DemoGoal(pv.Area.HEALTH, "Que me revisen la herida y dormir sin pesadillas.",
             "Acompañarla a la consulta médica y a la psicóloga."),
    DemoGoal(pv.Area.DOCUMENTS, "Tener otra vez mi pasaporte.",
             "Pedir cita en el consulado para un documento nuevo.", pv.Performer.SURVIVOR),
]
ENDS = ("overdue", "awaiting", "draft")


def _demo_cases() -> list[Case]:
    return list(
        Case.objects.filter(organization=demo_organization(), status=cv.CaseStatus.OPEN,
                            is_child=False, owner__username="lucia")
        .select_related("owner", "survivor").order_by("-code")[: len(ENDS)]
    )


@transaction.atomic
def _seed_plan(case: Case, end: str, supervisor: User) -> Plan:
    owner = case.owner
    services.start_plan(actor=owner, case=case)
    for item in GOALS:
        goal = services.add_goal(actor=owner, case=case, area=item.area, wording=item.wording)
        services.add_action(actor=owner, case=case, goal=goal, description=item.action,
                            performer=item.performer,
                            due_on=timezone.localdate() + timedelta(days=14))
    services.record_agreement(actor=owner, case=case, agreed_on=timezone.localdate(),
                              method=cv.ConsentMethod.VERBAL, agreed_by=pv.AgreedBy.SURVIVOR)
    if end == "draft":
        return case.plan
    services.submit_plan(actor=owner, case=case)
    if end == "awaiting":
        return case.plan
    plan = services.approve_plan(actor=supervisor, case=case)
    services.record_assistance(actor=owner, case=case, category=pv.Area.PSYCHOSOCIAL,
                               started_on=timezone.localdate(), quantity=2,
                               unit=pv.Unit.SESSIONS, provider=case.organization)
    # Direct: no service back-dates a review; the homes need one that is late.
    plan.next_review_on = timezone.localdate() - timedelta(days=3)
    plan.save(update_fields=["next_review_on", "updated_at"])
    return plan


@key_scope()
def seed_demo_plans() -> int:
    """Add the demo plans if the demo organisation has none yet; how many were added."""
    ensure_demo_allowed()
    if Plan.objects.filter(case__organization=demo_organization()).exists():
        return 0
    supervisor = User.objects.get(username="carmen")
    added = 0
    for end, case in zip(ENDS, _demo_cases(), strict=False):
        _seed_plan(case, end, supervisor)
        added += 1
    return added


@key_scope()
def plant_plan_canary(case: Case, text: str) -> Plan:
    """Put ``text`` into every sealed field of a support plan of the canary case
    (``seed_demo --canary``): a goal, an action, the agreement note, a review note and an
    assistance note. Once per case: later runs find the plan there."""
    ensure_demo_allowed()
    existing = Plan.objects.filter(case=case).first()
    if existing is not None:
        return existing
    owner = case.owner
    supervisor = User.objects.get(username="carmen")
    with transaction.atomic():
        services.start_plan(actor=owner, case=case)
        goal = services.add_goal(actor=owner, case=case, area=pv.Area.SAFETY, wording=text)
        action = services.add_action(actor=owner, case=case, goal=goal, description=text,
                                     performer=pv.Performer.CASEWORKER)
        services.record_agreement(actor=owner, case=case, agreed_on=timezone.localdate(),
                                  method=cv.ConsentMethod.VERBAL,
                                  agreed_by=pv.AgreedBy.SURVIVOR, note=text)
        services.submit_plan(actor=owner, case=case)
        plan = services.approve_plan(actor=supervisor, case=case)
        services.review_plan(actor=owner, case=case, note=text,
                             progress={goal.pk: pv.Progress.SOME_PROGRESS})
        services.record_assistance(actor=owner, case=case, category=pv.Area.SAFETY,
                                   started_on=timezone.localdate(), provider=case.organization,
                                   goal_action=action, note=text)
    return plan
