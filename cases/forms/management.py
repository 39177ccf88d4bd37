"""Forms for managing a case: assign, share, close and reopen, emergency access, shredding.

Coded answers are choices; the only free text is the emergency reason, which the service
seals with the survivor's key.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import vocabularies as v
from cases.services import management as services

if TYPE_CHECKING:
    from accounts.models import Team, User
    from cases.models import Case

# PE-2026-0042: a prefix, the year and a number. Anything else (a name typed into the
# wrong box at 2 a.m.) is refused before it can reach the audit log.
CASE_CODE = re.compile(r"^[A-Z]{1,6}-\d{4}-\d{1,8}$")


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        label=_("Caseworker"),
        help_text=_("People of the teams you supervise. Choosing someone of another team moves "
                    "the case to that team."),
    )

    def __init__(self, *args: object, actor: User, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._people: dict[str, tuple[Team, User]] = {}
        groups = []
        for team, people in services.assignable_teams(actor):
            options = []
            for person in people:
                if person.pk == case.owner_id and team.pk == case.team_id:
                    continue  # she already has it
                key = f"{team.pk}:{person.pk}"
                self._people[key] = (team, person)
                options.append((key, person.display_name))
            if options:
                groups.append((team.name, options))
        self.fields["assignee"].choices = [("", _("Choose a person")), *groups]

    def clean_assignee(self) -> tuple[Team, User]:
        return self._people[self.cleaned_data["assignee"]]


class ShareForm(forms.Form):
    LEVELS = [
        ("view", _("Read only")),
        ("work", _("Read and work on it (notes, consent, follow-ups, intake)")),
    ]

    colleague = forms.ModelChoiceField(
        label=_("Colleague"), queryset=None, empty_label=_("Choose a colleague")
    )
    level = forms.ChoiceField(
        label=_("What she may do"), choices=LEVELS, widget=forms.RadioSelect, initial="view"
    )

    def __init__(self, *args: object, actor: User, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = services.share_candidates(actor, case)
        self.fields["colleague"].label_from_instance = lambda person: person.display_name


class UnshareForm(forms.Form):
    colleague = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args: object, shares: list[services.Share], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["colleague"].queryset = User.objects.filter(
            pk__in=[share.colleague.pk for share in shares]
        )
        self.fields["colleague"].error_messages["invalid_choice"] = _(
            "The case is not shared with this person."
        )


class CloseForm(forms.Form):
    """Closure, and the re-trafficking check-ins proposed for the next 24 months.

    Every proposed check-in is a tick box and a date she can move; ticked ones become
    follow-ups of the case's caseworker.
    """

    status = forms.ChoiceField(
        label=_("How the case ends"),
        choices=[
            (v.CaseStatus.CLOSED, v.CaseStatus.CLOSED.label),
            (v.CaseStatus.CLOSED_REFERRED, v.CaseStatus.CLOSED_REFERRED.label),
        ],
        widget=forms.RadioSelect,
        initial=v.CaseStatus.CLOSED,
    )
    closure_reason = forms.ChoiceField(
        label=_("Reason"), choices=v.ClosureReason.choices, widget=forms.RadioSelect
    )
    # Offered once the closure was refused for work still running (close_case).
    confirm_open_work = forms.BooleanField(
        label=_("Close the case anyway: the referrals stay as they are"), required=False
    )

    def __init__(self, *args: object, closed_on: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.schedule = services.proposed_check_ins(closed_on)
        for months, due_on in self.schedule:
            after = ngettext(
                "%(count)s month after closing", "%(count)s months after closing", months
            ) % {"count": months}
            self.fields[f"check_in_{months}"] = forms.BooleanField(
                label=after, required=False, initial=True
            )
            self.fields[f"check_in_{months}_on"] = forms.DateField(
                label=_("Date of the check-in %(months)s") % {"months": after},
                required=False, initial=due_on,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self["status"], self["closure_reason"]]

    def asks_confirmation(self) -> bool:
        """The server refused the closure for running work, or she has already confirmed."""
        field = self["confirm_open_work"]
        return bool(field.errors) or bool(self.is_bound and field.value())

    def schedule_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"check_in_{months}"], self[f"check_in_{months}_on"])
            for months, _due_on in self.schedule
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        for months, _due_on in self.schedule:
            if cleaned.get(f"check_in_{months}") and not cleaned.get(f"check_in_{months}_on"):
                self.add_error(f"check_in_{months}_on", _("Give a date, or untick this check-in."))
        return cleaned

    def check_in_dates(self) -> list[date]:
        return [
            self.cleaned_data[f"check_in_{months}_on"]
            for months, _due_on in self.schedule
            if self.cleaned_data.get(f"check_in_{months}")
        ]


class ReopenForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the case opened again?"), choices=v.ReopenReason.choices,
        widget=forms.RadioSelect,
    )


class DiscardForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I registered this case by mistake. Destroy what was entered; it can never "
                "be read again."),
    )


class ShredRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=v.ShredReason.choices, widget=forms.RadioSelect
    )
    understood = forms.BooleanField(
        label=_("I understand that once confirmed, nothing she told us can ever be read again."),
    )


class ShredConfirmForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I confirm: shred this survivor's data for good."),
        error_messages={"required": _("Tick the box to confirm the shredding.")},
    )


class EmergencyAccessForm(forms.Form):
    code = forms.CharField(
        label=_("Case code"), max_length=32, help_text=_("For example PE-2026-0042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Why do you need this case now?"), min_length=10, max_length=2000,
        help_text=_("Kept encrypted with her record. Her supervisors and the auditors see that "
                    "you opened it, not what you write here."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not CASE_CODE.match(code):
            raise ValidationError(_("A case code looks like PE-2026-0042. Check it and try again."))
        return code
