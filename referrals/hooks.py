"""Moments of a referral that apps above referrals finish, in the same transaction.

``referrals`` never imports plans (DESIGN §2). Like ``cases/hooks.py``, each moment is
one ``Hook`` named with its single caller, its arguments and every receiver by dotted
path; only a named receiver can be connected, and the start-up check (``cases.E001``)
fails while one is missing. Receivers run in order inside the caller's transaction: an
exception from one undoes the whole step.

- ``REFERRAL_COMPLETED``: the partner (or the caseworker) completed the referral; plans
  records the assistance she received, with the partner's outcome, for the caseworker to
  confirm or correct. ``plans`` connects it in ``PlansConfig.ready()``.
"""

from __future__ import annotations

from cases.hooks import Hook

REFERRAL_COMPLETED = Hook(
    name="referral_completed",
    caller="referrals.services.complete_referral",
    arguments=("referral", "actor"),
    receivers=("plans.services.record_assistance_from_referral",),
)

HOOKS = (REFERRAL_COMPLETED,)  # the hooks of referrals
