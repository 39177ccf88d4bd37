"""Intake: the first meeting, then each section of her record, saved as she goes.

Every case is reached through ``cases.queries``. A GET of a section is a look at her
record (one CASE_VIEWED event, from the getter); a valid POST is one write (one
CASE_UPDATED event, from the service). A POST that does not validate shows her record
again, so it records the look instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from audit.denials import deny_unseen
from audit.models import Action, Outcome
from audit.services import record_event
from cases.forms.intake import (
    DocumentFormSet,
    IdentityForm,
    IntakeForm,
    NeedsForm,
    ProfileForm,
    RouteFormSet,
    SafeContactForm,
)
from cases.queries import CASE_ROLES, Access, get_case_for_user
from cases.sections import section_url
from cases.services import intake as services
from cases.summary import case_summary
from core.opened import as_date, as_int, as_json_object
from vault import services as vault
from vault.exceptions import CannotOpen

if TYPE_CHECKING:
    from cases.models import Case

# Everything she says is sensitive: keep it out of Django's error reports.
SENSITIVE = sensitive_post_parameters()


# --- the first meeting ---------------------------------------------------------------


@login_required
@SENSITIVE
def intake_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_role(*CASE_ROLES):
        record_event(action=Action.CASE_REGISTERED, actor=user, outcome=Outcome.DENIED)
        raise PermissionDenied
    form = IntakeForm(request.POST or None, actor=user)
    duplicates = None
    # A case exists only after a second, deliberate step: the first submission (or an
    # Enter in any field, which presses the form's first button) only checks for an
    # existing record and shows the answer; "confirm" comes from the button that answer
    # offers, and the check runs again with it, on what was sent then.
    confirmed = request.POST.get("confirm") == "on"
    checked = False
    if request.method == "POST" and form.is_valid():
        identity = form.identity()
        birth_year = identity.birth_date.year if identity.birth_date else None
        documents = form.documents()
        try:
            report = services.find_possible_duplicates(
                actor=user,
                full_name=identity.full_name,
                birth_year=birth_year,
                document_number=documents[0]["number"] if documents else "",
                record=False,
            )
        except services.TooManyDuplicateChecks as error:
            # Refused and recorded by the service: nothing checked, nothing registered.
            _show_service_errors(form, error)
        else:
            if report.found and not form.cleaned_data["register_anyway"]:
                services.record_duplicate_warning(actor=user)
                duplicates = report
            elif not report.found and not confirmed:
                checked = True
            else:
                try:
                    case = services.register_intake(
                        actor=user,
                        team=form.cleaned_data["team"],
                        identity=identity,
                        guardian=form.guardian(),
                        documents=documents,
                    )
                except ValidationError as error:
                    _show_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("Case %(code)s registered. Fill in the other sections as she is "
                          "ready.") % {"code": case.code},
                    )
                    return redirect(reverse("cases:case_detail", args=[case.pk]))
    context = {
        "form": form,
        "duplicates": duplicates,
        "duplicate_links": _duplicate_links(duplicates),
        "checked": checked,
        "focus_on_load": checked or duplicates is not None,
    }
    return render(request, "cases/intake/start.html", context)


def _duplicate_links(report: services.DuplicateReport | None) -> list[tuple[str, str]]:
    if report is None:
        return []
    return [
        (code, reverse("cases:case_detail", args=[pk]))
        for pk, code in zip(report.visible_ids, report.visible_codes, strict=True)
    ]


def _show_service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, errors in error.message_dict.items():
            field = "guardian_name" if key == "guardian" else key
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- sections ------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str
    purpose: str = ""  # as the section's service records it

    @property
    def event_purpose(self) -> str:
        return self.purpose or self.slug


SECTIONS = {
    section.slug: section
    for section in (
        Section(
            "identity",
            gettext_lazy("Identity"),
            gettext_lazy(
                "Who she is, as far as she wants to say. Everything may stay empty but "
                "the guardian of someone who may be a child."
            ),
        ),
        Section(
            "documents",
            gettext_lazy("Identity documents"),
            gettext_lazy(
                "Documents she has, or that someone else holds. Leave a row empty to remove it."
            ),
        ),
        Section(
            "safe-contact",
            gettext_lazy("Safe contact"),
            gettext_lazy("How we may reach her without putting her at risk. Ask her; never guess."),
            "safe_contact",
        ),
        Section(
            "profile",
            gettext_lazy("Trafficking profile"),
            gettext_lazy(
                "What happened, in the coded terms of the data standard. Fill in what is known."
            ),
        ),
        Section(
            "route",
            gettext_lazy("Route"),
            gettext_lazy(
                "Where she was recruited, where she passed through and where she was "
                "exploited. Leave a row empty to remove it."
            ),
        ),
        Section(
            "narrative",
            gettext_lazy("Needs and her account"),
            gettext_lazy(
                "What she needs now, and her account in her own words, as far as she "
                "wants to tell it."
            ),
        ),
    )
}


FORMSET_SECTIONS = ("documents", "route")

# Which section of the case page shows what an edit page saved: after a save the case
# page opens there (cases.sections.section_url).
CASE_PAGE_SECTION = {
    "identity": "identity",
    "documents": "identity",
    "safe-contact": "identity",
    "profile": "profile",
    "route": "route",
    "narrative": "needs",
}


def _open(instance: Any, name: str, actor: Any) -> str:
    return vault.unseal(instance, name, actor=actor) or ""


def _open_json(instance: Any, name: str, actor: Any) -> dict[str, Any]:
    return as_json_object(_open(instance, name, actor))


def _identity_initial(case: Case, actor: Any) -> dict[str, Any]:
    survivor = case.survivor
    birth = _open(survivor, "birth_date", actor)
    age = _open(survivor, "estimated_age", actor)
    guardian = _open_json(survivor, "guardian", actor)
    identity = services.Identity(
        given_names=_open(survivor, "given_names", actor),
        family_names=_open(survivor, "family_names", actor),
        aliases=_open(survivor, "aliases", actor),
        # Parsed defensively (core/opened.py): a stored value that is not a date or a
        # number leaves the field empty instead of answering 500 and logging the value.
        birth_date=as_date(birth),
        estimated_age=as_int(age),
        age_uncertain=case.age_uncertain,
        gender=survivor.gender,
        nationality=survivor.nationality,
        languages=list(survivor.languages or []),
    )
    known = {field.name for field in dataclasses.fields(services.Guardian)}
    guardian = {key: value for key, value in guardian.items() if key in known}
    return IdentityForm.initial_from(identity, services.Guardian(**guardian))


def _documents_initial(case: Case, actor: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": document.kind,
            "number": _open(document, "number", actor),
            "issuing_country": document.issuing_country,
            "held_by_survivor": document.held_by_survivor,
        }
        for document in case.survivor.documents.order_by("pk")
    ]


def _contact_initial(case: Case, actor: Any) -> dict[str, Any]:
    survivor = case.survivor
    return {"channel": survivor.contact_channel, **_open_json(survivor, "safe_contact", actor)}


def _profile_initial(case: Case, actor: Any) -> dict[str, Any]:
    initial = {name: getattr(case, name) for name in ProfileForm.coded_fields}
    initial["perpetrators"] = _open(case, "perpetrators", actor)
    return initial


def _route_initial(case: Case, actor: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": stop.kind,
            "country": stop.country,
            "place": _open(stop, "place", actor),
            "when": _open(stop, "when", actor),
        }
        for stop in case.route.all()
    ]


def _needs_initial(case: Case, actor: Any) -> dict[str, Any]:
    return {
        "immediate_needs": list(case.immediate_needs or []),
        "needs_note": _open(case, "needs_note", actor),
        "narrative": _open(case, "narrative", actor),
    }


def _build_form(slug: str, case: Case, actor: Any, data: Any) -> Any:
    """The form of a section: bound to ``data`` on POST, filled with her record on GET."""
    builders = {
        "identity": (IdentityForm, _identity_initial),
        "documents": (DocumentFormSet, _documents_initial),
        "safe-contact": (SafeContactForm, _contact_initial),
        "profile": (ProfileForm, _profile_initial),
        "route": (RouteFormSet, _route_initial),
        "narrative": (NeedsForm, _needs_initial),
    }
    form_class, initial = builders[slug]
    prefix = slug if slug in FORMSET_SECTIONS else None
    if data is not None:
        return form_class(data, prefix=prefix)
    return form_class(initial=initial(case, actor), prefix=prefix)


def _save(slug: str, form: Any, case: Case, actor: Any) -> None:
    """One service call per section; each records its own event."""
    if slug == "identity":
        family_contacts = _open(case.survivor, "family_contacts", actor)
        services.update_identity(
            actor=actor,
            case=case,
            identity=form.identity(family_contacts=family_contacts),
            guardian=form.guardian(),
        )
    elif slug == "documents":
        services.set_documents(
            actor=actor,
            case=case,
            documents=[{**row, "number": row["number"].strip()} for row in form.rows()],
        )
    elif slug == "safe-contact":
        services.update_safe_contact(actor=actor, case=case, contact=form.contact())
    elif slug == "profile":
        services.update_profile(
            actor=actor,
            case=case,
            perpetrators=form.cleaned_data["perpetrators"].strip(),
            **form.coded(),
        )
    elif slug == "route":
        services.set_route(
            actor=actor,
            case=case,
            stops=[
                {
                    "kind": row["kind"],
                    "country": row["country"],
                    "place": row["place"].strip(),
                    "when": row["when"].strip(),
                }
                for row in form.rows()
            ],
        )
    elif slug == "narrative":
        data = form.cleaned_data
        services.update_needs_and_narrative(
            actor=actor,
            case=case,
            immediate_needs=data["immediate_needs"],
            needs_note=data["needs_note"].strip(),
            narrative=data["narrative"].strip(),
        )


@login_required
@SENSITIVE
def edit_section(request: HttpRequest, case_id: Any, section: str) -> HttpResponse:
    current = SECTIONS.get(section)
    if current is None:
        # Not a page at all; still a refused request on a case URL, so it is recorded.
        deny_unseen(
            actor=request.user,
            action=Action.CASE_UPDATED if request.method == "POST" else Action.CASE_VIEWED,
            target_type="case",
            target_id=case_id,
        )
    purpose = current.event_purpose
    if request.method == "POST":
        access = get_case_for_user(
            request.user,
            case_id,
            needed=Access.WORK,
            action=Action.CASE_UPDATED,
            purpose=purpose,
            record=False,
        )
    else:
        access = get_case_for_user(request.user, case_id, needed=Access.WORK, purpose=purpose)
    case, actor = access.case, request.user
    form = None
    if not case.survivor.is_shredded:
        data = request.POST if request.method == "POST" else None
        # A value that will not open is recorded by the vault; the header explains it.
        with contextlib.suppress(CannotOpen):
            form = _build_form(section, case, actor, data)
    if form is not None and request.method == "POST":
        if form.is_valid():
            try:
                _save(section, form, case, actor)
            except ValidationError as error:
                _show_service_errors(form, error)
            except CannotOpen:
                form = None
            else:
                messages.success(request, _("Saved in case %(code)s.") % {"code": case.code})
                if "add_row" in request.POST and section in FORMSET_SECTIONS:
                    return redirect(reverse("cases:edit_section", args=[case.pk, section]))
                return redirect(section_url(case, CASE_PAGE_SECTION[section]))
        # Showing her record again is a look at it: the one event of this request.
        get_case_for_user(actor, case.pk, needed=Access.WORK, purpose=purpose)
    context = {
        "summary": case_summary(case, actor=actor),
        "section": current,
        "sections": SECTIONS.values(),
        "form": form,
        "section_template": f"cases/intake/sections/{section}.html",
        "case": case,
    }
    return render(request, "cases/intake/section.html", context)


