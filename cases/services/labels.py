"""The recorded click that shows a survivor's name where her organisation labels cases
by their code alone (``cases.labels``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from cases.models import Case
from cases.queries import Access, access_level


@transaction.atomic
def record_name_revealed(*, actor: User, case: Case) -> None:
    """Record that ``actor`` asked to see the name of ``case``'s survivor on its header.

    Nothing changes but the access log: the event is this request's look at the case, so
    the page that shows the name is rendered only after it is written. Anyone who may
    view the case may see the name (the identity section shows it to her anyway); the
    view's getter has already answered 404 to anyone else, and the rule is checked here
    again so that no caller can record a look that was not allowed.
    """
    if access_level(actor, case) < Access.VIEW:
        raise PermissionDenied
    record_event(action=Action.CASE_NAME_REVEALED, actor=actor, target=case, case_code=case.code)
