"""Every write of the referrals app: the directory, drafts, and the workflow's steps.

Each function is one transaction with a keyword-only ``actor``; workflow steps go
through ``referrals.workflow.transition`` (row lock, referral event, audit event, mails
on commit). Rules kept here and nowhere else:

- a referral needs live consent for the referral purpose that names its provider or its
  service type, and that allows every item ticked to share (DESIGN §6);
- a child's case goes only to a provider that accepts children (DOMAIN.md, minors);
- a shelter with no free places needs the caseworker's confirmation;
- sharing beyond the service type's minimum needs a recorded risk-to-life reason;
- the packet is sealed at approval or emergency send, from what was ticked, and emptied
  when the referral is withdrawn;
- withdrawing consent withdraws every open referral that relied on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as cv
from cases.models import Case, Consent, Note, ShredRequest
from cases.queries import Access, access_level
from referrals import hooks
from referrals import packet as packets
from referrals import vocabularies as rv
from referrals.models import OutgoingMail, Referral, ServiceOffering
from referrals.workflow import Step, StepRefused, transition
from vault import services as vault

if TYPE_CHECKING:
    from datetime import date

Kind = OutgoingMail.Kind
REASON_MAX_CHARS = 4000
NOTE_MAX_CHARS = 4000


# --- the service directory ------------------------------------------------------------


def _own_directory_admin(actor: User, offering: ServiceOffering | None) -> None:
    if not (actor.is_authenticated and actor.has_role(Role.ORG_ADMIN)):
        raise PermissionDenied
    if offering is not None and offering.organization_id != actor.organization_id:
        raise PermissionDenied


DIRECTORY_FIELDS = (
    "service_type", "name", "description", "city", "region", "languages",
    "accepts_children", "genders_served", "hours", "total_places", "active",
)


@transaction.atomic
def save_offering(
    *, actor: User, offering: ServiceOffering | None = None, address: str = "", **values
) -> ServiceOffering:
    """Create or change one of the org admin's own organisation's services."""
    _own_directory_admin(actor, offering)
    if offering is not None:
        offering = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
    else:
        offering = ServiceOffering(organization=actor.organization)
    unknown = set(values) - set(DIRECTORY_FIELDS)
    if unknown:
        raise TypeError(f"unknown directory fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(offering, name, value)
    errors = {}
    if offering.service_type not in cv.ServiceType.values:
        errors["service_type"] = _("Choose a service type from the list.")
    if not (offering.name or "").strip():
        errors["name"] = _("Give the service a name.")
    if not (offering.city or "").strip():
        errors["city"] = _("Say in which city the service is.")
    if set(offering.languages or []) - set(cv.Language.values):
        errors["languages"] = _("Choose languages from the list.")
    if set(offering.genders_served or []) - set(cv.Gender.values):
        errors["genders_served"] = _("Choose genders from the list.")
    if (
        offering.total_places is not None
        and offering.free_places is not None
        and offering.free_places > offering.total_places
    ):
        errors["total_places"] = _("There cannot be fewer places in all than free places.")
    if errors:
        raise ValidationError(errors)
    vault.seal(offering, address=address.strip() or None)
    offering.save()
    record_event(action=Action.SERVICE_SAVED, actor=actor, target=offering)
    return offering


@transaction.atomic
def update_free_places(*, actor: User, offering: ServiceOffering, free_places: int) -> None:
    """The provider's own staff (org admin or partner) keep the free places current."""
    if not (
        actor.is_authenticated
        and actor.has_role(Role.ORG_ADMIN, Role.PARTNER)
        and actor.organization_id == offering.organization_id
    ):
        raise PermissionDenied
    offering = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
    if free_places is None or free_places < 0:
        raise ValidationError({"free_places": _("Free places cannot be negative.")})
    if offering.total_places is not None and free_places > offering.total_places:
        raise ValidationError(
            {"free_places": _("There are only %(total)d places in all.")
             % {"total": offering.total_places}}
        )
    offering.free_places = free_places
    offering.places_updated_at = timezone.now()
    offering.save(update_fields=["free_places", "places_updated_at", "updated_at"])
    record_event(action=Action.PLACES_UPDATED, actor=actor, target=offering)


# --- drafts ---------------------------------------------------------------------------


def _clean_text(value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(_("Keep it under %(limit)d characters.") % {"limit": limit})
    return value


def _check_offering_for_case(offering: ServiceOffering, case: Case) -> None:
    if not offering.active:
        raise ValidationError(
            {"offering": _("This service is not taking referrals at the moment.")}
        )
    if case.is_child and not offering.accepts_children:
        raise ValidationError(
            {"offering": _("She may be a child: refer her only to a service that accepts "
                           "children.")}
        )


def _check_items(
    offering: ServiceOffering, case: Case, items: Iterable[str], note_ids: Iterable[str],
    beyond_minimum_reason: str,
) -> tuple[list[str], list[str]]:
    items = list(dict.fromkeys(str(item) for item in items))
    if set(items) - set(rv.PacketItem.values):
        raise ValidationError({"items": _("Choose what to share from the list.")})
    note_ids = [str(note_id) for note_id in note_ids or []]
    if note_ids and rv.PacketItem.NOTES not in items:
        items.append(rv.PacketItem.NOTES.value)
    if rv.PacketItem.NOTES in items:
        found = set(
            str(pk) for pk in Note.objects.filter(case=case, pk__in=note_ids).values_list(
                "pk", flat=True
            )
        ) if note_ids else set()
        if not note_ids or found != set(note_ids):
            raise ValidationError({"note_ids": _("Choose the notes to share from this case.")})
    beyond = set(items) - set(rv.minimum_necessary(offering.service_type))
    if beyond and not beyond_minimum_reason:
        labels = ", ".join(str(rv.PacketItem(item).label) for item in items if item in beyond)
        raise ValidationError(
            {"beyond_minimum_reason": _(
                "You chose to share more than this service needs (%(items)s). That is "
                "allowed only for a risk to her life: say why."
            ) % {"items": labels}}
        )
    ordered = [item for item in rv.PacketItem.values if item in items]
    return ordered, note_ids


def _locked_case(actor: User, case: Case) -> Case:
    case = Case.objects.select_for_update().select_related("survivor").get(pk=case.pk)
    if access_level(actor, case) < Access.WORK:
        raise PermissionDenied
    if case.survivor.is_shredded:
        raise ValidationError(_("Her data has been shredded: nothing more can be recorded."))
    return case


@transaction.atomic
def create_referral(
    *,
    actor: User,
    case: Case,
    offering: ServiceOffering,
    urgency: str,
    reason: str,
    items: Iterable[str],
    note_ids: Iterable[str] = (),
    beyond_minimum_reason: str = "",
) -> Referral:
    """A draft referral of the case to one service; nothing leaves Amparo yet."""
    case = _locked_case(actor, case)
    if case.is_closed:
        raise ValidationError(_("This case is closed: reopen it before referring her."))
    if urgency not in rv.Urgency.values:
        raise ValidationError({"urgency": _("Choose how urgent the referral is.")})
    reason = _clean_text(reason, REASON_MAX_CHARS)
    if not reason:
        raise ValidationError({"reason": _("Say why she is referred and what she needs.")})
    beyond_minimum_reason = _clean_text(beyond_minimum_reason, REASON_MAX_CHARS)
    offering = ServiceOffering.objects.get(pk=offering.pk)
    _check_offering_for_case(offering, case)
    items, note_ids = _check_items(offering, case, items, note_ids, beyond_minimum_reason)
    referral = Referral(
        case=case, survivor=case.survivor, offering=offering,
        provider_id=offering.organization_id, urgency=urgency, items=items,
        note_ids=note_ids, created_by=actor,
    )
    vault.seal(referral, reason=reason, beyond_minimum_reason=beyond_minimum_reason or None)
    referral.save()
    record_event(action=Action.REFERRAL_CREATED, actor=actor, target=referral,
                 case_code=case.code)
    return referral


@transaction.atomic
def update_draft(
    *,
    actor: User,
    referral: Referral,
    urgency: str,
    reason: str,
    items: Iterable[str],
    note_ids: Iterable[str] = (),
    beyond_minimum_reason: str = "",
) -> Referral:
    """Change a draft (new, or returned by the supervisor) before it is submitted again."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related(
        "case", "offering"
    ).get(pk=referral.pk)
    case = _locked_case(actor, referral.case)
    if referral.state != rv.State.DRAFT:
        raise ValidationError(_("Only a draft can be changed. Nothing was changed."))
    if urgency not in rv.Urgency.values:
        raise ValidationError({"urgency": _("Choose how urgent the referral is.")})
    reason = _clean_text(reason, REASON_MAX_CHARS)
    if not reason:
        raise ValidationError({"reason": _("Say why she is referred and what she needs.")})
    beyond_minimum_reason = _clean_text(beyond_minimum_reason, REASON_MAX_CHARS)
    items, note_ids = _check_items(
        referral.offering, case, items, note_ids, beyond_minimum_reason
    )
    referral.urgency, referral.items, referral.note_ids = urgency, items, note_ids
    vault.seal(referral, reason=reason, beyond_minimum_reason=beyond_minimum_reason or None)
    referral.save()
    record_event(action=Action.REFERRAL_UPDATED, actor=actor, target=referral,
                 case_code=case.code)
    return referral


# --- the consent gate -----------------------------------------------------------------


def covering_consents(referral: Referral, on: date | None = None) -> list[Consent]:
    """Live referral consents of the case naming the provider or the service type."""
    consents = Consent.objects.filter(
        case_id=referral.case_id,
        purpose=cv.ConsentPurpose.REFERRAL,
        given=True,
        withdrawn_at__isnull=True,
    ).filter(
        Q(recipient_organization_id=referral.provider_id)
        | Q(recipient_service_type=referral.offering.service_type)
    )
    return [consent for consent in consents if consent.is_live(on)]


def _consent_for(referral: Referral) -> Consent:
    consents = covering_consents(referral)
    if not consents:
        raise ValidationError(
            _("There is no live consent from her for a referral to this provider or this "
              "kind of service. Record her consent first."),
            code="consent",
        )
    needed = {str(rv.ITEM_SCOPE[rv.PacketItem(item)]) for item in referral.items}
    for consent in consents:
        if needed <= set(consent.scope or []):
            return consent
    allowed = set().union(*(set(consent.scope or []) for consent in consents))
    outside = [
        str(rv.PacketItem(item).label) for item in referral.items
        if str(rv.ITEM_SCOPE[rv.PacketItem(item)]) not in allowed
    ] or [str(rv.PacketItem(item).label) for item in referral.items]
    raise ValidationError(
        _("Her consent does not allow sharing: %(items)s. Untick them or record her "
          "consent for them.") % {"items": ", ".join(outside)},
        code="consent_scope",
    )


def _check_sendable(referral: Referral, confirm_without_places: bool) -> None:
    """The checks of submit and emergency send, on the locked referral."""
    _check_offering_for_case(referral.offering, referral.case)
    if referral.case.survivor.is_shredded:
        raise ValidationError(_("Her data has been shredded: nothing more can be recorded."))
    referral.consent = _consent_for(referral)
    if referral.offering.is_full and not confirm_without_places:
        raise ValidationError(
            _("This shelter has no free places. Confirm that you want to refer her anyway."),
            code="no_places",
        )
    referral.confirmed_without_places = bool(referral.offering.is_full)


def _supervisors(referral: Referral, *, besides: User | None = None) -> list[User]:
    people = referral.case.team.supervisors.filter(is_active=True)
    if besides is not None:
        people = people.exclude(pk=besides.pk)
    return list(people)


def _partners(referral: Referral) -> list[User]:
    return list(
        User.objects.filter(
            organization_id=referral.provider_id, role=Role.PARTNER, is_active=True
        )
    )


def _case_people(referral: Referral) -> list[User]:
    people = [referral.case.owner, referral.submitted_by, referral.created_by]
    return [person for person in people if person is not None]


def _send(referral: Referral, actor: User) -> None:
    now = timezone.now()
    packets.seal(referral, actor=actor)
    referral.sent_at = now
    referral.due_at = now + rv.RESPONSE_TIME[rv.Urgency(referral.urgency)]


# --- the workflow's steps -------------------------------------------------------------


def submit_referral(
    *, actor: User, referral: Referral, confirm_without_places: bool = False,
    seen_state: str | None = None,
) -> Referral:
    """Ask a supervisor of the team to approve the referral."""

    def apply(locked: Referral) -> None:
        _check_sendable(locked, confirm_without_places)
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()

    return transition(
        referral, Step.SUBMIT, actor=actor, seen_state=seen_state, apply=apply,
        notify=lambda locked, _from: [(Kind.TO_APPROVE, _supervisors(locked, besides=actor))],
    )


def approve_referral(
    *, actor: User, referral: Referral, seen_state: str | None = None
) -> Referral:
    """Approve and send: the packet is sealed now, from what was ticked."""

    def apply(locked: Referral) -> None:
        # Consent may have been withdrawn or expired since submission: check again.
        locked.consent = _consent_for(locked)
        _check_offering_for_case(locked.offering, locked.case)
        locked.approved_by = actor
        _send(locked, actor)

    return transition(
        referral, Step.APPROVE, actor=actor, seen_state=seen_state, apply=apply,
        notify=lambda locked, _from: [(Kind.TO_ANSWER, _partners(locked))],
    )


def return_referral(
    *, actor: User, referral: Referral, note: str, seen_state: str | None = None
) -> Referral:
    """Send the referral back to the caseworker as a draft, saying what to change."""
    note = _clean_text(note, NOTE_MAX_CHARS)
    if not note:
        raise ValidationError({"note": _("Say what the caseworker should change.")})

    def apply(locked: Referral) -> None:
        vault.seal(locked, return_note=note)

    return transition(
        referral, Step.RETURN, actor=actor, seen_state=seen_state, apply=apply,
        notify=lambda locked, _from: [(Kind.RETURNED, [locked.submitted_by])],
    )


def send_emergency(
    *, actor: User, referral: Referral, reason: str, confirm_without_places: bool = False,
    seen_state: str | None = None,
) -> Referral:
    """Send at once, without approval, when it cannot wait; a supervisor reviews it later."""
    reason = _clean_text(reason, NOTE_MAX_CHARS)
    if not reason:
        raise ValidationError({"reason": _("Say why this cannot wait for approval.")})

    def apply(locked: Referral) -> None:
        _check_sendable(locked, confirm_without_places)
        locked.emergency = True
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        vault.seal(locked, emergency_reason=reason)
        _send(locked, actor)

    return transition(
        referral, Step.SEND_EMERGENCY, actor=actor, seen_state=seen_state, apply=apply,
        notify=lambda locked, _from: [
            (Kind.TO_REVIEW, _supervisors(locked, besides=actor)),
            (Kind.TO_ANSWER, _partners(locked)),
        ],
    )


@transaction.atomic
def review_emergency_send(*, actor: User, referral: Referral, finding: str, note: str) -> Referral:
    """A supervisor of the team looks back at an emergency send: fine, or a concern."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related(
        "case", "case__team"
    ).get(pk=referral.pk)
    if access_level(actor, referral.case) < Access.SUPERVISE:
        raise StepRefused(_("Only a supervisor of the case's team can review an emergency "
                            "referral."))
    if referral.submitted_by_id == actor.pk:
        raise StepRefused(_("You sent this referral: another supervisor of the team must "
                            "review it."))
    if not referral.emergency or referral.sent_at is None:
        raise ValidationError(_("Only emergency referrals are reviewed this way."))
    if referral.review_finding:
        raise ValidationError(_("This emergency referral was already reviewed. Nothing was "
                                "changed."))
    if finding not in rv.ReviewFinding.values:
        raise ValidationError({"finding": _("Choose what you found.")})
    note = _clean_text(note, NOTE_MAX_CHARS)
    if finding == rv.ReviewFinding.CONCERN and not note:
        raise ValidationError({"note": _("Say what the concern is.")})
    referral.review_finding = finding
    referral.reviewed_by = actor
    referral.reviewed_at = timezone.now()
    vault.seal(referral, review_note=note or None)
    referral.save()
    record_event(action=Action.REFERRAL_REVIEWED, actor=actor, target=referral,
                 case_code=referral.case.code, purpose=finding)
    return referral


def accept_referral(
    *, actor: User, referral: Referral, seen_state: str | None = None
) -> Referral:
    """The provider takes her on."""

    def apply(locked: Referral) -> None:
        locked.answered_at = timezone.now()
        locked.answered_by = actor

    return transition(
        referral, Step.ACCEPT, actor=actor, seen_state=seen_state, apply=apply,
        notify=lambda locked, _from: [(Kind.ANSWERED, _case_people(locked))],
    )


def decline_referral(
    *, actor: User, referral: Referral, reason: str, note: str = "",
    seen_state: str | None = None,
) -> Referral:
    """The provider cannot take her on, saying why (a reason from the list, and a note)."""
    if reason not in rv.DeclineReason.values:
        raise ValidationError({"reason": _("Choose why the referral is declined.")})
    note = _clean_text(note, NOTE_MAX_CHARS)
    if not note:
        raise ValidationError({"note": _("Add a note for the caseworker.")})

    def apply(locked: Referral) -> None:
        locked.answered_at = timezone.now()
        locked.answered_by = actor
        locked.decline_reason = reason
        vault.seal(locked, decline_note=note)
        # Declined: the provider will not serve her, so it has no reason to read her.
        packets.end(locked, rv.PacketEnd.DECLINED)

    return transition(
        referral, Step.DECLINE, actor=actor, seen_state=seen_state, reason=reason, apply=apply,
        notify=lambda locked, _from: [(Kind.ANSWERED, _case_people(locked))],
    )


def complete_referral(
    *, actor: User, referral: Referral, outcome: str, note: str = "",
    seen_state: str | None = None,
) -> Referral:
    """The service was given (or could not be): the referral ends with an outcome."""
    if outcome not in rv.CompletionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    note = _clean_text(note, NOTE_MAX_CHARS)

    def apply(locked: Referral) -> None:
        locked.outcome = outcome
        locked.completed_at = timezone.now()
        locked.completed_by = actor
        vault.seal(locked, outcome_note=note or None)

    def notify(locked: Referral, _from: str) -> list:
        if actor.role == Role.PARTNER:
            return [(Kind.COMPLETED, _case_people(locked))]
        return []

    # One transaction for the step and what the hook's receivers record (the assistance
    # entry of plans): a completion never happens without them, nor they without it.
    with transaction.atomic():
        completed = transition(referral, Step.COMPLETE, actor=actor, seen_state=seen_state,
                               reason=outcome, apply=apply, notify=notify)
        hooks.REFERRAL_COMPLETED.call(referral=completed, actor=actor)
    return completed


def withdraw_referral(
    *, actor: User, referral: Referral, reason: str, note: str = "",
    seen_state: str | None = None, erasure: ShredRequest | None = None,
) -> Referral:
    """Stop the referral before it is completed; the provider's packet closes for good."""
    if reason not in {value for value, _label in rv.CHOSEN_WITHDRAW_REASONS} and not (
        erasure is not None and reason == rv.WithdrawReason.DATA_ERASED
    ):
        raise ValidationError({"reason": _("Choose why the referral is withdrawn.")})
    note = _clean_text(note, NOTE_MAX_CHARS)

    def apply(locked: Referral) -> None:
        locked.withdraw_reason = reason
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.packet = None
        vault.seal(locked, withdraw_note=note or None)

    def notify(locked: Referral, from_state: str) -> list:
        if from_state in (rv.State.SENT, rv.State.ACCEPTED):
            return [(Kind.WITHDRAWN, _partners(locked))]
        return []

    return transition(referral, Step.WITHDRAW, actor=actor, seen_state=seen_state,
                      erasure=erasure, reason=reason, apply=apply, notify=notify)


def withdraw_referrals_covered_by(consent: Consent, *, actor: User) -> list[Referral]:
    """Withdrawing a consent withdraws every open referral that relied on it (DESIGN §6).

    A receiver of ``cases.hooks.CONSENT_WITHDRAWN``: runs inside ``withdraw_consent``'s
    transaction.
    """
    covered = Referral.objects.filter(consent=consent, state__in=rv.OPEN_STATES)
    withdrawn = [
        withdraw_referral(actor=actor, referral=referral,
                          reason=rv.WithdrawReason.CONSENT_WITHDRAWN)
        for referral in covered
    ]
    # Whatever the referral's state (declined, completed), what she agreed to share under
    # this consent is no longer readable by the provider.
    for referral in Referral.objects.filter(consent=consent, packet__isnull=False):
        _end_packet(referral.pk, rv.PacketEnd.CONSENT_WITHDRAWN, actor=actor)
    return withdrawn


def _end_packet(referral_id, why: str, *, actor: User | None) -> bool:
    # Locked: the expiry job and a consent withdrawal may end the same packet at once.
    locked = (
        Referral.objects.select_for_update(of=("self",)).select_related("case")
        .filter(pk=referral_id, packet__isnull=False).first()
    )
    if locked is None:
        return False
    packets.end(locked, why)
    locked.save(update_fields=["packet", "packet_ended_at", "packet_end", "updated_at"])
    record_event(action=Action.PACKET_CLOSED, actor=actor, target=locked,
                 case_code=locked.case.code, purpose=why)
    return True


def packet_days_after_completion() -> int:
    return int(settings.AMPARO_PACKET_DAYS_AFTER_COMPLETION)


def expire_completed_packets(*, now: datetime | None = None) -> int:
    """Empty the packets of referrals completed more than the configured days ago.

    Run by the worker's periodic jobs and by ``manage.py expire_packets``; each packet in
    its own transaction with its event, so a failure halfway loses nothing done before.
    Returns how many packets ended.
    """
    cutoff = (now or timezone.now()) - timedelta(days=packet_days_after_completion())
    due = Referral.objects.filter(
        state=rv.State.COMPLETED, completed_at__lte=cutoff, packet__isnull=False
    ).values_list("pk", flat=True)
    ended = 0
    for referral_id in list(due):
        with transaction.atomic():
            ended += _end_packet(referral_id, rv.PacketEnd.EXPIRED, actor=None)
    return ended


# A provider holds these: closing the case would leave her waiting, or working alone.
LIVE_AT_CLOSURE = (rv.State.SENT, rv.State.ACCEPTED)


def refuse_closure_with_live_referrals(*, case: Case, actor: User, confirmed: bool) -> None:
    """Closing a case whose referrals a provider still holds needs a confirmation.

    A receiver of ``cases.hooks.CASE_CLOSING``: runs inside ``close_case``'s transaction,
    before the case changes. Names the providers (organisations, never her data).
    """
    if confirmed:
        return
    live = list(
        Referral.objects.filter(case_id=case.pk, state__in=LIVE_AT_CLOSURE)
        .select_related("provider")
        .order_by("created_at")
    )
    if not live:
        return
    providers = ", ".join(sorted({referral.provider.name for referral in live}))
    raise ValidationError({"confirm_open_work": ngettext(
        "%(count)s referral of this case is still sent or accepted (%(providers)s): the "
        "provider may still be working with her. Withdraw or complete it first, or confirm "
        "that the case closes anyway.",
        "%(count)s referrals of this case are still sent or accepted (%(providers)s): the "
        "providers may still be working with her. Withdraw or complete them first, or "
        "confirm that the case closes anyway.",
        len(live),
    ) % {"count": len(live), "providers": providers}})


def withdraw_referrals_of_shredded_survivor(
    shred_request: ShredRequest, *, actor: User
) -> list[Referral]:
    """Shredding her data withdraws every open referral of hers (of any of her cases), so
    that no provider waits on, or keeps in its inbox as live, someone who is gone from
    Amparo; providers that had the packet are told to destroy any paper copy.

    A receiver of ``cases.hooks.SHREDDING_CONFIRMED``: runs inside ``confirm_shredding``'s
    transaction, before her key is destroyed.
    """
    open_referrals = Referral.objects.filter(
        survivor_id=shred_request.survivor_id, state__in=rv.OPEN_STATES
    )
    return [
        withdraw_referral(actor=actor, referral=referral, erasure=shred_request,
                          reason=rv.WithdrawReason.DATA_ERASED)
        for referral in open_referrals
    ]
