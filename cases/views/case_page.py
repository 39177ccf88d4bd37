"""The case page: every section of one case on one page, and the case's change history.

Both pages are reads: the getter records the one access event of the request
(``CASE_VIEWED`` / ``CASE_HISTORY_VIEWED``), and names and content are opened here, for
this case only, for the person who may see it. Forms are offered only to those whose
access level allows them; the services check again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from cases import vocabularies as v
from cases.forms import work as work_forms
from cases.history import KINDS, case_history_entries, describe_entries
from cases.models import Case, LinkGroup
from cases.opening import Opened, Opener
from cases.queries import Access, CaseAccess, get_case_for_user, visible_cases
from cases.sections import SectionRequest, build_sections, section_keys, section_url
from cases.services import labels as label_services
from cases.services import management as management_services
from cases.services import work as work_services
from cases.summary import case_summary
from core.labels import label, labels
from vault.scope import key_scope

INTAKE_SECTIONS = (
    ("identity", _("Edit identity")),
    ("documents", _("Edit documents")),
    ("safe-contact", _("Edit safe contact")),
    ("profile", _("Edit trafficking profile")),
    ("route", _("Edit route")),
    ("narrative", _("Edit needs and account")),
)

# Changes per page of the history: a phone screen or two, not 7,000 px (issue 14).
HISTORY_PAGE_SIZE = 15

# (route name, label, level needed, shown when): the management pages (views/management.py).
MANAGEMENT_ACTIONS = (
    ("cases:assign", _("Assign to a caseworker"), Access.SUPERVISE, "any"),
    ("cases:share", _("Share with a colleague"), Access.MANAGE, "any"),
    ("cases:close", _("Close the case"), Access.MANAGE, "open"),
    ("cases:reopen", _("Reopen the case"), Access.MANAGE, "closed"),
    ("cases:shred_request", _("Request shredding"), Access.SUPERVISE, "any"),
)




# --- the page ----------------------------------------------------------------------------


@dataclass
class ConsentRow:
    consent: Any
    status: str  # live / refused / withdrawn / expired
    status_label: str
    purpose: str
    recipient: str
    scope: list[str]
    withdraw_form: Any = None


@dataclass
class LinkedGroupView:
    group: LinkGroup
    label: Opened
    cases: list[Case] = field(default_factory=list)


def build_case_page(
    request: HttpRequest, access: CaseAccess, *, reveal_name: bool = False
) -> dict[str, Any]:
    """Everything the case page shows, opened for this person, with the forms she may use.
    ``reveal_name``: the header shows her name even where cases are labelled by their
    code alone (the caller has recorded that click)."""
    case = access.case
    actor = request.user
    survivor = case.survivor
    summary = case_summary(case, actor=actor, reveal_name=reveal_name)
    shredded = summary.shredded or survivor.is_shredded
    opener = Opener(actor, shredded=shredded)
    today = timezone.localdate()
    can_work = access.allows(Access.WORK) and not shredded

    identity = {
        "given_names": opener(survivor, "given_names"),
        "family_names": opener(survivor, "family_names"),
        "aliases": opener(survivor, "aliases"),
        "birth_date": opener.date(survivor, "birth_date"),
        "estimated_age": opener(survivor, "estimated_age"),
        "family_contacts": opener(survivor, "family_contacts"),
        "gender": survivor.get_gender_display(),
        "nationality": survivor.get_nationality_display(),
        "languages": labels(survivor.languages, v.Language),
        "age_band": survivor.get_age_band_display(),
    }
    documents = [
        {
            "kind": document.get_kind_display(),
            "number": opener(document, "number"),
            "issuing_country": document.get_issuing_country_display(),
            "held_by_survivor": document.held_by_survivor,
        }
        for document in survivor.documents.all()
    ]
    profile = {
        "exploitation_types": labels(case.exploitation_types, v.ExploitationType),
        "means_of_control": labels(case.means_of_control, v.MeansOfControl),
        "recruitment_methods": labels(case.recruitment_methods, v.RecruitmentMethod),
        "perpetrators": opener(case, "perpetrators"),
    }
    route = [
        {"stop": stop, "place": opener(stop, "place"), "when": opener(stop, "when")}
        for stop in case.route.all()
    ]
    needs = {
        "immediate_needs": labels(case.immediate_needs, v.ServiceType),
        "needs_note": opener(case, "needs_note"),
        "narrative": opener(case, "narrative"),
    }

    assessments = [
        {
            "assessment": assessment,
            "factors": labels(assessment.factors, v.RiskFactor),
            "notes": opener(assessment, "notes"),
        }
        for assessment in case.risk_assessments.select_related("assessed_by")
    ]
    review_overdue = bool(case.next_risk_review_on and case.next_risk_review_on < today)
    safety_plan = opener(case, "safety_plan")

    consents = []
    consent_rows = case.consents.select_related(
        "recorded_by", "withdrawn_by", "recipient_organization"
    )
    for consent in consent_rows:
        if consent.withdrawn_at is not None:
            status, status_label = "withdrawn", _("Withdrawn")
        elif not consent.given:
            status, status_label = "refused", _("Refused")
        elif not consent.is_live(today):
            status, status_label = "expired", _("Expired")
        else:
            status, status_label = "live", _("In force")
        recipients = [
            str(part) for part in (
                consent.recipient_organization,
                label(consent.recipient_service_type, v.ConsentRecipientType),
            ) if part
        ]
        consents.append(ConsentRow(
            consent=consent, status=status, status_label=str(status_label),
            purpose=consent.get_purpose_display(), recipient=" · ".join(recipients),
            scope=labels(consent.scope, v.ConsentScope),
            withdraw_form=(
                work_forms.WithdrawConsentForm(consent_id=consent.pk)
                if can_work and status == "live" else None
            ),
        ))

    # What is in force first: that is what a caseworker about to share needs to see.
    consents.sort(key=lambda row: row.status != "live")
    notes = [
        {"note": note, "body": opener(note, "body")}
        for note in case.notes.select_related("author")
    ]
    attachments = [
        {"attachment": attachment, "filename": opener(attachment, "filename")}
        for attachment in case.attachments.select_related("uploaded_by")
    ]
    follow_ups = list(case.follow_ups.select_related("assignee"))
    open_follow_ups = [
        {"follow_up": f, "overdue": f.due_on < today,
         "done_form": work_forms.FollowUpDoneForm(follow_up_id=f.pk) if can_work else None}
        for f in follow_ups if f.done_at is None
    ]
    done_follow_ups = [
        {"follow_up": f, "note": opener(f, "outcome_note")}
        for f in sorted(
            (f for f in follow_ups if f.done_at is not None), key=lambda f: f.done_at, reverse=True
        )
    ]

    visible = visible_cases(actor)
    groups = list(case.link_groups.order_by("created_at"))
    linked_cases = {}
    for link in (
        visible.filter(link_groups__in=groups).exclude(pk=case.pk)
        .values("pk", "code", "status", "is_child", "link_groups")
    ):
        linked_cases.setdefault(link["link_groups"], []).append(link)
    group_opener = Opener(actor)  # group labels are sealed with the group's own key
    linked_groups = [
        LinkedGroupView(group=group, label=group_opener(group, "label"),
                        cases=sorted(linked_cases.get(group.pk, []), key=lambda c: c["code"]))
        for group in groups
    ]
    episodes = list(
        visible.filter(survivor_id=case.survivor_id).exclude(pk=case.pk).order_by("-opened_on")
    )

    context: dict[str, Any] = {
        "summary": summary,
        "case": case,
        "access": access,
        "shredded": shredded,
        "can_work": can_work,
        "read_only": not access.allows(Access.WORK),
        "today": today,
        "identity": identity,
        "guardian": opener.json(survivor, "guardian") if case.is_child or survivor.guardian else {},
        "documents": documents,
        "profile": profile,
        "route": route,
        "needs": needs,
        "latest_assessment": assessments[0] if assessments else None,
        "earlier_assessments": assessments[1:],
        "review_overdue": review_overdue,
        "safety_plan": safety_plan,
        "consents": consents,
        "notes": notes,
        "attachments": attachments,
        "open_follow_ups": open_follow_ups,
        "done_follow_ups": done_follow_ups,
        "overdue_count": sum(1 for f in open_follow_ups if f["overdue"]),
        "linked_groups": linked_groups,
        "episodes": episodes,
        "edit_links": _edit_links(case, access) if not shredded else [],
        "management_links": _management_links(case, access, request.user),
        "history_url": reverse("cases:case_history", kwargs={"case_id": case.pk}),
        # Every section is folded; the one asked for (``?section=``) is open, so the menu's
        # links reach any section in one click, without JavaScript.
        "open_section": _asked_section(request),
        "risk_url": section_url(case, "risk"),
    }
    # The sections other apps add (cases/sections.py): her referrals, for one.
    added, context["added_sections"] = build_sections(
        SectionRequest(access=access, actor=actor, can_work=can_work)
    )
    context.update(added)
    context["section_menu"] = _section_menu(context)
    if can_work:
        context.update(
            note_form=work_forms.NoteForm(),
            attachment_form=work_forms.AttachmentForm(),
            follow_up_form=work_forms.FollowUpForm(case=case, actor=actor),
            risk_form=work_forms.RiskAssessmentForm(),
            safety_plan_form=work_forms.SafetyPlanForm(
                initial={"plan": "" if safety_plan.problem else safety_plan.text}
            ),
            consent_form=work_forms.ConsentForm(case=case),
            new_group_form=work_forms.NewLinkGroupForm(),
            join_group_form=work_forms.JoinLinkGroupForm(case=case, actor=actor),
        )
    return context


@dataclass(frozen=True)
class MenuItem:
    key: str
    title: Any
    url: str
    count: int | None = None
    overdue: int = 0


def _section_menu(context: dict[str, Any]) -> list[MenuItem]:
    """The menu at the top of the case page: every section, in the page's order, with its
    count, each one click from the top (``section_url`` opens it)."""
    case = context["case"]

    def item(key: str, title: Any, count: int | None = None, overdue: int = 0) -> MenuItem:
        return MenuItem(key, title, section_url(case, key), count, overdue)

    return [
        item("risk", _("Risk and safety")),
        item("follow-ups", _("Follow-ups"), len(context["open_follow_ups"]),
             context["overdue_count"]),
        *(item(section.anchor, section.title, section.count)
          for section in context["added_sections"]),
        item("notes", _("Notes"), len(context["notes"])),
        item("consent", _("Consent"), len(context["consents"])),
        item("attachments", _("Attachments"), len(context["attachments"])),
        item("identity", _("Identity")),
        item("profile", _("Profile")),
        item("route", _("Route")),
        item("needs", _("Needs and account")),
        item("linked", _("Linked cases"), len(context["linked_groups"])),
        item("episodes", _("Her other cases"), len(context["episodes"])),
    ]


def _asked_section(request: HttpRequest) -> str:
    """The section named by ``?section=``; an unknown name opens none (nothing else
    changes: the page is the same folded page)."""
    asked = request.GET.get("section", "")
    return asked if asked in section_keys() else ""


def _edit_links(case: Case, access: CaseAccess) -> list[tuple[str, str]]:
    if not access.allows(Access.WORK):
        return []
    return [
        (section, reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": section}),
         title)
        for section, title in INTAKE_SECTIONS
    ]


def _management_links(case: Case, access: CaseAccess, user: Any) -> list[tuple[str, str]]:
    if case.survivor.is_shredded:
        # A shredded case is inert: the services refuse every step, so none is offered.
        return []
    links = []
    for name, title, needed, when in MANAGEMENT_ACTIONS:
        if not access.allows(needed):
            continue
        if (when == "open" and case.is_closed) or (when == "closed" and not case.is_closed):
            continue
        if name == "cases:shred_request" and case.survivor.is_shredded:
            continue
        links.append((reverse(name, kwargs={"case_id": case.pk}), title))
    if access.allows(Access.MANAGE) and management_services.can_discard(user, case):
        links.append((reverse("cases:discard", kwargs={"case_id": case.pk}),
                      _("Discard: registered by mistake")))
    return links


@login_required
@require_GET
@key_scope()
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    access = get_case_for_user(request.user, case_id)
    return render(request, "cases/case/detail.html", build_case_page(request, access))


@login_required
@require_POST
@key_scope()
def reveal_name(request: HttpRequest, case_id) -> HttpResponse:
    """The "Show name" button of the header where her organisation labels cases by their
    code alone (cases.labels): the case page again, with the name on its header, for this
    response only. The click is the look: recorded as ``case.name_revealed`` (a denial
    under the same action for anyone who may not see the case, who gets 404)."""
    access = get_case_for_user(
        request.user, case_id, action=Action.CASE_NAME_REVEALED, record=False
    )
    label_services.record_name_revealed(actor=request.user, case=access.case)
    return render(
        request, "cases/case/detail.html", build_case_page(request, access, reveal_name=True)
    )


@login_required
@require_GET
@key_scope()
def case_history(request: HttpRequest, case_id) -> HttpResponse:
    access = get_case_for_user(request.user, case_id, action=Action.CASE_HISTORY_VIEWED)
    case = access.case
    kind = request.GET.get("kind", "")
    unknown_kind = bool(kind) and kind not in KINDS
    if unknown_kind:
        kind = ""  # bad input changes nothing: every kind is shown, and she is told why
    entries = case_history_entries(case, kind)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    opener = Opener(request.user, shredded=case.survivor.is_shredded)
    rows = describe_entries(list(page.object_list), opener)
    return render(
        request,
        "cases/case/history.html",
        {"summary": case_summary(case, actor=request.user), "case": case, "page": page,
         "rows": rows, "kind": kind, "unknown_kind": unknown_kind,
         "kinds": [(key, title) for key, (title, _models) in KINDS.items()],
         "back_url": reverse("cases:case_detail", kwargs={"case_id": case.pk})},
    )


__all__ = ["build_case_page", "case_detail", "case_history", "reveal_name", "work_services"]
