"""Forms for the first meeting and for each section of the intake, filled in any order.

Coded answers are choices, never free text. Everything free-text here is sealed by the
services; nothing in these forms is logged or put in a message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as v
from cases.services.intake import PROFILE_FIELDS, AgeFacts, Guardian, Identity, SafeContact

if TYPE_CHECKING:
    from accounts.models import User

MAX_AGE = 110
SHORT = 200
LONG = 20_000

ONLINE_METHODS = (v.RecruitmentMethod.ONLINE_SOCIAL, v.RecruitmentMethod.ONLINE_AD)


def _blank(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("— not recorded —")), *choices]


def _text(
    label: Any, *, max_length: int = SHORT, help_text: Any = "", **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text, **kwargs
    )


def _area(label: Any, *, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=LONG,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _checkboxes(label: Any, choices: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class _CleanText(forms.Form):
    """Strips NUL bytes from every text answer: they cannot be stored and are never meant."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = value.replace("\x00", "")
        return data


# --- identity -------------------------------------------------------------------------


class IdentityForm(_CleanText):
    """Who she is, as far as she wants to say: every field may stay empty but the guardian
    of someone who may be a child."""

    given_names = _text(_("Given names"), widget=forms.TextInput(attrs={"autocomplete": "off"}))
    family_names = _text(_("Family names"), widget=forms.TextInput(attrs={"autocomplete": "off"}))
    aliases = _text(
        _("Other names she uses"),
        help_text=_("Nicknames or names the network gave her."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
        help_text=_("If she does not know it, give an estimated age instead."),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    age_uncertain = forms.BooleanField(
        label=_("Age uncertain — she may be under 18"),
        required=False,
        help_text=_("Tick it when in doubt: she is then treated as a child and needs a guardian."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(v.Gender.choices), required=False)
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_blank(v.Nationality.choices), required=False
    )
    languages = _checkboxes(_("Languages she speaks"), v.Language.choices)
    guardian_name = _text(
        _("Guardian's name"), widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    guardian_relationship = _text(
        _("Guardian's relationship to her"),
        help_text=_("For example: mother, aunt, child protection officer."),
    )
    guardian_contact = _text(_("How to reach the guardian"))

    age_fields = ("birth_date", "estimated_age", "age_uncertain")
    guardian_fields = ("guardian_name", "guardian_relationship", "guardian_contact")
    person_fields = ("given_names", "family_names", "aliases")
    coded_fields = ("gender", "nationality", "languages")

    def clean_birth_date(self) -> Any:
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date is None:
            return None
        today = timezone.localdate()
        if birth_date > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if today.year - birth_date.year > MAX_AGE:
            raise forms.ValidationError(_("Check the year of birth: it is too long ago."))
        return birth_date

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        facts = AgeFacts(
            data.get("birth_date"), data.get("estimated_age"), bool(data.get("age_uncertain"))
        )
        if facts.is_child and not self.guardian().is_complete():
            if not (data.get("guardian_name") or "").strip():
                self.add_error(
                    "guardian_name", _("She may be under 18: write her guardian's name.")
                )
            if not (data.get("guardian_relationship") or "").strip():
                self.add_error(
                    "guardian_relationship",
                    _("She may be under 18: write how her guardian is related to her."),
                )
        return data

    def identity(self, *, family_contacts: str = "") -> Identity:
        data = self.cleaned_data
        return Identity(
            given_names=data["given_names"].strip(),
            family_names=data["family_names"].strip(),
            aliases=data["aliases"].strip(),
            birth_date=data["birth_date"],
            estimated_age=data["estimated_age"],
            age_uncertain=bool(data["age_uncertain"]),
            gender=data["gender"],
            nationality=data["nationality"],
            languages=list(data["languages"]),
            family_contacts=family_contacts,
        )

    def guardian(self) -> Guardian:
        data = self.cleaned_data
        return Guardian(
            name=(data.get("guardian_name") or "").strip(),
            relationship=(data.get("guardian_relationship") or "").strip(),
            contact=(data.get("guardian_contact") or "").strip(),
        )

    def add_guardian_error(self, messages: list[str]) -> None:
        for message in messages:
            self.add_error("guardian_name", message)

    @classmethod
    def initial_from(cls, identity: Identity, guardian: Guardian) -> dict[str, Any]:
        return {
            "given_names": identity.given_names,
            "family_names": identity.family_names,
            "aliases": identity.aliases,
            "birth_date": identity.birth_date,
            "estimated_age": identity.estimated_age,
            "age_uncertain": identity.age_uncertain,
            "gender": identity.gender,
            "nationality": identity.nationality,
            "languages": identity.languages,
            "guardian_name": guardian.name,
            "guardian_relationship": guardian.relationship,
            "guardian_contact": guardian.contact,
        }


class IntakeForm(IdentityForm):
    """The first meeting: only what a first meeting can give, plus one document if she
    shows one (it helps find an existing record)."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)
    document_kind = forms.ChoiceField(
        label=_("Document type"), choices=_blank(v.DocumentType.choices), required=False
    )
    document_number = _text(
        _("Document number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    register_anyway = forms.BooleanField(
        label=_("I have checked: this is a different person. Register anyway."), required=False
    )

    document_fields = ("document_kind", "document_number")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import Team

        teams = (
            Team.objects.filter(organization_id=actor.organization_id)
            .filter(
                pk__in=[
                    *actor.teams.values_list("pk", flat=True),
                    *actor.supervised_teams.values_list("pk", flat=True),
                ]
            )
            .order_by("name")
        )
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
        else:
            self.fields["team"].empty_label = _("— choose her team —")
        self.has_teams = bool(teams)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, number = data.get("document_kind"), (data.get("document_number") or "").strip()
        if number and not kind:
            self.add_error("document_kind", _("Say what kind of document this number is from."))
        if kind and not number:
            self.add_error(
                "document_number", _("Write the document number, or leave the type empty.")
            )
        return data

    def documents(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        number = (data.get("document_number") or "").strip()
        if not number:
            return []
        return [
            {
                "kind": data["document_kind"],
                "number": number,
                "issuing_country": "",
                "held_by_survivor": True,
            }
        ]


# --- documents ------------------------------------------------------------------------


class DocumentForm(_CleanText):
    kind = forms.ChoiceField(
        label=_("Document type"), choices=_blank(v.DocumentType.choices), required=False
    )
    number = _text(
        _("Number"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    issuing_country = forms.ChoiceField(
        label=_("Issued by"), choices=_blank(v.Nationality.choices), required=False
    )
    held_by_survivor = forms.BooleanField(
        label=_("She has it with her"),
        required=False,
        initial=True,
        help_text=_("Untick when the network or someone else holds it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, number = data.get("kind"), (data.get("number") or "").strip()
        if number and not kind:
            self.add_error("kind", _("Say what kind of document this is."))
        elif kind and not number:
            self.add_error("number", _("Write the number, or leave this row empty."))
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("kind") and not (data.get("number") or "").strip()


class _BaseRows(forms.BaseFormSet):
    """A small formset whose empty rows are simply skipped."""

    def rows(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data for form in self.forms if form.has_changed() and not form.is_blank()
        ]


DocumentFormSet = forms.formset_factory(
    DocumentForm, formset=_BaseRows, extra=1, max_num=10, absolute_max=10, validate_max=True
)


# --- safe contact ---------------------------------------------------------------------


class SafeContactForm(_CleanText):
    channel = forms.ChoiceField(
        label=_("How she can be contacted safely"),
        choices=_blank(v.ContactChannel.choices, _("— not yet asked —")),
        required=False,
        help_text=_("Choose “Do not contact” when any contact could put her at risk."),
    )
    address = _text(
        _("Number or address"),
        help_text=_("Only one she says is safe."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    safe_times = _text(
        _("Safe times to contact her"), help_text=_("For example: weekdays 10:00–12:00.")
    )
    may_leave_message = forms.BooleanField(label=_("A message may be left"), required=False)
    code_word = _text(
        _("Code word"),
        max_length=100,
        help_text=_("A word she will recognise, so she knows it is really us."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    detail_fields = ("address", "safe_times", "may_leave_message", "code_word")

    def contact(self) -> SafeContact:
        data = self.cleaned_data
        return SafeContact(
            channel=data["channel"],
            address=data["address"].strip(),
            safe_times=data["safe_times"].strip(),
            may_leave_message=bool(data["may_leave_message"]),
            code_word=data["code_word"].strip(),
        )


# --- trafficking profile --------------------------------------------------------------


class ProfileForm(_CleanText):
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"),
        choices=v.TraffickingStatus.choices,
        initial=v.TraffickingStatus.POSSIBLE,
    )
    determined_by = forms.ChoiceField(
        label=_("Determined by"), choices=_blank(v.DeterminedBy.choices), required=False
    )
    identification_place = forms.ChoiceField(
        label=_("Place of identification"),
        choices=_blank(v.IdentificationPlace.choices),
        required=False,
        help_text=_("The region where she was identified, not the town or the address."),
    )
    exploitation_types = _checkboxes(_("Types of exploitation"), v.ExploitationType.choices)
    labour_industry = forms.ChoiceField(
        label=_("Industry (forced labour)"),
        choices=_blank(v.LabourIndustry.choices),
        required=False,
    )
    recruitment_methods = _checkboxes(_("How she was recruited"), v.RecruitmentMethod.choices)
    recruitment_platform = forms.ChoiceField(
        label=_("Platform used to recruit her"),
        choices=_blank(v.RecruitmentPlatform.choices),
        required=False,
        help_text=_("Needed when she was recruited online."),
    )
    recruiter_relationship = forms.ChoiceField(
        label=_("Her relationship to the recruiter"),
        choices=_blank(v.RecruiterRelationship.choices),
        required=False,
    )
    means_of_control = _checkboxes(_("Means of control"), v.MeansOfControl.choices)
    debt_amount = forms.DecimalField(
        label=_("Debt (“fines”) claimed"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("9999999999.99"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    debt_currency = forms.ChoiceField(
        label=_("Currency"), choices=_blank(v.Currency.choices), required=False
    )
    perpetrators = _area(
        _("Perpetrators"),
        rows=4,
        help_text=_("What she says about them: names, nicknames, descriptions. Sealed."),
    )

    coded_fields = PROFILE_FIELDS  # what update_profile takes, named once

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        online = set(data.get("recruitment_methods") or []) & set(ONLINE_METHODS)
        if online and not data.get("recruitment_platform"):
            self.add_error(
                "recruitment_platform", _("Choose the platform: she was recruited online.")
            )
        if data.get("debt_amount") is not None and not data.get("debt_currency"):
            self.add_error("debt_currency", _("Choose the currency of the debt."))
        types = data.get("exploitation_types") or []
        if data.get("labour_industry") and v.ExploitationType.FORCED_LABOUR not in types:
            self.add_error(
                "labour_industry",
                _(
                    "The industry is recorded only for forced labour: tick it above, "
                    "or leave this empty."
                ),
            )
        return data

    def coded(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.coded_fields}
        values["recruitment_methods"] = list(values["recruitment_methods"])
        if not set(values["recruitment_methods"]) & set(ONLINE_METHODS):
            values["recruitment_platform"] = ""
        if values["debt_amount"] is None:
            values["debt_currency"] = ""
        values["exploitation_types"] = list(values["exploitation_types"])
        values["means_of_control"] = list(values["means_of_control"])
        return values


# --- route ----------------------------------------------------------------------------


class RouteStopForm(_CleanText):
    kind = forms.ChoiceField(
        label=_("Kind of stop"), choices=_blank(v.RouteStopKind.choices), required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=_blank(v.Nationality.choices), required=False
    )
    place = _text(_("Place"), help_text=_("Town, district or landmark, as she says it."))
    when = _text(
        _("Approximate dates"), max_length=100, help_text=_("For example: March 2024, two weeks.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("kind") and any(
            (data.get(name) or "").strip() for name in ("country", "place", "when")
        ):
            self.add_error("kind", _("Say what kind of stop this was."))
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            (data.get(name) or "").strip() for name in ("kind", "country", "place", "when")
        )


RouteFormSet = forms.formset_factory(
    RouteStopForm, formset=_BaseRows, extra=5, max_num=20, absolute_max=20, validate_max=True
)


# --- needs and narrative --------------------------------------------------------------


class NeedsForm(_CleanText):
    immediate_needs = _checkboxes(_("What she needs now"), v.ServiceType.choices)
    needs_note = _area(_("Notes on her needs"), rows=3)
    narrative = _area(
        _("Her account"),
        rows=10,
        help_text=_(
            "In her words, as far as she wants to tell it. Sealed; only people with "
            "access to this case can read it."
        ),
    )
