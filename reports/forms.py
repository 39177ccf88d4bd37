"""The views the statistics pages offer, and the export form.

The period is chosen as whole months only (a first and a last month), the team among
the reader's own teams, the service type from the vocabulary: exactly the view space
that ``reports.suppression`` is designed for. Nothing here accepts a day, a case or a
free filter.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cases import vocabularies as cv
from reports import exports
from reports.figures import Filters
from reports.models import ExportKind, IdentityReason, RecipientKind

MONTHS_OFFERED = 36
MIN_PASSPHRASE = 12


def offered_months(today: date | None = None) -> list[date]:
    """First days of the months one may choose, newest first."""
    month = (today or timezone.localdate()).replace(day=1)
    months = []
    for _i in range(MONTHS_OFFERED):
        months.append(month)
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return months


def _month_choices() -> list[tuple[str, str]]:
    return [(m.strftime("%Y-%m"), formats.date_format(m, "YEAR_MONTH_FORMAT"))
            for m in offered_months()]


def _parse(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)


class ViewForm(forms.Form):
    """A view of the statistics: period, team, service type (all optional)."""

    first = forms.ChoiceField(label=_("From"), required=False)
    last = forms.ChoiceField(label=_("To"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    service_type = forms.ChoiceField(
        label=_("Service type (referral figures)"), required=False,
        choices=[("", _("All service types")), *cv.ServiceType.choices],
    )

    def __init__(self, *args, teams=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        months = _month_choices()
        self.fields["first"].choices = months
        self.fields["last"].choices = months
        self.fields["team"].choices = [("", _("All my teams")),
                                       *[(str(t.pk), t.name) for t in teams]]
        self.default_last = offered_months()[0]
        self.default_first = offered_months()[11]
        self.fields["first"].initial = self.default_first.strftime("%Y-%m")
        self.fields["last"].initial = self.default_last.strftime("%Y-%m")

    def clean(self) -> dict:
        data = super().clean()
        first = _parse(data["first"]) if data.get("first") else self.default_first
        last = _parse(data["last"]) if data.get("last") else self.default_last
        if first > last:
            raise forms.ValidationError(_("The first month must come before the last."))
        data["filters"] = Filters(
            first=first, last=last,
            team_id=int(data["team"]) if data.get("team") else None,
            service_type=data.get("service_type") or "",
        )
        return data


class MonthForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = _month_choices()
        self.fields["month"].initial = offered_months()[1].strftime("%Y-%m")

    def clean(self) -> dict:
        data = super().clean()
        # Last month by default: the month a report is written for.
        month = _parse(data["month"]) if data.get("month") else offered_months()[1]
        data["filters"] = Filters(first=month, last=month)
        return data


class CasesExportForm(ViewForm):
    """The organisation's own export: what, to whom, and a fresh code."""

    kind = forms.ChoiceField(
        label=_("File"), widget=forms.RadioSelect,
        choices=[(ExportKind.CASES_CSV, _("CSV")), (ExportKind.CASES_XLSX, _("XLSX, for Excel"))],
        initial=ExportKind.CASES_CSV,
    )
    recipient_kind = forms.ChoiceField(
        label=_("Encrypt to"), widget=forms.RadioSelect, choices=RecipientKind.choices,
        initial=RecipientKind.PUBLIC_KEY,
    )
    public_key = forms.CharField(
        label=_("Recipient's age public key"), required=False, max_length=200,
        help_text=_("Starts with “age1”. The file opens only with the matching private key."),
    )
    passphrase = forms.CharField(
        label=_("Passphrase"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 12 characters. Give it to the recipient another way, "
                    "never with the file."),
    )
    identity_reason = forms.ChoiceField(
        label=_("Include names and birth dates"), required=False,
        choices=[("", _("No: coded fields only")), *IdentityReason.choices],
        help_text=_("Only with a reason. Reports and statistics never need names."),
    )
    token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    field_order = ["first", "last", "team", "kind", "identity_reason", "recipient_kind",
                   "public_key", "passphrase", "token"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["service_type"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("recipient_kind") == RecipientKind.PUBLIC_KEY:
            key = (data.get("public_key") or "").strip()
            if not exports.check_public_key(key):
                self.add_error("public_key", _("This is not an age public key (age1…)."))
            data["recipient"] = exports.Recipient(RecipientKind.PUBLIC_KEY, key)
        elif data.get("recipient_kind") == RecipientKind.PASSPHRASE:
            passphrase = data.get("passphrase") or ""
            if len(passphrase) < MIN_PASSPHRASE:
                self.add_error("passphrase", _("Use at least %(n)s characters.")
                               % {"n": MIN_PASSPHRASE})
            data["recipient"] = exports.Recipient(RecipientKind.PASSPHRASE, passphrase)
        return data


class CtdcExportForm(ViewForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["service_type"]
