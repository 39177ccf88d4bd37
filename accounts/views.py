from __future__ import annotations

import base64
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from accounts import queries, services, sessions
from accounts.forms import (
    CaseLabelForm,
    ChoosePasswordForm,
    ConfirmIdentityForm,
    EnrolmentForm,
    LoginForm,
    NewUserForm,
    PartnerContactForm,
    RetentionForm,
    TeamForm,
    TokenForm,
    UserForm,
)
from accounts.middleware import two_factor_exempt
from core.forms import add_service_errors


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(url: str, next_url: str) -> str:
    # Encoded, so that a "next" with its own query string arrives whole.
    return f"{url}?{urlencode({'next': next_url})}"


def _fully_signed_in(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and (user.is_verified() or two_factor_exempt(user))


# --- sign-in ---------------------------------------------------------------------------


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if _fully_signed_in(request):
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            # A locked-out attempt is recorded once, as the lockout (see locked_out below).
            if not getattr(request, "axes_locked_out", False):
                services.record_failed_login(username=username)
            # One answer for an unknown user and a wrong password: no hint which it was.
            form.add_error(
                None, _("The username or the password is not right. Check both and try again.")
            )
        else:
            login(request, user)  # rotates the session key
            sessions.start(request.session, timezone.now())
            services.record_login(actor=user)
            if two_factor_exempt(user):
                return redirect(_next_url(request))
            target = "accounts:two_factor_verify"
            if not services.has_two_factor(user):
                target = "accounts:two_factor_enrol"
            return redirect(_with_next(reverse(target), _next_url(request)))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """Answer for a username and address that failed too often (django-axes calls this)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    services.record_lockout(username=username)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm()
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": True, "cooloff_minutes": minutes, "next": ""},
        status=429,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(actor=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if _fully_signed_in(request):
        return redirect(_next_url(request))
    if not services.has_two_factor(request.user):
        return redirect(_with_next(reverse("accounts:two_factor_enrol"), _next_url(request)))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(actor=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _("That code did not work. Codes change every 30 seconds and each works only once."),
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Setting up a phone: just after an invitation link, or after confirming the
    password and a current code on the security page. Never with a password alone."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if not sessions.enrolment_allowed(request.session, user.pk, timezone.now()):
        if services.has_two_factor(user):
            if not user.is_verified():
                return redirect("accounts:two_factor_verify")
            messages.info(
                request, _("To move to a new phone, first confirm your password and a code.")
            )
            return redirect("accounts:security")
        services.record_enrolment_refused(actor=user)
        return render(request, "accounts/enrolment_needs_link.html", status=403)
    device = services.pending_totp_device(actor=user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(
            actor=user, device=device, token=form.cleaned_data["token"].strip()
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            sessions.end_enrolment(request.session)
            request.session.cycle_key()
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "token",
            _("That code did not work. Check the time on your phone and try the newest code."),
        )
    secret_text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    context = {
        "form": form,
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret_groups": [secret_text[i : i + 4] for i in range(0, len(secret_text), 4)],
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


# --- one's own account -----------------------------------------------------------------


def _security_page(
    request: HttpRequest,
    *,
    password_form: PasswordChangeForm | None = None,
    phone_form: ConfirmIdentityForm | None = None,
    codes_form: ConfirmIdentityForm | None = None,
) -> HttpResponse:
    password_form = password_form or PasswordChangeForm(request.user)
    if phone_form is not None or codes_form is not None:
        # The answer is about the other form: the focus must not jump to this one.
        password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    context = {
        "form": password_form,
        "phone_form": phone_form or ConfirmIdentityForm(prefix="phone"),
        "codes_form": codes_form or ConfirmIdentityForm(prefix="codes"),
        "has_two_factor": services.has_two_factor(request.user),
    }
    return render(request, "accounts/security.html", context)


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def security(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # keeps this session, rotates its key
        services.record_password_change(actor=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:security")
    if request.method == "POST" and form.has_error("old_password"):
        # Someone at an unlocked screen guessing the password: the auditors should know.
        services.record_failed_password_change(actor=request.user)
    return _security_page(request, password_form=form)


def _identity_refused(form: ConfirmIdentityForm) -> None:
    form.add_error(
        None,
        _("The password or the code is not right. Nothing was changed; check both and try again."),
    )


@login_required
@require_POST
@sensitive_post_parameters("phone-password", "phone-token")
def new_phone(request: HttpRequest) -> HttpResponse:
    """Moving to a new phone starts with the password and a current code."""
    form = ConfirmIdentityForm(request.POST, prefix="phone")
    if form.is_valid():
        if services.confirm_second_factor_change(
            actor=request.user,
            password=form.cleaned_data["password"],
            token=form.cleaned_data["token"],
        ):
            sessions.allow_enrolment(request.session, request.user.pk, timezone.now())
            return redirect(_with_next(reverse("accounts:two_factor_enrol"), reverse("home")))
        _identity_refused(form)
    return _security_page(request, phone_form=form)


@login_required
@require_POST
@sensitive_post_parameters("codes-password", "codes-token")
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = ConfirmIdentityForm(request.POST, prefix="codes")
    if form.is_valid():
        codes = services.regenerate_recovery_codes(
            actor=request.user,
            password=form.cleaned_data["password"],
            token=form.cleaned_data["token"],
        )
        if codes is not None:
            request.session.cycle_key()
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": reverse("accounts:security")},
            )
        _identity_refused(form)
    return _security_page(request, codes_form=form)


# --- invitation links ------------------------------------------------------------------


_REFUSAL_STATUS = {services.REFUSAL_UNKNOWN: 404}


def _invitation_refused(request: HttpRequest, error: services.InvitationRefused) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_refused.html",
        {"reason": error.reason},
        status=_REFUSAL_STATUS.get(error.reason, 410),
    )


# The digest of the link being used, while she chooses her password on this browser.
INVITATION_SESSION_KEY = "amparo_invitation"


@never_cache
@require_GET
@sensitive_variables("token")
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time link from a mail: checked, then continued at an address without it."""
    try:
        found = services.open_invitation(token=token)
    except services.InvitationRefused as error:
        return _invitation_refused(request, error)
    request.session[INVITATION_SESSION_KEY] = found.token_digest
    return redirect("accounts:invitation_password")


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_password(request: HttpRequest) -> HttpResponse:
    """She chooses her password, then sets up (or confirms) her phone."""
    digest = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        found = services.check_invitation(digest=digest)
    except services.InvitationRefused as error:
        return _invitation_refused(request, error)
    person = found.user
    form = ChoosePasswordForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = services.accept_invitation(
                digest=digest, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationRefused as error:
            return _invitation_refused(request, error)
        # Whoever was signed in on this browser before is signed out (login flushes).
        login(request, accepted.person, backend="accounts.backends.AccountBackend")
        request.session.pop(INVITATION_SESSION_KEY, None)
        now = timezone.now()
        sessions.start(request.session, now)
        if accepted.needs_enrolment:
            sessions.allow_enrolment(request.session, accepted.person.pk, now)
            return redirect("accounts:two_factor_enrol")
        return redirect("accounts:two_factor_verify")
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "person": person, "kind": found.kind},
    )


# --- organisation admin: people ---------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = queries.manageable_users(request.user)
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    queries.manageable_users(request.user)  # 403 for anyone but an org admin
    organization = request.user.organization
    form = NewUserForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_user(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                teams=data["teams"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "An invitation was sent to %(email)s. %(name)s chooses her own password "
                    "through its link."
                )
                % {"email": person.email, "name": person.display_name},
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "person": None})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_manageable_user(request.user, pk)
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "teams": list(person.teams.all()) + list(person.supervised_teams.all()),
    }
    form = UserForm(request.POST or None, initial=initial, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                actor=request.user,
                user=person,
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                teams=data["teams"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "person": person,
            "has_two_factor": services.has_two_factor(person),
            "awaits_invitation": services.awaits_invitation(person),
        },
    )


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_manageable_user(request.user, pk)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("accounts:user_edit", pk=pk)
    services.deactivate_user(actor=request.user, user=person)
    messages.success(
        request,
        _("%(name)s is deactivated and has been signed out everywhere.")
        % {"name": person.display_name},
    )
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_manageable_user(request.user, pk)
    services.reactivate_user(actor=request.user, user=person)
    messages.success(request, _("%(name)s can sign in again.") % {"name": person.display_name})
    return redirect("accounts:user_list")


def _reset(
    request: HttpRequest, pk: int, service: Callable[..., None], done: str
) -> HttpResponse:
    """One org-admin action on a colleague's sign-in; the service says what is refused."""
    person = queries.get_manageable_user(request.user, pk)
    if person.pk == request.user.pk:
        messages.error(request, _("Change your own password and phone on your account page."))
        return redirect("accounts:user_edit", pk=pk)
    try:
        service(actor=request.user, user=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": person.display_name, "email": person.email})
    return redirect("accounts:user_edit", pk=pk)


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _reset(
        request,
        pk,
        services.reset_password,
        _(
            "The password of %(name)s no longer works and she was signed out. A one-time link "
            "to choose a new one was sent to %(email)s."
        ),
    )


@login_required
@require_POST
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    return _reset(
        request,
        pk,
        services.reset_two_factor,
        _(
            "The two-factor sign-in of %(name)s no longer works and she was signed out. A "
            "one-time link to set it up again was sent to %(email)s."
        ),
    )


@login_required
@require_POST
def user_resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    return _reset(
        request,
        pk,
        services.resend_invitation,
        _("A new invitation was sent to %(email)s; the earlier link no longer works."),
    )


# --- organisation admin: teams ----------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/team_list.html", {"teams": queries.manageable_teams(request.user)}
    )


def _setting_page(request: HttpRequest, form, *, title: str, explanation: str) -> HttpResponse:
    """One setting of her organisation: one page shape for all of them."""
    return render(request, "accounts/organization_setting.html",
                  {"form": form, "title": title, "explanation": explanation})


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    organization = queries.own_organization(request.user)
    form = RetentionForm(
        request.POST or None, initial={"retention_years": organization.retention_years}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_retention_years(
                actor=request.user, retention_years=form.cleaned_data["retention_years"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. Closed cases are reviewed after this many "
                                        "years from now on."))
            return redirect("home")
    return _setting_page(
        request, form, title=_("How long closed cases are kept"),
        explanation=_("When a closed case reaches the end of this period, the supervisors of its team review it: they keep it for a stated reason until a new review date, or propose it for shredding, which an administrator confirms."),  # noqa: E501
    )


@login_required
def case_labels(request: HttpRequest) -> HttpResponse:
    organization = queries.own_organization(request.user)
    current = (CaseLabelForm.CODE_ONLY if organization.show_case_code_only
               else CaseLabelForm.CODE_AND_NAME)
    form = CaseLabelForm(request.POST or None, initial={"case_label": current})
    if request.method == "POST" and form.is_valid():
        code_only = form.cleaned_data["case_label"] == CaseLabelForm.CODE_ONLY
        services.set_show_case_code_only(actor=request.user, show_case_code_only=code_only)
        if code_only:
            messages.success(request, _("Saved. Case lists and case headers now show the "
                                        "case code only."))
        else:
            messages.success(request, _("Saved. Case lists and case headers now show the "
                                        "survivor's name beside the case code."))
        return redirect("home")
    return _setting_page(
        request, form, title=_("How cases are labelled"),
        explanation=_("With the case code only, case lists, the home pages and the top of each case show the code without the survivor's name, so that someone looking over a colleague's shoulder, or at a screen left open, cannot read who she is. A person who may see a case can still show the name with one click; each click is recorded in the access log. The identity section of the case still shows her full name."),  # noqa: E501
    )


@login_required
def partner_contact(request: HttpRequest) -> HttpResponse:
    organization = queries.own_organization(request.user)
    form = PartnerContactForm(
        request.POST or None, initial={"partner_contact": organization.partner_contact}
    )
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["partner_contact"]
        services.set_partner_contact(actor=request.user, contact=contact)
        messages.success(request, _("Saved. Partners see it on what you refer to them."))
        return redirect("home")
    return _setting_page(
        request, form, title=_("How partners reach us"),
        explanation=_("Organisations that receive your referrals see your organisation's name, the caseworker's name and this contact channel."),  # noqa: E501
    )


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    queries.manageable_teams(request.user)  # 403 for anyone but an org admin
    form = TeamForm(request.POST or None, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.create_team(
            actor=request.user,
            name=data["name"],
            members=data["members"],
            supervisors=data["supervisors"],
        )
        messages.success(request, _("Team created."))
        return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "team": None})


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = queries.get_manageable_team(request.user, pk)
    initial = {
        "name": team.name,
        "members": list(team.members.all()),
        "supervisors": list(team.supervisors.all()),
    }
    form = TeamForm(
        request.POST or None, initial=initial, organization=request.user.organization, team=team
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_team(
            actor=request.user,
            team=team,
            name=data["name"],
            members=data["members"],
            supervisors=data["supervisors"],
        )
        messages.success(request, _("Changes saved."))
        return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "team": team})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that is too old or came from elsewhere: say what to do, in the user's language."""
    return render(request, "csrf_failure.html", status=403)
