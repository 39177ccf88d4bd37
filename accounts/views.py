from __future__ import annotations

import base64

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
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import queries, services, sessions
from accounts.forms import EnrolmentForm, LoginForm, NewUserForm, TeamForm, TokenForm, UserForm
from accounts.middleware import two_factor_exempt


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
    """First sign-in, or a verified user setting up a new phone."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if services.has_two_factor(user) and not user.is_verified():
        return redirect("accounts:two_factor_verify")
    device = services.pending_totp_device(actor=user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(
            actor=user, device=device, token=form.cleaned_data["token"].strip()
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
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
    return render(
        request,
        "accounts/security.html",
        {"form": form, "has_two_factor": services.has_two_factor(request.user)},
    )


@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = services.regenerate_recovery_codes(actor=request.user)
    request.session.cycle_key()
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:security")},
    )


# --- organisation admin: people ---------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = queries.manageable_users(request.user)
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
@sensitive_post_parameters("password")
def user_create(request: HttpRequest) -> HttpResponse:
    queries.manageable_users(request.user)  # 403 for anyone but an org admin
    organization = request.user.organization
    form = NewUserForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.create_user(
            actor=request.user,
            username=data["username"],
            password=data["password"],
            role=data["role"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            teams=data["teams"],
        )
        messages.success(request, _("%(name)s can now sign in.") % {"name": person.display_name})
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
        {"form": form, "person": person, "has_two_factor": services.has_two_factor(person)},
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


@login_required
@require_POST
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_manageable_user(request.user, pk)
    services.reset_two_factor(actor=request.user, user=person)
    messages.success(
        request,
        _("%(name)s will set up two-factor sign-in again the next time she signs in.")
        % {"name": person.display_name},
    )
    return redirect("accounts:user_edit", pk=pk)


# --- organisation admin: teams ----------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/team_list.html", {"teams": queries.manageable_teams(request.user)}
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
