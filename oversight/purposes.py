"""The name, in the reader's language, of what an access event stores as its purpose.

``audit`` keeps an event's purpose as a short code (the intake section opened, the
reason for a closure, a finding) because the ground knows nothing of the apps above it.
The auditor reads these codes here, above every app that writes them: the vocabularies
that own a code label it, and the codes the views and services write themselves (page
sections, steps) are named below. A purpose no list knows (free text written by an
older release) is shown as stored, like ``core.labels.label``.
"""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import sessions
from accounts.models import InvitationKind, Role
from cases import vocabularies as cv
from core.labels import label
from oversight.models import GrantFinding
from referrals import vocabularies as rv

# Codes written by views and services rather than taken from a vocabulary.
WRITTEN_PURPOSES = {
    # pages and sections
    "dashboard": _("Home page"),
    "list": _("Case list"),
    "search": _("Search"),
    "follow_ups": _("My follow-ups"),
    "export": _("Organisation's case export"),
    "intake": _("Intake"),
    "identity": _("Identity"),
    "documents": _("Documents"),
    "safe_contact": _("Safe contact"),
    "profile": _("Trafficking profile"),
    "route": _("Route"),
    "narrative": _("Her account"),
    "referral_form": _("Referral form"),
    "form_errors": _("Form with errors"),
    "unknown_step": _("Unknown step"),
    "work": _("Work on the case"),
    "view": _("Read the case"),
    "all": _("All"),
    # case management
    "assign": _("Assignment"),
    "share": _("Sharing"),
    "close": _("Closure"),
    "reopen": _("Reopening"),
    "shred": _("Shredding"),
    "moved_team": _("Moved to another team"),
    "reassigned": _("Reassigned"),
    "new_group": _("New link group"),
    "joined_group": _("Joined a link group"),
    # retention review (cases.services.retention; the org's period, accounts.services)
    "retention": _("Retention review"),
    "retention_years": _("Years a closed case is kept"),
    # how the organisation labels cases (accounts.services.set_show_case_code_only)
    "case_code_only": _("Cases labelled by their code only"),
    "case_names_shown": _("Cases labelled with the survivor's name"),
    # a packet that did not open
    "withdrawn": pgettext_lazy("referral state", "Withdrawn"),
    "shredded": _("Shredded"),
    "unreadable": _("Cannot be opened"),
    "not_sent": _("Not sent yet"),
    # the auditor's own searches
    "denied": _("Denied requests"),
    "emergency_grants": _("Emergency access"),
    "emergency_grant": _("Emergency access"),
    # accounts
    "new_phone": _("New phone"),
    "recovery_codes": _("Recovery codes"),
    sessions.IDLE: _("Inactivity"),
    sessions.ABSOLUTE: _("Time limit"),
}

# Vocabularies whose codes are written as purposes, the more specific first.
PURPOSE_VOCABULARIES = (
    cv.ClosureReason, cv.ReopenReason, cv.ShredReason, cv.ConsentWithdrawalReason,
    cv.ConsentPurpose, rv.DeclineReason, rv.WithdrawReason, rv.CompletionOutcome,
    rv.ReviewFinding, rv.State, GrantFinding, Role, InvitationKind, cv.ServiceType,
    cv.RetentionKeepReason,
)


@cache
def _known() -> dict[str, object]:
    known: dict[str, object] = {}
    for vocabulary in reversed(PURPOSE_VOCABULARIES):
        known.update(vocabulary.choices)
    known.update(WRITTEN_PURPOSES)
    return known


def purpose_label(code: str) -> str:
    """The purpose's name in the reader's language; "" for none; unknown, as stored."""
    return label(code, _known())
