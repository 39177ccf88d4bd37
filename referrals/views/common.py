"""What the case side's referral pages share: their addresses, and how a step is posted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.sections import section_url
from referrals import vocabularies as rv
from vault.scope import key_scope


def referral_url(referral_id: Any) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": referral_id})


def case_url(case_id: Any) -> str:
    return section_url(case_id, "referrals")


def step_view(view: Any) -> Any:
    """POST only (no state changes through a GET), signed in, one key scope."""
    return login_required(require_POST(key_scope()(view)))


def seen_state(request: HttpRequest) -> str | None:
    """The state the page showed when she chose the step (posted back by the form): if
    someone else changed the referral since, the step is refused instead of applied to a
    referral she has not seen (referrals.workflow.transition)."""
    value = request.POST.get("seen_state", "")
    return value if value in rv.State.values else None
