from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Team, User


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class EnrolmentForm(forms.Form):
    token = forms.RegexField(
        label=_("Code from your app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TeamChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = TeamChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Caseworkers work in these teams; supervisors supervise them."),
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organization=organization)


class NewUserForm(UserForm):
    """A new colleague. No password here: she chooses her own through the link that
    Amparo mails her; her administrator never knows it."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_(
            "Amparo mails her a one-time link to choose her password and set up her phone."
        ),
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "teams"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username


class ChoosePasswordForm(forms.Form):
    """Her own password, chosen through an invitation link."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Only you know it: nobody at Amparo can read it."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        elif first:
            try:
                password_validation.validate_password(first, self.person)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


class ConfirmIdentityForm(forms.Form):
    """Her password and a current code, before her second factor changes."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class PartnerContactForm(forms.Form):
    partner_contact = forms.CharField(
        label=_("How partners reach us"), max_length=200, required=False,
        help_text=_("An office line, a shared mailbox or the office's address, shown to the "
                    "organisations you refer to. Never a personal phone."),
    )


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label=_("Years a closed case is kept"), min_value=1, max_value=50,
        help_text=_("After this many years from its closure or its last follow-up, a "
                    "closed case goes to its supervisors for review: keep it or shred it."),
        error_messages={
            "required": _("Give a number of years between 1 and 50."),
            "invalid": _("Give a number of years between 1 and 50."),
            "min_value": _("Give a number of years between 1 and 50."),
            "max_value": _("Give a number of years between 1 and 50."),
        },
    )


class CaseLabelForm(forms.Form):
    """How her organisation labels cases in lists and headers; radio buttons, so that
    both choices are said in full and nothing is set by an unticked box by mistake."""

    CODE_ONLY = "code_only"
    CODE_AND_NAME = "code_and_name"

    case_label = forms.ChoiceField(
        label=_("How cases are labelled"),
        choices=[
            (CODE_AND_NAME, _("The case code and the survivor's name")),
            (CODE_ONLY, _("The case code only; the name one recorded click away")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how cases are labelled."),
            "invalid_choice": _("Choose how cases are labelled."),
        },
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    members = forms.ModelMultipleChoiceField(
        label=_("Caseworkers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supervisors = forms.ModelMultipleChoiceField(
        label=_("Supervisors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organization, team=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.team = team
        people = User.objects.filter(organization=organization, is_active=True)
        self.fields["members"].queryset = people.filter(role=Role.CASEWORKER)
        self.fields["supervisors"].queryset = people.filter(role=Role.SUPERVISOR)
        self.fields["members"].label_from_instance = lambda u: u.display_name
        self.fields["supervisors"].label_from_instance = lambda u: u.display_name

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Team.objects.filter(organization=self.organization, name__iexact=name)
        if self.team is not None:
            clash = clash.exclude(pk=self.team.pk)
        if clash.exists():
            raise forms.ValidationError(_("Your organisation already has a team with this name."))
        return name
