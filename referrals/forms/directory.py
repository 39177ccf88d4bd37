"""Forms of the service directory: searching it, keeping one's own entries, free places.

They parse and check input; ``referrals.services.save_offering`` and
``update_free_places`` check every value again and decide who may write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as cv
from referrals.models import ServiceOffering


def _field_label(name: str) -> str:
    return ServiceOffering._meta.get_field(name).verbose_name


class DirectorySearchForm(forms.Form):
    """The directory's filters (GET). Every field may be left empty."""

    service_type = forms.ChoiceField(
        label=_("Service type"),
        required=False,
        choices=[("", _("Any service")), *cv.ServiceType.choices],
        error_messages={"invalid_choice": _("Choose a service type from the list.")},
    )
    city = forms.ChoiceField(
        label=_("City"),
        required=False,
        error_messages={"invalid_choice": _("Choose a city from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Language spoken"),
        required=False,
        choices=[("", _("Any language")), *cv.Language.choices],
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    children = forms.BooleanField(label=_("Accepts children"), required=False)

    def __init__(self, *args: Any, cities: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("Any city")), *((city, city) for city in cities)]

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``queries.search_directory`` (empty when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "service_type": data["service_type"],
            "city": data["city"],
            "language": data["language"],
            "children": data["children"],
        }


class OfferingForm(forms.Form):
    """One directory entry of the org admin's own organisation (fields of ServiceOffering)."""

    service_type = forms.ChoiceField(
        label=_field_label("service_type"),
        choices=[("", _("Choose…")), *cv.ServiceType.choices],
        error_messages={
            "required": _("Choose a service type from the list."),
            "invalid_choice": _("Choose a service type from the list."),
        },
    )
    name = forms.CharField(
        label=_field_label("name"),
        max_length=200,
        error_messages={"required": _("Give the service a name.")},
    )
    description = forms.CharField(
        label=_field_label("description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the service offers and to whom. Every organisation of the network reads it."
        ),
    )
    city = forms.CharField(
        label=_field_label("city"),
        max_length=100,
        error_messages={"required": _("Say in which city the service is.")},
    )
    region = forms.CharField(label=_field_label("region"), max_length=100, required=False)
    address = forms.CharField(
        label=_field_label("address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown only to the people of your organisation, never in the directory. "
            "Stored encrypted."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_field_label("languages"),
        required=False,
        choices=cv.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose languages from the list.")},
    )
    accepts_children = forms.BooleanField(
        label=_field_label("accepts_children"),
        required=False,
        help_text=_("Tick only if the service can take in survivors under 18."),
    )
    genders_served = forms.MultipleChoiceField(
        label=_field_label("genders_served"),
        required=False,
        choices=cv.Gender.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
        error_messages={"invalid_choice": _("Choose genders from the list.")},
    )
    hours = forms.CharField(label=_field_label("hours"), max_length=200, required=False)
    total_places = forms.IntegerField(
        label=_field_label("total_places"),
        required=False,
        min_value=0,
        max_value=10000,
        help_text=_("For shelters: how many people it can take in."),
    )
    active = forms.BooleanField(
        label=_field_label("active"),
        required=False,
        initial=True,
        help_text=_("Untick to keep the entry but stop new referrals to it."),
    )

    FIELDS = (
        "service_type",
        "name",
        "description",
        "city",
        "region",
        "languages",
        "accepts_children",
        "genders_served",
        "hours",
        "total_places",
        "active",
    )

    @classmethod
    def initial_for(cls, offering: ServiceOffering, address: str) -> dict[str, Any]:
        initial = {name: getattr(offering, name) for name in cls.FIELDS}
        initial["address"] = address
        return initial

    def values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.save_offering``."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.FIELDS}
        for name in ("name", "description", "city", "region", "hours"):
            values[name] = values[name].strip()
        values["address"] = data["address"]
        return values


class FreePlacesForm(forms.Form):
    free_places = forms.IntegerField(
        label=_("Free places now"),
        min_value=0,
        max_value=10000,
        error_messages={
            "required": _("Say how many places are free now."),
            "invalid": _("Enter a whole number, 0 or more."),
            "min_value": _("Free places cannot be negative."),
        },
    )
