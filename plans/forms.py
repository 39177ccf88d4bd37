"""Forms of the support plan and the assistance record.

Field names are those of the service arguments, so a service's refusal lands on its
field (``add_service_errors``). Choices of people and referrals come from the case the
view fetched: nothing of another case can be offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from cases import vocabularies as cv
from cases.forms.management import CloseForm
from cases.services.work import people_who_can_work
from plans import vocabularies as pv
from plans.models import GoalAction
from referrals.models import Referral

DATE = {"type": "date"}


def _date(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=required,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **kwargs,
    )


def _text(label: Any, *, required: bool = True, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, strip=True,
        widget=forms.Textarea(attrs={"rows": rows}), **kwargs,
    )


class AgreementForm(forms.Form):
    agreed_on = _date(_("Agreed on"), initial=timezone.localdate)
    method = forms.ChoiceField(label=_("How she agreed"), choices=cv.ConsentMethod.choices,
                               widget=forms.RadioSelect)
    agreed_by = forms.ChoiceField(label=_("Who agreed"), choices=pv.AgreedBy.choices,
                                  widget=forms.RadioSelect)
    child_assent = forms.BooleanField(
        label=_("She gave her own assent"), required=False,
        help_text=_("Required for a child: her guardian agrees, and she assents."),
    )
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"), required=False,
        choices=[("", _("No interpreter")), *cv.Language.choices],
    )
    note = _text(_("Note on the agreement"), required=False,
                 help_text=_("Who was there, and anything she asked to change."))


class GoalForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=pv.Area.choices)
    wording = _text(_("Her goal, in her own words"))


class ActionForm(forms.Form):
    description = _text(_("What will be done"), rows=2)
    performer = forms.ChoiceField(label=_("Who does it"), choices=pv.Performer.choices,
                                  widget=forms.RadioSelect, initial=pv.Performer.CASEWORKER)
    assignee = forms.ModelChoiceField(
        label=_("Colleague"), required=False, queryset=None,
        help_text=_("Only when a colleague does it."),
    )
    referral = forms.ModelChoiceField(
        label=_("Referral"), required=False, queryset=None,
        help_text=_("Only when a provider does it, through one of her referrals."),
    )
    due_on = _date(_("Due on"), required=False)

    def __init__(self, *args: Any, case: Any, choices_of: ActionForm | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people_who_can_work(case)
        self.fields["assignee"].label_from_instance = lambda user: user.display_name
        self.fields["referral"].queryset = (
            Referral.objects.filter(case=case).select_related("offering").order_by("-created_at")
        )
        self.fields["referral"].label_from_instance = (
            lambda referral: f"{referral.offering.name} · {referral.get_state_display()}"
        )
        if choices_of is not None:
            # One form per goal on the plan page: their choices are read once, not per goal.
            for name in ("assignee", "referral"):
                self.fields[name].choices = choices_of.shared_choices(name)

    def shared_choices(self, name: str) -> list:
        cache = self.__dict__.setdefault("_shared", {})
        if name not in cache:
            cache[name] = list(self.fields[name].choices)
        return cache[name]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=pv.ActionStatus.choices)
    drop_reason = forms.ChoiceField(
        label=_("Why it was dropped"), required=False,
        choices=[("", _("Not dropped")), *pv.DropReason.choices],
    )

    def __init__(self, *args: Any, action_id: Any = None, **kwargs: Any) -> None:
        # One form per action on the plan page: the prefix keeps their ids apart.
        super().__init__(*args, prefix=f"action-{action_id}" if action_id else None, **kwargs)


def _goal_fields(form: forms.Form, goals: Iterable[tuple[Any, str]], choices: type,
                 initial: dict | None = None) -> None:
    form.goal_keys = []
    for goal, wording in goals:
        key = f"goal_{goal.pk}"
        form.fields[key] = forms.ChoiceField(
            label=f"{goal.get_area_display()}: {wording}", choices=choices.choices,
            widget=forms.RadioSelect, initial=(initial or {}).get(str(goal.pk)),
        )
        form.goal_keys.append((key, goal.pk))


class ReviewForm(forms.Form):
    """Progress per goal (one radio group each) and a short sealed note."""

    note = _text(_("Review note"), required=False, rows=4)

    def __init__(self, *args: Any, goals: Iterable[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _goal_fields(self, goals, pv.Progress)
        self.order_fields([key for key, _pk in self.goal_keys] + ["note"])

    def progress(self) -> dict[str, str]:
        return {str(pk): self.cleaned_data[key] for key, pk in self.goal_keys}


class FinalReviewForm(CloseForm):
    """Closing a case with a plan in force: each goal met, partly met or not met, the
    closure reason, and the re-trafficking check-ins the case closure always asks for."""

    note = _text(_("Final review note"), required=False, rows=4)

    def __init__(self, *args: Any, goals: Iterable[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _goal_fields(self, goals, pv.FinalOutcome)

    def review_fields(self) -> list[forms.BoundField]:
        """Her goals first, then how and why the case closes, then the note."""
        goals = [self[key] for key, _pk in self.goal_keys]
        return [*goals, *self.main_fields(), self["note"]]

    def outcomes(self) -> dict[str, str]:
        return {str(pk): self.cleaned_data[key] for key, pk in self.goal_keys}

    def check_in_dates(self) -> list:
        return [
            self.cleaned_data[f"check_in_{months}_on"]
            for months, _due_on in self.schedule
            if self.cleaned_data.get(f"check_in_{months}")
            and self.cleaned_data.get(f"check_in_{months}_on")
        ]


class AssistanceForm(forms.Form):
    category = forms.ChoiceField(label=_("Kind of assistance"), choices=pv.Area.choices)
    started_on = _date(_("From"), initial=timezone.localdate)
    ended_on = _date(_("Until"), required=False, help_text=_("For a period, e.g. a stay."))
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1,
                                  max_value=10_000)
    unit = forms.ChoiceField(label=_("Counted in"), required=False,
                             choices=[("", _("Nothing to count")), *pv.Unit.choices])
    provider = forms.ModelChoiceField(label=_("Provided by"), queryset=None)
    goal_action = forms.ModelChoiceField(
        label=_("For the action"), required=False, queryset=None,
        help_text=_("The action of her plan this assistance serves."),
    )
    note = _text(_("Note"), required=False, rows=2)

    def __init__(self, *args: Any, case: Any, action_labels: dict | None = None,
                 confirming: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Her own organisation, or one her referrals went to.
        referred_to = Referral.objects.filter(case=case).values("provider_id")
        self.fields["provider"].queryset = Organization.objects.filter(
            Q(pk=case.organization_id) | Q(pk__in=referred_to)
        ).order_by("name")
        self.fields["provider"].initial = case.organization_id
        self.fields["goal_action"].queryset = GoalAction.objects.filter(goal__plan__case=case)
        labels = action_labels or {}
        self.fields["goal_action"].label_from_instance = (
            lambda action: labels.get(action.pk) or str(_("An action of her plan"))
        )
        if confirming:  # the provider is the referral's, not the caseworker's to change
            del self.fields["provider"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if (cleaned.get("quantity") is None) != (not cleaned.get("unit")):
            self.add_error("unit", _("Give the quantity and what it counts together."))
        return cleaned


class OwnLanguageSelect(forms.Select):
    """Languages each named in itself ("English" on a Spanish page): every option carries
    its own ``lang``, so that a screen reader says the name in that language (WCAG 3.1.2)
    and it is not taken for an untranslated string."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class PrintForm(forms.Form):
    """What her copy shows; read from the GET query of the print page."""

    parts = forms.MultipleChoiceField(
        label=_("What her copy shows"), choices=pv.PrintPart.choices, required=False,
        widget=forms.CheckboxSelectMultiple, initial=pv.PRINT_DEFAULTS,
        help_text=_("Her safe contact is never printed."),
    )
    language = forms.ChoiceField(
        label=_("Language of her copy"), choices=[("es", "Español"), ("en", "English")],
        initial="es", widget=OwnLanguageSelect,
    )
