"""Forms for working a case. They parse and check input; the rules live in the services.

Each form has its own prefix, because several of them share the case page.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from cases import filetypes
from cases import vocabularies as v
from cases.services import consent as consent_services
from cases.services import links as link_services
from cases.services import work as services


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class NoteForm(forms.Form):
    prefix = "note"

    body = forms.CharField(
        label=_("Note"),
        max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only people who can see this case can read it."),
        error_messages={"required": _("Write the note before saving it.")},
    )


class AttachmentForm(forms.Form):
    prefix = "attachment"

    kind = forms.ChoiceField(
        label=_("What is it?"), choices=_blank(_("Choose…")) + list(v.AttachmentKind.choices),
        error_messages={"required": _("Choose what kind of document this is.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, photo (JPEG or PNG), plain text, Word or OpenDocument text."),
        error_messages={"required": _("Choose a file to attach.")},
    )

    def __init__(self, *args, upload_refused: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = filetypes.attachment_max_bytes() // (1024 * 1024)
        if upload_refused:
            # The upload handler stopped the file as it arrived (core/uploads.py), so
            # there is no file to clean: say why, not "choose a file".
            self.fields["file"].error_messages["required"] = _(
                "The file is too large. Files may be at most %(size)s MB."
            ) % {"size": limit}
        self.fields["file"].help_text = _(
            "PDF, photo (JPEG or PNG), plain text, Word or OpenDocument text; at most "
            "%(size)s MB."
        ) % {"size": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            filetypes.check_upload(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
        return upload


class FollowUpForm(forms.Form):
    prefix = "follow_up"

    kind = forms.ChoiceField(
        label=_("What kind?"), choices=_blank(_("Choose…")) + list(v.FollowUpKind.choices),
        error_messages={"required": _("Choose what kind of follow-up this is.")},
    )
    due_on = forms.DateField(
        label=_("Due on"), widget=_date_input(),
        error_messages={"required": _("Give the date it is due."),
                        "invalid": _("Give a date such as 2026-03-31.")},
    )
    assignee = forms.ModelChoiceField(
        label=_("Who will do it?"), queryset=None, empty_label=None,
        error_messages={"required": _("Choose someone who works on this case."),
                        "invalid_choice": _("Choose someone who works on this case.")},
    )

    def __init__(self, *args, case, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = services.people_who_can_work(case)
        self.fields["assignee"].label_from_instance = lambda user: user.display_name
        if not self.is_bound:
            self.initial.setdefault("assignee", actor.pk)


class FollowUpDoneForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened?"), choices=v.FollowUpOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, follow_up_id=None, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"done-{follow_up_id}-%s" if follow_up_id else "done-%s")
        super().__init__(*args, **kwargs)


class RiskAssessmentForm(forms.Form):
    prefix = "risk"

    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=_date_input(), initial=timezone.localdate,
        error_messages={"required": _("Give the date of the assessment."),
                        "invalid": _("Give a date such as 2026-03-31.")},
    )
    level = forms.ChoiceField(
        label=_("Risk level"), choices=v.RiskLevel.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a risk level.")},
    )
    factors = forms.MultipleChoiceField(
        label=_("Risk factors"), choices=v.RiskFactor.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_review_on = forms.DateField(
        label=_("Next review"), required=False, widget=_date_input(),
        help_text=_("When the risk should be looked at again."),
        error_messages={"invalid": _("Give a date such as 2026-03-31.")},
    )


class SafetyPlanForm(forms.Form):
    prefix = "safety"

    plan = forms.CharField(
        label=_("Safety plan"), required=False, max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Safe places, people to call, what to do if she is found."),
    )


class ConsentForm(forms.Form):
    prefix = "consent"

    purpose = forms.ChoiceField(
        label=_("Consent for"), choices=_blank(_("Choose…")) + list(v.ConsentPurpose.choices),
        error_messages={"required": _("Choose what the consent is for.")},
    )
    recipient_organization = forms.ModelChoiceField(
        label=_("Recipient organisation"), queryset=Organization.objects.order_by("name"),
        required=False, empty_label=_("— none —"),
    )
    recipient_service_type = forms.ChoiceField(
        label=_("or type of recipient"),
        choices=_blank(_("— none —")) + list(v.ConsentRecipientType.choices), required=False,
        help_text=_("For a referral or sharing with authorities, name at least one."),
    )
    scope = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=v.ConsentScope.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label=_("Her answer"), widget=forms.RadioSelect,
        choices=[("given", _("She agrees")), ("refused", _("She refuses"))],
        error_messages={"required": _("Say whether she agrees or refuses.")},
    )
    method = forms.ChoiceField(
        label=_("How"), choices=v.ConsentMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Say how she gave or refused consent.")},
    )
    given_by = forms.ChoiceField(label=_("By whom"), widget=forms.RadioSelect)
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"),
        choices=_blank(_("No interpreter")) + list(v.Language.choices), required=False,
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"), required=False, widget=_date_input(),
        error_messages={"invalid": _("Give a date such as 2026-03-31.")},
    )

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = consent_services.allowed_givers(case)
        self.fields["given_by"].choices = [
            (value, label) for value, label in v.ConsentGivenBy.choices if value in allowed
        ]
        self.fields["given_by"].initial = allowed[0]
        self.fields["given_by"].error_messages["invalid_choice"] = (
            _("She may be a child: consent is given by a guardian, with her assent.")
            if case.is_child
            else _("She is an adult: only she can give or refuse consent.")
        )
        if case.is_child:
            self.fields["given_by"].help_text = _(
                "She may be under 18: her guardian consents and she gives her assent."
            )


class WithdrawConsentForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is it withdrawn?"),
        choices=_blank(_("Choose…")) + [
            (reason.value, reason.label) for reason in v.CHOSEN_WITHDRAWAL_REASONS
        ],
        error_messages={"required": _("Choose why the consent is withdrawn.")},
    )

    def __init__(self, *args, consent_id=None, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"withdraw-{consent_id}-%s" if consent_id else "withdraw-%s")
        super().__init__(*args, **kwargs)


class NewLinkGroupForm(forms.Form):
    prefix = "new_group"

    label = forms.CharField(
        label=_("Group name"), max_length=link_services.LABEL_MAX_CHARS,
        help_text=_("For example: same house, Mollendo 2026. Only people who can see a case "
                    "in the group can read it."),
        error_messages={"required": _("Give the group a name, such as the house or place.")},
    )


class JoinLinkGroupForm(forms.Form):
    prefix = "join_group"

    group = forms.ModelChoiceField(
        label=_("Group"), queryset=None, empty_label=_("Choose…"),
        error_messages={"required": _("Choose one of the groups listed."),
                        "invalid_choice": _("Choose one of the groups listed.")},
    )

    def __init__(self, *args, case, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = link_services.joinable_link_groups(actor=actor, case=case)
        self.fields["group"].label_from_instance = (
            lambda group: link_services.joinable_group_choice_label(group, actor=actor)
        )
