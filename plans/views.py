"""The support plan's pages, under its case: /cases/<case_id>/plan/…

Every view reaches the case through ``plans.queries.get_plan_for_user`` (outsiders 404,
read-only colleagues 403 on writes, both recorded), validates a form and calls one
service. Each request leaves one access event: the getter records a look; on writes the
service records the change, or the view records the page shown again with what was
refused (nothing was changed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action, Outcome
from audit.services import record_event
from cases.opening import Opener
from cases.queries import Access
from cases.summary import case_summary
from core.forms import add_service_errors
from plans import forms as plan_forms
from plans import queries, services
from plans import vocabularies as pv
from plans.models import Goal, Plan
from plans.queries import PlanAccess, assistance_of_case, get_plan_for_user
from vault.scope import key_scope

# The plan page's sections folded under their counts (templates/plans/plan.html); one
# named by ``?section=`` is shown open, so a step done there returns to it unfolded.
FOLDED_SECTIONS = ("agreement", "goals", "reviews", "assistance")


def plan_url(case_id: Any, anchor: str = "") -> str:
    url = reverse("plans:plan_detail", kwargs={"case_id": case_id})
    section = "goals" if anchor.startswith("goal-") else anchor
    if section in FOLDED_SECTIONS:
        url = f"{url}?section={section}"
    return f"{url}#{anchor}" if anchor else url


def _post_view(view: Callable) -> Callable:
    """POST only (no change through a GET), signed in, one key scope."""
    return login_required(require_POST(key_scope()(view)))


def _page_view(view: Callable) -> Callable:
    """GET (the form) and POST (its answer), signed in, one key scope."""
    return login_required(require_http_methods(["GET", "POST"])(key_scope()(view)))


def _shown_again(request: HttpRequest, pa: PlanAccess, purpose: str) -> None:
    """Nothing was changed; the page shown instead opens her plan: this request's event."""
    record_event(action=Action.PLAN_VIEWED, actor=request.user, target=pa.plan or pa.case,
                 case_code=pa.case.code, purpose=purpose)


def _refused(request: HttpRequest, pa: PlanAccess, action: str, error: PermissionDenied) -> None:
    record_event(action=action, actor=request.user, outcome=Outcome.DENIED,
                 target=pa.plan or pa.case, case_code=pa.case.code, purpose="refused")
    raise PermissionDenied(str(error) if str(error) else "")


# --- the plan page ----------------------------------------------------------------------


def _opened_goals(plan: Plan | None, opener: Opener) -> list[dict]:
    if plan is None:
        return []
    goals = list(plan.goals.prefetch_related("actions__assignee", "actions__referral__offering"))
    return [
        {
            "goal": goal,
            "wording": opener(goal, "wording"),
            "actions": [
                {"action": action, "description": opener(action, "description")}
                for action in goal.actions.all()
            ],
        }
        for goal in goals
    ]


def _action_labels(goals: list[dict]) -> dict:
    return {
        item["action"].pk: f"{entry['goal'].get_area_display()}: {item['description']}"
        for entry in goals for item in entry["actions"]
    }


def _open_section(request: HttpRequest, bound: dict) -> str:
    """The section named by ``?section=``, or the one whose form was refused: a refused
    entry is never left in a closed fold."""
    refused = [key for key, form in bound.items() if form is not None and form.errors]
    if refused:
        return "assistance" if "assistance" in refused else "goals"
    asked = request.GET.get("section", "")
    return asked if asked in FOLDED_SECTIONS else ""


def build_plan_page(request: HttpRequest, pa: PlanAccess, *, bound: dict | None = None) -> dict:
    """Everything the plan page shows, opened for this person, with the forms she may use."""
    bound = bound or {}
    case, plan, user = pa.case, pa.plan, request.user
    summary = case_summary(case, actor=user)
    shredded = summary.shredded or case.survivor.is_shredded
    opener = Opener(user, shredded=shredded)
    can_work = pa.allows(Access.WORK) and not shredded
    goals = _opened_goals(plan, opener)
    open_plan = plan is not None and plan.status != pv.PlanStatus.CLOSED
    reviews = []
    if plan is not None:
        for review in plan.reviews.select_related("reviewed_by").prefetch_related("progress"):
            reviews.append({"review": review, "note": opener(review, "note"),
                            "progress": {str(p.goal_id): p.rating_label
                                         for p in review.progress.all()}})
    assistance = [
        {"entry": entry, "note": opener(entry, "note")} for entry in assistance_of_case(case)
    ]
    context: dict[str, Any] = {
        "summary": summary,
        "case": case,
        "plan": plan,
        "access": pa.case_access,
        "shredded": shredded,
        "can_work": can_work,
        "goals": goals,
        "reviews": reviews,
        "assistance": assistance,
        "agreement_note": opener(plan, "agreement_note") if plan else None,
        "today": timezone.localdate(),
        "open_section": _open_section(request, bound),
        "bound": bound,
        "errors": [form for form in bound.values() if form is not None and form.errors],
    }
    if plan is not None:
        context["steps"] = _steps(request, pa)
    if can_work and plan is None and not case.is_closed:
        context["can_start"] = True
    if can_work and plan is not None and plan.status == pv.PlanStatus.CLOSED and not case.is_closed:
        context["can_start"] = True
    if can_work and open_plan:
        context["goal_form"] = bound.get("goal") or plan_forms.GoalForm(prefix="goal")
        first: plan_forms.ActionForm | None = None
        context["action_forms"] = {}
        for entry in goals:
            key = f"action-{entry['goal'].pk}"
            form = bound.get(key) or plan_forms.ActionForm(case=case, prefix=key,
                                                           choices_of=first)
            first = first or form
            context["action_forms"][str(entry["goal"].pk)] = form
        for entry in goals:
            entry["action_form"] = context["action_forms"][str(entry["goal"].pk)]
            for item in entry["actions"]:
                item["status_form"] = bound.get(f"status-{item['action'].pk}") or (
                    plan_forms.ActionStatusForm(
                        action_id=item["action"].pk,
                        initial={"status": item["action"].status,
                                 "drop_reason": item["action"].drop_reason},
                    )
                )
    if can_work:
        context["assistance_form"] = bound.get("assistance") or plan_forms.AssistanceForm(
            case=case, action_labels=_action_labels(goals), prefix="assistance"
        )
        context["print_form"] = plan_forms.PrintForm(initial={"language": _copy_language()})
    return context


def _steps(request: HttpRequest, pa: PlanAccess) -> dict[str, bool]:
    """The next steps this person may take now: the page offers these and nothing else
    (the services check again)."""
    plan, user, case = pa.plan, request.user, pa.case
    can_work = pa.allows(Access.WORK) and not case.survivor.is_shredded
    status = plan.status
    supervises = pa.allows(Access.SUPERVISE) and not case.survivor.is_shredded
    decides = supervises and status == pv.PlanStatus.AWAITING_APPROVAL and not (
        services.wrote_this_version(user, plan)
    )
    return {
        "agreement": can_work and status in services.CHANGEABLE,
        "change_goals": can_work and status in services.CHANGEABLE,
        "submit": can_work and status == pv.PlanStatus.DRAFT,
        "approve": decides,
        "return": decides,
        "wrote_it": supervises and status == pv.PlanStatus.AWAITING_APPROVAL and not decides,
        "review": can_work and plan.was_approved and status not in (
            pv.PlanStatus.CLOSED, pv.PlanStatus.AWAITING_APPROVAL) and not case.is_closed,
        "final_review": pa.allows(Access.MANAGE) and plan.was_approved
        and status != pv.PlanStatus.CLOSED and not case.is_closed
        and not case.survivor.is_shredded,
        "print": can_work and bool(plan),
    }


def _plan_page(request: HttpRequest, pa: PlanAccess, *, bound: dict | None = None,
               alert: str = "", status: int = 200) -> HttpResponse:
    context = build_plan_page(request, pa, bound=bound)
    # A refused step, said in the page's error summary (base.html).
    context["refusal"] = alert
    return render(request, "plans/plan.html", context, status=status)


@login_required
@require_GET
@key_scope()
def plan_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _plan_page(request, get_plan_for_user(request.user, case_id))


# --- steps without a form ---------------------------------------------------------------


def _fresh(request: HttpRequest, case_id: Any) -> PlanAccess:
    return get_plan_for_user(request.user, case_id, record=False)


def _step(request: HttpRequest, case_id: Any, *, needed: Access, action: str,
          call: Callable[[PlanAccess], object], done: str, anchor: str = "") -> HttpResponse:
    pa = get_plan_for_user(request.user, case_id, needed=needed, action=action, record=False)
    try:
        call(pa)
    except PermissionDenied as error:
        _refused(request, pa, action, error)
    except ValidationError as error:
        _shown_again(request, pa, "refused")
        return _plan_page(request, _fresh(request, case_id), alert=" ".join(error.messages))
    messages.success(request, done)
    return redirect(plan_url(pa.case.pk, anchor))


@_post_view
def start_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _step(request, case_id, needed=Access.WORK, action=Action.PLAN_STARTED,
                 call=lambda pa: services.start_plan(actor=request.user, case=pa.case),
                 done=_("A draft plan was started. Write her goals in her own words."))


@_post_view
def submit_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _step(request, case_id, needed=Access.WORK, action=Action.PLAN_SUBMITTED,
                 call=lambda pa: services.submit_plan(actor=request.user, case=pa.case),
                 done=_("Submitted: a supervisor of the team will approve it."))


@_post_view
def approve_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _step(request, case_id, needed=Access.SUPERVISE, action=Action.PLAN_APPROVED,
                 call=lambda pa: services.approve_plan(actor=request.user, case=pa.case),
                 done=_("The plan is approved."))


@_post_view
def return_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _step(request, case_id, needed=Access.SUPERVISE, action=Action.PLAN_RETURNED,
                 call=lambda pa: services.return_plan(actor=request.user, case=pa.case),
                 done=_("The plan was returned to the caseworker as a draft."))


# --- forms on the plan page -------------------------------------------------------------


def _submit_on_plan_page(
    request: HttpRequest, pa: PlanAccess, form: forms.Form, *, key: str,
    call: Callable[[dict], object], done: str, anchor: str,
) -> HttpResponse:
    """Validate, call the service once and go back to the plan; or show the plan page
    again with the form's errors summarised at the top."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except PermissionDenied as error:
            _refused(request, pa, Action.PLAN_CHANGED, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(plan_url(pa.case.pk, anchor))
    _shown_again(request, pa, "form_errors")
    return _plan_page(request, _fresh(request, pa.case.pk), bound={key: form})


def _work(request: HttpRequest, case_id: Any, action: str = Action.PLAN_CHANGED) -> PlanAccess:
    return get_plan_for_user(request.user, case_id, needed=Access.WORK, action=action,
                             record=False)


@_post_view
def add_goal(request: HttpRequest, case_id: Any) -> HttpResponse:
    pa = _work(request, case_id)
    form = plan_forms.GoalForm(request.POST, prefix="goal")
    return _submit_on_plan_page(
        request, pa, form, key="goal",
        call=lambda data: services.add_goal(actor=request.user, case=pa.case, area=data["area"],
                                            wording=data["wording"]),
        done=_("Goal added."), anchor="goals",
    )


def _goal_of(request: HttpRequest, pa: PlanAccess, goal_id: Any, action: str) -> Goal:
    """A goal of this case's plan, or a recorded denial and 404 (as if it did not exist)."""
    return queries.goal_of_case(pa.case, goal_id, actor=request.user, action=action)


@_post_view
def add_action(request: HttpRequest, case_id: Any, goal_id: Any) -> HttpResponse:
    pa = _work(request, case_id)
    goal = _goal_of(request, pa, goal_id, Action.PLAN_CHANGED)
    form = plan_forms.ActionForm(request.POST, case=pa.case, prefix=f"action-{goal.pk}")
    return _submit_on_plan_page(
        request, pa, form, key=f"action-{goal.pk}",
        call=lambda data: services.add_action(
            actor=request.user, case=pa.case, goal=goal, description=data["description"],
            performer=data["performer"], due_on=data["due_on"], assignee=data["assignee"],
            referral=data["referral"],
        ),
        done=_("Action added."), anchor=f"goal-{goal.pk}",
    )


@_post_view
def update_action(request: HttpRequest, case_id: Any, action_id: Any) -> HttpResponse:
    pa = _work(request, case_id)
    action = queries.action_of_case(pa.case, action_id, actor=request.user,
                                    action=Action.PLAN_CHANGED)
    form = plan_forms.ActionStatusForm(request.POST, action_id=action.pk)
    return _submit_on_plan_page(
        request, pa, form, key=f"status-{action.pk}",
        call=lambda data: services.update_action(
            actor=request.user, case=pa.case, action=action, status=data["status"],
            drop_reason=data["drop_reason"],
        ),
        done=_("Action updated."), anchor=f"goal-{action.goal_id}",
    )


@_post_view
def add_assistance(request: HttpRequest, case_id: Any) -> HttpResponse:
    pa = _work(request, case_id, Action.ASSISTANCE_RECORDED)
    form = plan_forms.AssistanceForm(request.POST, case=pa.case, prefix="assistance")
    return _submit_on_plan_page(
        request, pa, form, key="assistance",
        call=lambda data: services.record_assistance(
            actor=request.user, case=pa.case, category=data["category"],
            started_on=data["started_on"], ended_on=data["ended_on"],
            quantity=data["quantity"], unit=data["unit"], provider=data["provider"],
            goal_action=data["goal_action"], note=data["note"],
        ),
        done=_("Assistance recorded."), anchor="assistance",
    )


# --- pages of their own -----------------------------------------------------------------


def _form_page(request: HttpRequest, pa: PlanAccess, form: forms.Form, *, title: str,
               template: str = "plans/form.html", **extra: Any) -> HttpResponse:
    context = {
        "summary": case_summary(pa.case, actor=request.user), "case": pa.case,
        "plan": pa.plan, "form": form, "title": title, "back_url": plan_url(pa.case.pk),
        **extra,
    }
    return render(request, template, context)


def _page(
    request: HttpRequest, pa: PlanAccess, form: forms.Form, *, title: str,
    call: Callable[[dict], object], done: str, anchor: str = "", **extra: Any,
) -> HttpResponse:
    """GET shows the form (one look at her plan); POST calls the service once."""
    if request.method == "GET":
        _shown_again(request, pa, "form")
    else:
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except PermissionDenied as error:
                _refused(request, pa, Action.PLAN_CHANGED, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(plan_url(pa.case.pk, anchor))
        _shown_again(request, pa, "form_errors")
    return _form_page(request, pa, form, title=title, **extra)


def _for_page(request: HttpRequest, case_id: Any, *, needed: Access, action: str) -> PlanAccess:
    """The case and plan, nothing recorded yet (refusals are, under ``action``): the page
    records the look once it has found what it shows, or the service records the write."""
    return get_plan_for_user(request.user, case_id, needed=needed, action=action, record=False)


def _no_plan(request: HttpRequest, pa: PlanAccess) -> HttpResponse:
    """A plan page of a case without a plan: back to the plan page, which offers one."""
    _shown_again(request, pa, "no_plan")
    messages.info(request, _("This case has no support plan yet."))
    return redirect(plan_url(pa.case.pk))


@_page_view
def agreement(request: HttpRequest, case_id: Any) -> HttpResponse:
    pa = _for_page(request, case_id, needed=Access.WORK, action=Action.PLAN_CHANGED)
    plan = pa.plan
    if plan is None:
        return _no_plan(request, pa)
    initial = {}
    if plan.agreed_on:
        note = Opener(request.user)(plan, "agreement_note")
        initial = {"agreed_on": plan.agreed_on, "method": plan.agreement_method,
                   "agreed_by": plan.agreed_by, "child_assent": plan.child_assent,
                   "interpreter_language": plan.interpreter_language,
                   "note": "" if note.problem else note.text}
    elif pa.case.is_child:
        initial = {"agreed_by": pv.AgreedBy.GUARDIAN_WITH_ASSENT}
    form = plan_forms.AgreementForm(request.POST or None, initial=initial)
    return _page(
        request, pa, form, title=_("How she agreed to her plan"),
        call=lambda data: services.record_agreement(
            actor=request.user, case=pa.case, agreed_on=data["agreed_on"],
            method=data["method"], agreed_by=data["agreed_by"],
            child_assent=data["child_assent"],
            interpreter_language=data["interpreter_language"], note=data["note"],
        ),
        done=_("The agreement is recorded."), anchor="agreement",
        intro=_("A child's plan is agreed by her guardian, with her own assent.")
        if pa.case.is_child else "",
    )


@_page_view
def edit_goal(request: HttpRequest, case_id: Any, goal_id: Any) -> HttpResponse:
    pa = _for_page(request, case_id, needed=Access.WORK, action=Action.PLAN_CHANGED)
    if pa.plan is None:
        return _no_plan(request, pa)
    goal = _goal_of(request, pa, goal_id, Action.PLAN_CHANGED)
    wording = Opener(request.user)(goal, "wording")
    form = plan_forms.GoalForm(
        request.POST or None,
        initial={"area": goal.area, "wording": "" if wording.problem else wording.text},
    )
    return _page(
        request, pa, form, title=_("Change a goal"),
        call=lambda data: services.change_goal(actor=request.user, case=pa.case, goal=goal,
                                               area=data["area"], wording=data["wording"]),
        done=_("Goal changed."), anchor=f"goal-{goal.pk}",
        intro=_("Changing her goals after approval makes a new version of the plan, which "
                "the supervisor approves again."),
    )


def _goal_labels(request: HttpRequest, pa: PlanAccess) -> list[tuple[Goal, str]]:
    opener = Opener(request.user)
    return [(goal, str(opener(goal, "wording"))) for goal in pa.plan.goals.all()]


@_page_view
def review(request: HttpRequest, case_id: Any) -> HttpResponse:
    pa = _for_page(request, case_id, needed=Access.WORK, action=Action.PLAN_REVIEWED)
    if pa.plan is None:
        return _no_plan(request, pa)
    form = plan_forms.ReviewForm(request.POST or None, goals=_goal_labels(request, pa))
    return _page(
        request, pa, form, title=_("Review her plan"),
        call=lambda data: services.review_plan(
            actor=request.user, case=pa.case, progress=form.progress(), note=data["note"]
        ),
        done=_("The review is recorded; the next one is due on the date shown."),
        anchor="reviews",
    )


@_page_view
def final_review(request: HttpRequest, case_id: Any) -> HttpResponse:
    pa = _for_page(request, case_id, needed=Access.MANAGE, action=Action.PLAN_CLOSED)
    if pa.plan is None:
        return _no_plan(request, pa)
    form = plan_forms.FinalReviewForm(
        request.POST or None, goals=_goal_labels(request, pa), closed_on=timezone.localdate()
    )
    return _page(
        request, pa, form, title=_("Final review and closing the case"),
        template="plans/final_review.html",
        call=lambda data: services.final_review(
            actor=request.user, case=pa.case, outcomes=form.outcomes(), note=data["note"],
            status=data["status"], closure_reason=data["closure_reason"],
            check_ins=form.check_in_dates(), confirm_open_work=data["confirm_open_work"],
        ),
        done=_("The final review is recorded and the case is closed."),
    )


@_page_view
def confirm_assistance(request: HttpRequest, case_id: Any, entry_id: Any) -> HttpResponse:
    pa = _for_page(request, case_id, needed=Access.WORK, action=Action.ASSISTANCE_CONFIRMED)
    entry = queries.assistance_entry_of_case(
        pa.case, entry_id, actor=request.user, action=Action.ASSISTANCE_CONFIRMED
    )
    opener = Opener(request.user)
    labels = _action_labels(_opened_goals(pa.plan, opener))
    form = plan_forms.AssistanceForm(
        request.POST or None, case=pa.case, action_labels=labels, confirming=True,
        initial={"category": entry.category, "started_on": entry.started_on,
                 "ended_on": entry.ended_on, "quantity": entry.quantity, "unit": entry.unit,
                 "goal_action": entry.goal_action_id},
    )
    return _page(
        request, pa, form, title=_("Confirm or correct the assistance"),
        template="plans/confirm_assistance.html", entry=entry,
        call=lambda data: services.confirm_assistance(
            actor=request.user, case=pa.case, entry=entry, category=data["category"],
            started_on=data["started_on"], ended_on=data["ended_on"],
            quantity=data["quantity"], unit=data["unit"], goal_action=data["goal_action"],
            note=data["note"],
        ),
        done=_("The assistance entry is confirmed."), anchor="assistance",
    )


# --- the copy for her ---------------------------------------------------------------------


def _copy_language() -> str:
    current = (translation.get_language() or "es")[:2]
    return current if current in ("es", "en") else "es"


@login_required
@require_GET
@key_scope()
def print_copy(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Her copy, in the language chosen, showing only the parts ticked. Never her safe
    contact. The printing is recorded (``PLAN_PRINTED``, naming the parts shown)."""
    pa = get_plan_for_user(request.user, case_id, needed=Access.WORK,
                           action=Action.PLAN_PRINTED, record=False)
    if pa.plan is None:
        _shown_again(request, pa, "no_plan")  # GET with record=False: this is the one
        messages.info(request, _("This case has no support plan yet."))
        return redirect(plan_url(pa.case.pk))
    form = plan_forms.PrintForm(request.GET if request.GET else None)
    if form.is_bound and form.is_valid():
        parts, language = form.cleaned_data["parts"], form.cleaned_data["language"]
    else:  # opened without choosing: the usual parts, in the language of the page
        parts, language = list(pv.PRINT_DEFAULTS), _copy_language()
    services.record_print(actor=request.user, case=pa.case, plan=pa.plan, parts=parts)
    opener = Opener(request.user, shredded=pa.case.survivor.is_shredded)
    with translation.override(language):
        context = {
            "case": pa.case, "plan": pa.plan, "goals": _opened_goals(pa.plan, opener),
            "show": set(parts), "language": language,
            # She chose to print the name: shown even where cases are labelled by code.
            "name": case_summary(pa.case, actor=request.user, reveal_name=True).name
            if pv.PrintPart.NAME in parts else "",
            "back_url": plan_url(pa.case.pk),
        }
        response = render(request, "plans/print.html", context)
    return response
