"""Forms of the case side of referrals: the referral itself and each step a caseworker or
supervisor takes. They parse input and offer only what the case may use; the rules
(consent, children, places, minimum necessary) live in ``referrals.services``.

Each step form has its own prefix (the step's name), because several share the referral
page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as cv
from core.labels import labels
from referrals import services
from referrals import vocabularies as rv
from referrals.models import ServiceOffering
from referrals.queries import referable_offerings
from referrals.workflow import Step

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models import Case
    from referrals.models import Referral

NOTE_EXCERPT_CHARS = 80



def describe_offering(offering: ServiceOffering) -> dict[str, Any]:
    """What a caseworker may know of a service when choosing it: never its address."""
    return {
        "name": offering.name,
        "organization": str(offering.organization),
        "city": offering.city,
        "region": offering.region,
        "service_type": offering.get_service_type_display(),
        "languages": labels(offering.languages, cv.Language),
        "accepts_children": offering.accepts_children,
        "genders": labels(offering.genders_served, cv.Gender),
        "hours": offering.hours,
        "is_shelter": offering.is_shelter,
        "free_places": offering.free_places,
        "is_full": offering.is_full,
    }


class OfferingChoiceField(forms.ModelChoiceField):
    """A service of the directory; the page shows its details from the instance."""

    def label_from_instance(self, offering: ServiceOffering) -> str:
        return f"{offering.name} · {offering.organization} · {offering.city}"


class ChooseServiceForm(forms.Form):
    """The first step of a new referral (sent by GET): which service."""

    offering = OfferingChoiceField(
        label=_("Service"), queryset=ServiceOffering.objects.none(), widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the service to refer her to."),
                        "invalid_choice": _("Choose a service from the list.")},
    )

    def __init__(self, *args, case: Case, actor: User, service_type: str = "",
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offerings = referable_offerings(actor, case)
        if service_type in cv.ServiceType.values:
            offerings = offerings.filter(service_type=service_type)
        self.fields["offering"].queryset = offerings


class ServiceTypeFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Kind of service"), required=False,
        choices=[("", _("All kinds"))] + list(cv.ServiceType.choices),
    )


class ReferralForm(forms.Form):
    """A draft referral: new (with its service) or edited (the service stays)."""

    offering = forms.ModelChoiceField(
        queryset=ServiceOffering.objects.none(), widget=forms.HiddenInput,
        error_messages={"required": _("Choose the service to refer her to."),
                        "invalid_choice": _("This service cannot take her referral. "
                                            "Choose another one.")},
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=rv.Urgency.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent the referral is.")},
    )
    reason = forms.CharField(
        label=_("Why is she referred, and what does she need from this service?"),
        max_length=services.REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The provider reads this once the referral is sent."),
        error_messages={"required": _("Say why she is referred and what she needs.")},
    )
    items = forms.MultipleChoiceField(
        label=_("What to share with the provider"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note_ids = forms.MultipleChoiceField(
        label=_("Notes to share"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("A note is shared in full. Notes are more than any service needs: "
                    "share one only for a risk to her life, and say why below."),
        error_messages={"invalid_choice": _("Choose the notes to share from this case.")},
    )
    beyond_minimum_reason = forms.CharField(
        label=_("Risk to life: why must more than the minimum be shared?"), required=False,
        max_length=services.REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when you share more than this service needs (unticked by "
                    "default). The reason is recorded and sent with the referral."),
    )

    def __init__(
        self, *args, case: Case, actor: User, notes: list[dict] | None = None,
        offering: ServiceOffering | None = None, referral: Referral | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        if referral is not None:
            # The service of a draft stays; to refer elsewhere, start a new referral.
            del self.fields["offering"]
            offering = referral.offering
        else:
            self.fields["offering"].queryset = referable_offerings(actor, case)
            if offering is not None and not self.is_bound:
                self.initial["offering"] = offering.pk
        self.offering = offering
        minimum = set(rv.minimum_necessary(offering.service_type)) if offering else set()
        self.minimum = minimum
        choices = []
        for value, label in rv.PacketItem.choices:
            if value == rv.PacketItem.NOTES:
                continue  # chosen note by note, below
            if value == rv.PacketItem.GUARDIAN and not case.is_child:
                continue  # only a child's packet carries her guardian
            if value in minimum:
                label = _("%(item)s (needed by this service)") % {"item": label}
            choices.append((value, label))
        self.fields["items"].choices = choices
        if notes:
            self.fields["note_ids"].choices = [
                (str(row["note"].pk), row["label"]) for row in notes
            ]
        else:
            del self.fields["note_ids"]
        if not self.is_bound and referral is None and offering is not None:
            # "Minimum necessary" is pre-selected; anything more is her own choice.
            self.initial.setdefault(
                "items", [value for value, _label in choices if value in minimum]
            )

    @property
    def minimum_labels(self) -> list[str]:
        offered = {value for value, _label in self.fields["items"].choices}
        return [
            str(label) for value, label in rv.PacketItem.choices
            if value in self.minimum and value in offered
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        items = list(data.get("items") or [])
        if data.get("note_ids"):
            items.append(rv.PacketItem.NOTES.value)
        data["items"] = items
        data.setdefault("note_ids", [])
        return data


def note_choices(notes: list[Any], opener: Any) -> list[dict]:
    """The case's notes as the form lists them: date and a short opening excerpt."""
    rows = []
    for note in notes:
        opened = opener(note, "body")
        if opened.problem:
            excerpt = str(_("(cannot be opened)"))
        else:
            text = " ".join(opened.text.split())
            excerpt = text if len(text) <= NOTE_EXCERPT_CHARS else (
                text[: NOTE_EXCERPT_CHARS - 1].rstrip() + "…"
            )
        date = timezone.localtime(note.created_at).date().isoformat()
        rows.append({"note": note, "label": f"{date} — {excerpt}"})
    return rows


# --- the steps -------------------------------------------------------------------------


class _PlacesConfirmation(forms.Form):
    confirm_without_places = forms.BooleanField(
        label=_("Refer her anyway, although the shelter has no free places"), required=False,
    )

    def __init__(self, *args, show_confirm: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not show_confirm:
            self.fields["confirm_without_places"].widget = forms.HiddenInput()


class SubmitForm(_PlacesConfirmation):
    prefix = Step.SUBMIT.value


class ApproveForm(forms.Form):
    prefix = Step.APPROVE.value


class ReturnForm(forms.Form):
    prefix = Step.RETURN.value

    note = forms.CharField(
        label=_("What should the caseworker change?"), max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the caseworker should change.")},
    )


class SendEmergencyForm(_PlacesConfirmation):
    prefix = Step.SEND_EMERGENCY.value

    reason = forms.CharField(
        label=_("Why can it not wait for a supervisor's approval?"),
        max_length=services.NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is sent at once; a supervisor of the team reviews it afterwards."),
        error_messages={"required": _("Say why this cannot wait for approval.")},
    )
    field_order = ["reason", "confirm_without_places"]


class CompleteForm(forms.Form):
    prefix = Step.COMPLETE.value

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=rv.CompletionOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    prefix = Step.WITHDRAW.value

    reason = forms.ChoiceField(
        label=_("Why is it withdrawn?"), choices=rv.CHOSEN_WITHDRAW_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the referral is withdrawn.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    prefix = "review"

    finding = forms.ChoiceField(
        label=_("What did you find?"), choices=rv.ReviewFinding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you found.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you raise a concern."),
    )


# The case side's steps and their forms; accept and decline belong to the provider.
STEP_FORMS: dict[Step, type[forms.Form]] = {
    Step.SUBMIT: SubmitForm,
    Step.APPROVE: ApproveForm,
    Step.RETURN: ReturnForm,
    Step.SEND_EMERGENCY: SendEmergencyForm,
    Step.COMPLETE: CompleteForm,
    Step.WITHDRAW: WithdrawForm,
}
PLACES_STEPS = (Step.SUBMIT, Step.SEND_EMERGENCY)


def step_form(step: Step, data: Any = None, *, show_confirm: bool = False) -> forms.Form:
    form_class = STEP_FORMS[step]
    if step in PLACES_STEPS:
        return form_class(data, show_confirm=show_confirm)
    return form_class(data)
