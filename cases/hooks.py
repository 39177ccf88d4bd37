"""The cascades that case work starts and another app finishes, in the same transaction.

``cases`` knows nothing of the apps above it, yet some of its writes must end work that
belongs to them before they commit: when she withdraws a consent, the referrals that
relied on it are withdrawn; when her data is shredded, her open referrals are withdrawn
and the providers told; when her case is closed while a provider still works on a
referral, the closure waits for a confirmation. Each such cascade is one hook here, named with:

- its single caller (the service that runs it, inside its own transaction),
- the arguments it passes (keyword-only),
- every receiver, by dotted path. Only a receiver named here can be connected, and a
  system check (``cases.E001``) fails at start-up while a named receiver is missing, so
  this file is the whole list: nothing is connected from anywhere else.

An app above cases that names hooks of its own (for apps above it) builds them with the
same ``Hook`` in its own ``hooks.py``; the start-up check covers every hook built.

Receivers are plain calls, not django signals: they run in order, inside the caller's
transaction, and an exception from one rolls back the caller's whole change (the consent
stays given, her key is not shredded). ``referrals`` connects its receivers in
``ReferralsConfig.ready()``, ``plans`` its own in ``PlansConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import checks
from django.db import transaction

_ALL: list[Hook] = []  # every hook built, here or in an app above: the start-up check's list


def dotted_path(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


@dataclass
class Hook:
    """One cascade: who runs it, with what, and who finishes it."""

    name: str
    caller: str
    arguments: tuple[str, ...]
    receivers: tuple[str, ...]
    _connected: list[Callable[..., Any]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        _ALL.append(self)

    def connect(self, receiver: Callable[..., Any]) -> None:
        """Fill the hook with one of its named receivers (idempotent)."""
        path = dotted_path(receiver)
        if path not in self.receivers:
            raise ValueError(
                f"{path} is not a receiver of the {self.name} hook: name it in cases/hooks.py"
            )
        if all(dotted_path(known) != path for known in self._connected):
            self._connected.append(receiver)

    @property
    def connected(self) -> tuple[str, ...]:
        return tuple(dotted_path(receiver) for receiver in self._connected)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(path for path in self.receivers if path not in self.connected)

    def call(self, **arguments: Any) -> None:
        """Call every receiver, in the caller's transaction; their errors are the caller's."""
        if set(arguments) != set(self.arguments):
            raise TypeError(f"the {self.name} hook takes {', '.join(self.arguments)}")
        if not transaction.get_connection().in_atomic_block:
            # Outside a transaction a failing receiver could leave half a cascade behind.
            raise RuntimeError(f"the {self.name} hook runs only inside its caller's transaction")
        if self.missing:
            # Never cascade half-way: a missing receiver is a broken installation.
            raise RuntimeError(f"the {self.name} hook is not filled: {', '.join(self.missing)}")
        for receiver in self._connected:
            receiver(**arguments)


CONSENT_WITHDRAWN = Hook(
    name="consent_withdrawn",
    caller="cases.services.consent.withdraw_consent",
    arguments=("consent", "actor"),
    # DESIGN §6: withdrawing consent withdraws the referrals it covered.
    receivers=("referrals.services.withdraw_referrals_covered_by",),
)

SHREDDING_CONFIRMED = Hook(
    name="shredding_confirmed",
    caller="cases.services.management.confirm_shredding",
    arguments=("shred_request", "actor"),
    # Her open referrals end with her data, before her key is destroyed, and the
    # providers that had the packet are told.
    receivers=("referrals.services.withdraw_referrals_of_shredded_survivor",),
)

CASE_CLOSING = Hook(
    name="case_closing",
    caller="cases.services.management.close_case",
    arguments=("case", "actor"),
    # Issue 16: a support plan in force needs its final review before the case closes (the
    # receiver refuses with a ValidationError); a plan never approved closes with it.
    receivers=("plans.services.close_plan_with_case",),
)

LIVE_WORK_AT_CLOSURE = Hook(
    name="live_work_at_closure",
    caller="cases.services.management.close_case",
    arguments=("case", "actor", "confirmed"),
    # Work still running for her elsewhere (a provider that accepted her) must not be
    # forgotten by a closure: unless ``confirmed``, a receiver refuses with a
    # ValidationError keyed ``confirm_open_work`` that says what is still running. Called
    # before CASE_CLOSING, so that a refusal comes before any receiver writes.
    receivers=("referrals.services.refuse_closure_with_live_referrals",),
)

# The hooks of cases.
HOOKS = (CONSENT_WITHDRAWN, SHREDDING_CONFIRMED, CASE_CLOSING, LIVE_WORK_AT_CLOSURE)


@checks.register()
def hooks_are_filled(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"The {hook.name} hook has no receiver {path}: its cascade would not happen.",
            hint="The app that owns the receiver connects it in its AppConfig.ready().",
            obj="cases.hooks",
            id="cases.E001",
        )
        for hook in _ALL
        for path in hook.missing
    ]
