"""Forms of the case list: filters (GET, no content) and the exact-name search (POST).

The name a caseworker searches for is survivor content: it travels only in a POST body,
never in a URL, so it cannot end up in browser history, proxy logs or access logs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from cases import vocabularies as v
from cases.models import FollowUp

if TYPE_CHECKING:
    from cases.models import Case

CLOSED_STATUSES = (v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED)
_CODE_CHARACTERS = re.compile(r"^[A-Za-z0-9-]+$")


def teams_of(user: User) -> list[Team]:
    """The teams a person works in or supervises: the choices of the team filter."""
    return list(
        Team.objects.filter(Q(members=user) | Q(supervisors=user)).distinct().order_by("name")
    )


def people_of(teams: list[Team]) -> list[User]:
    """Members and supervisors of those teams: the choices of the owner filter."""
    if not teams:
        return []
    return list(
        User.objects.filter(Q(teams__in=teams) | Q(supervised_teams__in=teams))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def overdue_follow_ups(today) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)


class CaseFilterForm(forms.Form):
    """Filters of the case list. Every value here is a code or a choice: safe in a URL."""

    code = forms.CharField(
        label=_("Case code"),
        required=False,
        max_length=32,
        help_text=_("The whole code, its beginning (PE-2026) or its number (42)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=v.CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    risk = forms.MultipleChoiceField(
        label=_("Risk"),
        required=False,
        choices=v.RiskLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    only = forms.MultipleChoiceField(
        label=_("Only cases"),
        required=False,
        choices=[
            ("child", _("of children")),
            ("overdue", _("with an overdue follow-up")),
            ("review_overdue", _("with an overdue risk review")),
            ("do_not_contact", _("marked do not contact")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    owner = forms.ChoiceField(label=_("Caseworker"), required=False)

    def __init__(self, *args, teams: list[Team], people: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices from lists fetched once: validating and rendering cost no more queries.
        self.teams = {str(team.pk): team for team in teams}
        self.people = {str(person.pk): person for person in people}
        self.fields["team"].choices = [("", _("All teams"))] + [
            (key, team.name) for key, team in self.teams.items()
        ]
        self.fields["owner"].choices = [("", _("Everyone"))] + [
            (key, person.display_name) for key, person in self.people.items()
        ]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code and not _CODE_CHARACTERS.match(code):
            raise forms.ValidationError(
                _("A case code has only letters, digits and dashes, like PE-2026-0042.")
            )
        return code.upper()

    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def apply(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """Narrow the cases; an invalid form narrows nothing (its errors are shown)."""
        if not (self.is_bound and self.is_valid()):
            return cases
        data = self.cleaned_data
        today = timezone.localdate()
        if data["code"]:
            if data["code"].isdigit():
                # "42" or "0042": the number at the end of PE-2026-0042.
                cases = cases.filter(code__endswith=f"-{int(data['code']):04d}")
            else:
                cases = cases.filter(code__istartswith=data["code"])
        if data["status"]:
            cases = cases.filter(status__in=data["status"])
        if data["risk"]:
            cases = cases.filter(risk_level__in=data["risk"])
        only = set(data["only"])
        if "child" in only:
            cases = cases.filter(is_child=True)
        if "overdue" in only:
            cases = cases.filter(Exists(overdue_follow_ups(today)))
        if "review_overdue" in only:
            cases = cases.filter(next_risk_review_on__lt=today).exclude(status__in=CLOSED_STATUSES)
        if "do_not_contact" in only:
            cases = cases.filter(survivor__contact_channel=v.ContactChannel.DO_NOT_CONTACT)
        if data["team"]:
            cases = cases.filter(team=self.teams[data["team"]])
        if data["owner"]:
            cases = cases.filter(owner=self.people[data["owner"]])
        return cases


class NameSearchForm(forms.Form):
    """Exact name search. POSTed, never in a URL; the name is never logged or recorded."""

    full_name = forms.CharField(
        label=_("Her full name"),
        max_length=200,
        help_text=_(
            "Given names and family names exactly as registered. Accents and capitals do "
            "not matter; spelling does."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Write the name to look for."))
        return name
