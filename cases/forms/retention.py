"""The retention queue's two decisions; fields are named after the service's arguments
(cases.services.retention), which checks them again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as v


class KeepForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the case kept?"), choices=v.RetentionKeepReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the case is kept.")},
    )
    next_review_on = forms.DateField(
        label=_("Next review"),
        help_text=_("The case comes back to this queue on this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the next review."),
                        "invalid": _("Give the date of the next review as a date.")},
    )


class ProposeShreddingForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I propose shredding: once an administrator confirms it, nothing she told "
                "us can ever be read again."),
        error_messages={"required": _("Tick the box to propose the shredding.")},
    )
