"""Consent: given or refused per purpose and recipient, and withdrawn for good (DESIGN §6).

- a child's consent is given by a guardian with her assent, an adult's by herself;
- withdrawing consent is final, and what relied on it stops in the same transaction
  (``cases.hooks.CONSENT_WITHDRAWN``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from audit.models import Action
from audit.services import record_event
from cases import hooks
from cases import vocabularies as v
from cases.models import Case, Consent
from cases.services.access import locked_case_for_work

PURPOSES_WITH_RECIPIENT = (v.ConsentPurpose.REFERRAL, v.ConsentPurpose.AUTHORITIES)


def allowed_givers(case: Case) -> tuple[str, ...]:
    """Who may give consent in this case: a guardian with a child's assent, or herself."""
    if case.is_child:
        return (v.ConsentGivenBy.GUARDIAN_WITH_ASSENT,)
    return (v.ConsentGivenBy.SURVIVOR,)


@transaction.atomic
def record_consent(
    *,
    actor: User,
    case: Case,
    purpose: str,
    given: bool,
    method: str,
    given_by: str,
    recipient_organization: Organization | None = None,
    recipient_service_type: str = "",
    scope: list[str] | None = None,
    interpreter_language: str = "",
    expires_on: date | None = None,
) -> Consent:
    """Record consent given or refused for one purpose and recipient (DESIGN §6)."""
    case = locked_case_for_work(actor, case)
    scope = list(scope or [])
    errors: dict[str, str] = {}
    if purpose not in v.ConsentPurpose.values:
        errors["purpose"] = _("Choose what the consent is for.")
    has_recipient = bool(recipient_organization or recipient_service_type)
    if purpose in PURPOSES_WITH_RECIPIENT and not has_recipient:
        errors["recipient_organization"] = _(
            "Consent to a referral or to sharing with authorities names who receives it: "
            "choose an organisation or a type of service."
        )
    if recipient_service_type and recipient_service_type not in v.ConsentRecipientType.values:
        errors["recipient_service_type"] = _("Choose a type of service from the list.")
    if set(scope) - set(v.ConsentScope.values):
        errors["scope"] = _("Choose what may be shared from the list.")
    elif given and purpose in PURPOSES_WITH_RECIPIENT and not scope:
        errors["scope"] = _("Tick what she agrees may be shared.")
    if method not in v.ConsentMethod.values:
        errors["method"] = _("Say how she gave or refused consent.")
    if given_by not in allowed_givers(case):
        errors["given_by"] = (
            _("She may be a child: consent is given by a guardian, with her assent.")
            if case.is_child
            else _("She is an adult: only she can give or refuse consent.")
        )
    if interpreter_language and interpreter_language not in v.Language.values:
        errors["interpreter_language"] = _("Choose a language from the list.")
    if given and expires_on is not None and expires_on < timezone.localdate():
        errors["expires_on"] = _("The expiry date has already passed.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        survivor_id=case.survivor_id,
        case=case,
        purpose=purpose,
        recipient_organization=recipient_organization,
        recipient_service_type=recipient_service_type,
        scope=[s for s in v.ConsentScope.values if s in scope],
        given=given,
        method=method,
        given_by=given_by,
        interpreter_language=interpreter_language,
        expires_on=expires_on if given else None,
        recorded_by=actor,
    )
    consent.save()
    record_event(action=Action.CONSENT_RECORDED, actor=actor, target=consent, case_code=case.code)
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, case: Case, consent: Consent, reason: str) -> Consent:
    """Withdraw a consent for good, with a reason from the list. It cannot be undone.

    Whatever relied on the consent must stop: see ``cases.hooks.CONSENT_WITHDRAWN``.
    """
    case = locked_case_for_work(actor, case)
    # Locked so that two withdrawals at once record one reason, not the last one to write.
    consent = Consent.objects.select_for_update().get(pk=consent.pk, case=case)
    if reason not in v.CHOSEN_WITHDRAWAL_REASONS:
        raise ValidationError({"reason": _("Choose why the consent is withdrawn.")})
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if not consent.given:
        raise ValidationError(_("She refused this consent: there is nothing to withdraw."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_reason = reason
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record_event(action=Action.CONSENT_WITHDRAWN, actor=actor, target=consent, case_code=case.code)
    # What relied on it stops, in this transaction, with the consent row locked and
    # already withdrawn: the withdrawal and its consequences commit together or not at all.
    hooks.CONSENT_WITHDRAWN.call(consent=consent, actor=actor)
    return consent
