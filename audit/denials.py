"""One way for every app's getter to refuse: record the denied look, answer 404.

An outsider learns nothing from a refusal (the object might as well not exist), and the
auditor still sees the attempt. Getters that decide access themselves (a case's access
level, a referral's relation to the person) call ``deny_unseen``; getters that only need
"is it in this person's scoped queryset" call ``get_or_deny``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from django.db import models
from django.http import Http404

from audit.models import Outcome
from audit.services import record_event

if TYPE_CHECKING:
    from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


def deny_unseen(
    *, actor: Any, action: str, target_type: str, target_id: Any = "", purpose: str = ""
) -> NoReturn:
    """Record a denied look at something this person may not know exists; answer 404.
    ``purpose``: the code the allowed look would have carried, so both read alike."""
    record_event(
        action=action,
        actor=actor,
        outcome=Outcome.DENIED,
        target_type=target_type,
        target_id=target_id if target_id is not None else "",
        purpose=purpose,
    )
    raise Http404


def get_or_deny(
    scoped: QuerySet[M], pk: Any, *, actor: Any, action: str, target_type: str
) -> M:
    """The row ``pk`` of ``scoped`` (a queryset already limited to what ``actor`` may
    see), or a recorded denial and 404. ``pk`` None (an id that did not parse) is a
    denial too, recorded without an id."""
    found = scoped.filter(pk=pk).first() if pk is not None else None
    if found is None:
        deny_unseen(actor=actor, action=action, target_type=target_type, target_id=pk)
    return found
