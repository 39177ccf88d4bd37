"""The check every write of case work starts with."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case
from cases.queries import Access, access_level


def SHREDDED_MESSAGE() -> str:
    return _("Her data was shredded: nothing more can be recorded in this case.")


def locked_case_for_work(actor: User, case: Case, needed: Access = Access.WORK) -> Case:
    """The case row, locked, after checking that ``actor`` may work it.

    The lock serialises writes to one case, so that two people recording at the same
    moment never overwrite each other's copy of the case's current risk or plan.
    """
    case = Case.objects.select_for_update().select_related("survivor").get(pk=case.pk)
    if access_level(actor, case) < needed:
        raise PermissionDenied
    if case.survivor.is_shredded:
        raise ValidationError(SHREDDED_MESSAGE())
    return case
