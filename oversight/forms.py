"""Forms of the auditor's pages: searching the log and reviewing emergency grants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AccessEvent, Action, Outcome
from oversight.models import GrantFinding


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{obj.username} ({name})" if name else obj.username


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class EventSearchForm(forms.Form):
    """GET filters of the access log. Every field is optional; an empty form finds all."""

    person = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    case_code = forms.CharField(
        label=_("Case code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["action"].choices = [("", _("Any action")), *Action.choices]
        self.fields["outcome"].choices = [("", _("Any outcome")), *Outcome.choices]

    def clean_case_code(self) -> str:
        return self.cleaned_data["case_code"].strip().upper()

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in self.fields)

    def filter(self, events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
        """The events matching the valid filters; with errors, none."""
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["person"]:
            events = events.filter(actor=data["person"])
        if data["case_code"]:
            events = events.filter(case_code=data["case_code"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["date_from"]:
            events = events.filter(occurred_at__gte=_local_start(data["date_from"]))
        if data["date_to"]:
            events = events.filter(
                occurred_at__lt=_local_start(data["date_to"] + timedelta(days=1))
            )
        return events


class CaseCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Case code"),
        max_length=32,
        help_text=_("For example PE-2026-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class PersonForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class GrantReviewForm(forms.Form):
    finding = forms.ChoiceField(
        label=_("Finding"), choices=GrantFinding.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Auditor's note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "About the access, for other auditors. Do not write anything about the survivor."
        ),
    )
