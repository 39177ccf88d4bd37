"""Forms of the partner's pages: the provider's answer to a referral.

They parse and check input; who may take a step, and when, is the workflow's to decide
(``referrals.workflow``), and the services check every value again.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals import services
from referrals import vocabularies as rv


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("Choose…")), *choices]


class AcceptForm(forms.Form):
    """Accepting asks for nothing but the button: the step itself is the answer."""

    prefix = "accept"


class DeclineForm(forms.Form):
    prefix = "decline"

    reason = forms.ChoiceField(
        label=_("Why can you not take her on?"),
        choices=_blank(rv.DeclineReason.choices),
        error_messages={
            "required": _("Choose why the referral is declined."),
            "invalid_choice": _("Choose why the referral is declined."),
        },
    )
    note = forms.CharField(
        label=_("Note for the caseworker"),
        max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the caseworker should know, for instance where else she might be "
            "referred. Only the referring organisation reads it."
        ),
        error_messages={"required": _("Add a note for the caseworker.")},
    )


class CompleteForm(forms.Form):
    prefix = "complete"

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=_blank(rv.CompletionOutcome.choices),
        error_messages={
            "required": _("Choose the outcome."),
            "invalid_choice": _("Choose the outcome."),
        },
    )
    note = forms.CharField(
        label=_("Note on the outcome"),
        required=False,
        max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Only the referring organisation reads it."),
    )


# The steps a provider answers with, by the name the URL uses.
STEP_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "complete": CompleteForm,
}
