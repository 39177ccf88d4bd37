"""Working a case: notes, attachments, follow-ups, risk and safety, consent, linked cases.

Every function here is one write (or, for downloads, one recorded read): atomic, with a
keyword-only ``actor``, checking access itself, and recording its audit event in the
same transaction. Views fetch the case through ``cases.queries.get_case_for_user`` first;
the check here is the server's own, so that a caller that forgets cannot write.

Rules kept here and nowhere else:

- nothing more is recorded once her data has been shredded (it could not be sealed);
- attachments are typed by their content, never by their name or the browser's word;
- a child's consent is given by a guardian with her assent, an adult's by herself;
- withdrawing consent is final.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as v
from cases.models import (
    Attachment,
    Case,
    CaseLink,
    CaseUserObjectPermission,
    Consent,
    EmergencyGrant,
    FollowUp,
    LinkGroup,
    Note,
    RiskAssessment,
)
from cases.queries import Access, access_level, visible_cases
from vault import files as vault_files
from vault import services as vault
from vault.exceptions import CannotOpen, FileTooLarge

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

NOTE_MAX_CHARS = 20_000


def SHREDDED_MESSAGE() -> str:
    return _("Her data was shredded: nothing more can be recorded in this case.")
LABEL_MAX_CHARS = 120


# --- access ---------------------------------------------------------------------------


def _locked_case_for_work(actor: User, case: Case, needed: Access = Access.WORK) -> Case:
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


def people_who_can_work(case: Case) -> QuerySet[User]:
    """Active colleagues with WORK access to the case: follow-ups may be assigned to them.

    The same rules as ``cases.queries.access_level`` at ``Access.WORK`` or above: the
    owner, the team's supervisors, colleagues with a change share, live emergency grants.
    """
    shared = CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename="change_case"
    ).values("user_id")
    granted = EmergencyGrant.objects.filter(case=case, expires_at__gt=timezone.now()).values(
        "user_id"
    )
    return (
        User.objects.filter(
            is_active=True,
            organization_id=case.organization_id,
            role__in=(Role.CASEWORKER, Role.SUPERVISOR),
        )
        .filter(
            Q(pk=case.owner_id)
            | Q(supervised_teams=case.team_id, role=Role.SUPERVISOR)
            | Q(pk__in=shared)
            | Q(pk__in=granted)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- notes ----------------------------------------------------------------------------


@transaction.atomic
def add_note(*, actor: User, case: Case, body: str) -> Note:
    case = _locked_case_for_work(actor, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note before saving it.")})
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError({"body": _("A note may be at most 20,000 characters long.")})
    note = Note(case=case, survivor_id=case.survivor_id, author=actor)
    vault.seal(note, body=body)
    note.save()
    record_event(action=Action.NOTE_ADDED, actor=actor, target=note, case_code=case.code)
    return note


# --- attachments ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first is added when a name does not fit the content

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("application/pdf", ("pdf",))
JPEG = FileType("image/jpeg", ("jpg", "jpeg"))
PNG = FileType("image/png", ("png",))
TEXT = FileType("text/plain", ("txt", "text", "csv", "md", "log"))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
ODT = FileType("application/vnd.oasis.opendocument.text", ("odt",))
ACCEPTED_TYPES = (PDF, JPEG, PNG, TEXT, DOCX, ODT)
TYPE_BY_CONTENT_TYPE = {t.content_type: t for t in ACCEPTED_TYPES}

_ZIP_MAGIC = b"PK\x03\x04"
_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def attachment_max_bytes() -> int:
    """``AMPARO_ATTACHMENT_MAX_BYTES`` (20 MB by default), never above the vault's 50 MB."""
    configured = getattr(settings, "AMPARO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
    return min(int(configured), vault_files.MAX_FILE_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def detect_file_type(source: IO[bytes]) -> FileType | None:
    """What the file *is*, from its bytes: one of ``ACCEPTED_TYPES`` or ``None``.

    The name and the browser's content type are ignored: both are whatever the sender
    chose. Office files are zip archives, so a zip is accepted only when its table of
    contents is that of a Word (.docx) or OpenDocument text (.odt) file. Plain text must
    be valid UTF-8 throughout, without control characters (which executables have).
    """
    source.seek(0)
    head = source.read(16)
    source.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(_ZIP_MAGIC):
        return _office_type(source)
    if _is_plain_text(source):
        return TEXT
    return None


def _office_type(source: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # ODF puts its type, uncompressed and tiny, in a first entry "mimetype".
                with archive.open("mimetype") as entry:
                    if entry.read(100).strip() == ODT.content_type.encode():
                        return ODT
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    finally:
        source.seek(0)
    return None


def _is_plain_text(source: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(64 * 1024):
            text = decoder.decode(chunk)
            if any(ch < " " and ch not in _TEXT_CONTROLS_ALLOWED for ch in text) or "\x7f" in text:
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        source.seek(0)
    return True


def clean_filename(name: str, file_type: FileType) -> str:
    """A safe display name that ends as its content is.

    ``informe.pdf`` holding a PNG becomes ``informe.png``, so that it opens in the right
    program once downloaded; path parts and control characters are dropped.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not (extension.isalnum() and len(extension) <= 5):
        stem, extension = name, ""  # no extension, or a suffix that is part of the name
    if extension.lower() not in file_type.extensions:
        extension = file_type.extension
    stem = stem.strip()[:150] or _("attachment")
    return f"{stem}.{extension}"


def check_upload(upload: UploadedFile) -> FileType:
    """Refuse a file that is too large or of a type not accepted; return its real type."""
    limit = attachment_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("The file is too large. Files may be at most %(size)s MB.")
             % {"size": _megabytes(limit)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    file_type = detect_file_type(upload)
    if file_type is None:
        raise ValidationError(
            {"file": _("This kind of file cannot be attached. Attach a PDF, a photo (JPEG or "
                       "PNG), a plain text file, or a Word or OpenDocument text.")}
        )
    return file_type


def add_attachment(*, actor: User, case: Case, kind: str, upload: UploadedFile) -> Attachment:
    """Seal an uploaded file into the vault's storage and list it on the case.

    Not wrapped whole in one transaction on purpose: the file is checked and sealed into
    storage first (no database lock held while a large upload is encrypted), then the row
    and its audit event are written in one transaction; if that transaction fails, the
    sealed file is removed again. A refused file never reaches storage. (If a caller's
    own outer transaction rolls back afterwards, an unreferenced sealed file remains:
    ciphertext only, unreadable once she is shredded.)
    """
    if access_level(actor, case) < Access.WORK:
        raise PermissionDenied
    if case.survivor.is_shredded:
        raise ValidationError(SHREDDED_MESSAGE())
    if kind not in v.AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what kind of document this is.")})
    file_type = check_upload(upload)
    attachment = Attachment(
        case_id=case.pk,
        survivor_id=case.survivor_id,
        kind=kind,
        content_type=file_type.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    vault.seal(attachment, filename=clean_filename(upload.name, file_type))
    upload.seek(0)
    try:
        vault.seal_file(attachment, "content", upload, max_bytes=attachment_max_bytes())
    except FileTooLarge:  # the browser's size was wrong; the vault counted the bytes
        raise ValidationError(
            {"file": _("The file is too large. Files may be at most %(size)s MB.")
             % {"size": _megabytes(attachment_max_bytes())}}
        ) from None
    try:
        with transaction.atomic():
            locked = _locked_case_for_work(actor, case)
            attachment.save()
            record_event(action=Action.ATTACHMENT_ADDED, actor=actor, target=attachment,
                         case_code=locked.code)
    except BaseException:
        _remove_stored(attachment.content)
        raise
    return attachment


def _remove_stored(name: object) -> None:
    if name:
        storages[settings.AMPARO_VAULT_STORAGE].delete(str(name))


@dataclass(frozen=True)
class Download:
    chunks: Iterator[bytes]
    filename: str
    content_type: str


def open_attachment(*, actor: User, case: Case, attachment: Attachment) -> Download:
    """Open an attachment for download and record it (``ATTACHMENT_DOWNLOADED``).

    The vault authenticates the whole file before this returns, so a tampered file
    raises ``CannotOpen`` here, before a response starts and before anything is recorded
    as downloaded (the vault records the integrity failure itself).
    """
    if access_level(actor, case) < Access.VIEW or attachment.case_id != case.pk:
        raise PermissionDenied
    filename = vault.unseal(attachment, "filename", actor=actor) or _("attachment")
    chunks = vault.open_file(attachment, "content", actor=actor)
    record_event(action=Action.ATTACHMENT_DOWNLOADED, actor=actor, target=attachment,
                 case_code=case.code)
    # Only types checked at upload are ever sent as such; anything else is plain bytes.
    content_type = attachment.content_type
    if content_type not in TYPE_BY_CONTENT_TYPE:
        content_type = "application/octet-stream"
    return Download(chunks=chunks, filename=filename, content_type=content_type)


# --- follow-ups -----------------------------------------------------------------------


@transaction.atomic
def add_follow_up(
    *, actor: User, case: Case, kind: str, due_on: date, assignee: User
) -> FollowUp:
    case = _locked_case_for_work(actor, case)
    errors = {}
    if kind not in v.FollowUpKind.values:
        errors["kind"] = _("Choose what kind of follow-up this is.")
    if due_on is None:
        errors["due_on"] = _("Give the date it is due.")
    if assignee is None or not people_who_can_work(case).filter(pk=assignee.pk).exists():
        errors["assignee"] = _("Choose someone who works on this case.")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(
        case=case, survivor_id=case.survivor_id, kind=kind, due_on=due_on, assignee=assignee,
        created_by=actor,
    )
    follow_up.save()
    record_event(action=Action.FOLLOW_UP_ADDED, actor=actor, target=follow_up, case_code=case.code)
    return follow_up


@transaction.atomic
def complete_follow_up(
    *, actor: User, case: Case, follow_up: FollowUp, outcome: str, note: str = ""
) -> FollowUp:
    case = _locked_case_for_work(actor, case)
    # Locked so that two people closing the same follow-up do not both record an outcome.
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk, case=case)
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up was already marked as done."))
    if outcome not in v.FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError({"note": _("A note may be at most 20,000 characters long.")})
    follow_up.done_at = timezone.now()
    follow_up.outcome = outcome
    vault.seal(follow_up, outcome_note=note or None)
    follow_up.save(update_fields=["done_at", "outcome", "outcome_note"])
    record_event(action=Action.FOLLOW_UP_DONE, actor=actor, target=follow_up, case_code=case.code)
    return follow_up


# --- risk and safety ------------------------------------------------------------------


@transaction.atomic
def record_risk_assessment(
    *,
    actor: User,
    case: Case,
    assessed_on: date,
    level: str,
    factors: list[str],
    notes: str = "",
    next_review_on: date | None = None,
) -> RiskAssessment:
    """Record a dated assessment; the case then shows the level of the latest one.

    "Latest" is by assessment date, so an assessment written up late for an earlier day
    does not replace a newer one.
    """
    case = _locked_case_for_work(actor, case)
    errors = {}
    today = timezone.localdate()
    if assessed_on is None or assessed_on > today:
        errors["assessed_on"] = _("The assessment date cannot be in the future.")
    if level not in v.RiskLevel.values:
        errors["level"] = _("Choose a risk level.")
    unknown = set(factors) - set(v.RiskFactor.values)
    if unknown:
        errors["factors"] = _("Choose risk factors from the list.")
    if next_review_on is not None and assessed_on is not None and next_review_on < assessed_on:
        errors["next_review_on"] = _("The next review cannot be before the assessment.")
    if errors:
        raise ValidationError(errors)
    assessment = RiskAssessment(
        case=case, survivor_id=case.survivor_id, assessed_on=assessed_on, level=level,
        factors=[f for f in v.RiskFactor.values if f in factors], next_review_on=next_review_on,
        assessed_by=actor,
    )
    vault.seal(assessment, notes=(notes or "").strip() or None)
    assessment.save()
    latest = case.risk_assessments.order_by("-assessed_on", "-recorded_at").first()
    case.risk_level = latest.level
    case.next_risk_review_on = latest.next_review_on
    case.save(update_fields=["risk_level", "next_risk_review_on", "updated_at"])
    record_event(action=Action.RISK_ASSESSED, actor=actor, target=assessment, case_code=case.code)
    return assessment


@transaction.atomic
def update_safety_plan(*, actor: User, case: Case, plan: str) -> Case:
    case = _locked_case_for_work(actor, case)
    plan = (plan or "").strip()
    if len(plan) > NOTE_MAX_CHARS:
        raise ValidationError({"plan": _("The safety plan may be at most 20,000 characters long.")})
    vault.seal(case, safety_plan=plan or None)
    case.save(update_fields=["safety_plan", "updated_at"])
    record_event(action=Action.SAFETY_PLAN_UPDATED, actor=actor, target=case, case_code=case.code)
    return case


# --- consent --------------------------------------------------------------------------

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
    case = _locked_case_for_work(actor, case)
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
    if recipient_service_type and recipient_service_type not in v.ServiceType.values:
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

    Whatever relied on the consent must stop: see ``_withdraw_what_relied_on``.
    """
    case = _locked_case_for_work(actor, case)
    # Locked so that two withdrawals at once record one reason, not the last one to write.
    consent = Consent.objects.select_for_update().get(pk=consent.pk, case=case)
    if reason not in v.ConsentWithdrawalReason.values:
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
    _withdraw_what_relied_on(consent, actor=actor)
    return consent


def _withdraw_what_relied_on(consent: Consent, *, actor: User) -> None:
    """DESIGN §6: withdrawing consent withdraws the referrals it covered.

    Called inside ``withdraw_consent``'s transaction, with the consent row locked and
    already withdrawn: a plain call, not a signal, so that the withdrawal and its
    consequences commit together or not at all.
    """
    from referrals.services import withdraw_referrals_covered_by

    withdraw_referrals_covered_by(consent, actor=actor)


# --- linked cases ---------------------------------------------------------------------


def joinable_link_groups(*, actor: User, case: Case) -> QuerySet[LinkGroup]:
    """Groups of the case's organisation that hold a case the actor can see, and not this one."""
    return (
        LinkGroup.objects.filter(
            organization_id=case.organization_id, cases__in=visible_cases(actor)
        )
        .exclude(cases=case)
        .distinct()
        .order_by("-created_at")
    )


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
    case = _locked_case_for_work(actor, case)
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
    case = _locked_case_for_work(actor, case)
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
