"""Linked cases: a group of cases that belong together (women found in the same house),
joined without exposing one woman's data to another's caseworker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from cases.models import Case, CaseLink, LinkGroup
from cases.queries import visible_cases
from cases.services.access import locked_case_for_work
from vault import services as vault
from vault.exceptions import CannotOpen

LABEL_MAX_CHARS = 120


def joinable_link_groups(*, actor: User, case: Case) -> QuerySet[LinkGroup]:
    """Groups of the case's organisation that hold a case the actor can see, and not this one,
    each with its ``size`` (how many cases it holds), so that two groups of the same name
    can be told apart."""
    size = (
        CaseLink.objects.filter(group_id=OuterRef("pk"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        LinkGroup.objects.filter(
            organization_id=case.organization_id, cases__in=visible_cases(actor)
        )
        .exclude(cases=case)
        .distinct()
        .annotate(size=Coalesce(Subquery(size, output_field=IntegerField()), 0))
        .order_by("-created_at")
    )


def joinable_group_choice_label(group: LinkGroup, *, actor: User) -> str:
    """How a group reads in the list to join: its name, then what tells it apart from a
    group of the same name (its short reference, when it was started, how many cases)."""
    started = formats.date_format(timezone.localtime(group.created_at), "SHORT_DATE_FORMAT")
    size = getattr(group, "size", None)
    if size is None:
        size = CaseLink.objects.filter(group=group).count()
    details = _("%(reference)s, started %(date)s, %(cases)s") % {
        "reference": group.reference,
        "date": started,
        "cases": ngettext("%(count)s case", "%(count)s cases", size) % {"count": size},
    }
    return f"{open_group_label(group, actor=actor)} ({details})"


def open_group_label(group: LinkGroup, *, actor: User) -> str:
    """The group's name, or a dash if it will not open (the vault has recorded why)."""
    try:
        return vault.unseal(group, "label", actor=actor) or "—"
    except CannotOpen:
        return "—"


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": _("Give the group a name, such as the house or place.")})
    if len(label) > LABEL_MAX_CHARS:
        raise ValidationError({"label": _("A group name may be at most 120 characters long.")})
    return label


@transaction.atomic
def create_link_group(*, actor: User, case: Case, label: str) -> LinkGroup:
    """Start a group of linked cases (e.g. women found in the same house) with this case.

    The label names a place, so it is sealed with a key of the group's own: each case's
    team can read it without any survivor's key being shared.
    """
    case = locked_case_for_work(actor, case)
    group = LinkGroup(organization_id=case.organization_id, created_by=actor)
    vault.seal(group, label=_clean_label(label))
    group.save()
    CaseLink.objects.create(group=group, case=case, added_by=actor)
    record_event(action=Action.CASE_LINKED, actor=actor, target=case, case_code=case.code,
                 purpose="new_group")
    return group


@transaction.atomic
def add_to_link_group(*, actor: User, case: Case, group: LinkGroup) -> CaseLink:
    """Add this case to an existing group that holds at least one case the actor can see."""
    case = locked_case_for_work(actor, case)
    if not joinable_link_groups(actor=actor, case=case).filter(pk=group.pk).exists():
        if CaseLink.objects.filter(group=group, case=case).exists():
            raise ValidationError({"group": _("This case is already in that group.")})
        raise ValidationError({"group": _("Choose one of the groups listed.")})
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(group=group, case=case, added_by=actor)
    except IntegrityError:
        raise ValidationError({"group": _("This case is already in that group.")}) from None
    record_event(action=Action.CASE_LINKED, actor=actor, target=case, case_code=case.code,
                 purpose="joined_group")
    return link
