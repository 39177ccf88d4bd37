"""The service directory: searching it, and each organisation keeping its own entries.

- Caseworkers, supervisors, partners and org admins search the directory
  (``queries.directory``; anyone else 403, recorded). Each search is one
  DIRECTORY_SEARCHED event.
- A service's address is sealed and shown only to people of the service's own
  organisation: on their own list, and on their own rows of the directory. Everyone else
  sees the city and region, never the address.
- Org admins create and change their organisation's entries (``services.save_offering``);
  the partner staff of the organisation see them and keep the free places current
  (``services.update_free_places``). Another organisation's entry answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from audit.models import Action, Outcome
from audit.services import record_event
from cases import vocabularies as cv
from core.forms import add_service_errors
from core.labels import labels
from referrals import queries, services
from referrals.forms.directory import DirectorySearchForm, FreePlacesForm, OfferingForm
from referrals.models import ServiceOffering
from vault import services as vault
from vault.exceptions import CannotOpen
from vault.scope import key_scope

# Services a page of the directory shows: each is a card of several lines, and the whole
# network at once made the page some 4,700 px on a phone.
DIRECTORY_PAGE_SIZE = 6


def _address(offering: ServiceOffering, user: Any) -> tuple[str, bool]:
    """The address for people of the offering's own organisation: (text, could open)."""
    try:
        return vault.unseal(offering, "address", actor=user) or "", True
    except CannotOpen:
        return "", False


def _row(offering: ServiceOffering, user: Any) -> dict[str, Any]:
    """One directory entry as the page shows it to this person."""
    own = offering.organization_id == user.organization_id
    row: dict[str, Any] = {
        "offering": offering,
        "languages": labels(offering.languages, cv.Language),
        "genders": labels(offering.genders_served, cv.Gender),
        "own": own,
        # Never opened for anyone outside the organisation: a shelter's address is a secret.
        "address": "",
        "address_unreadable": False,
    }
    if own:
        row["address"], opened = _address(offering, user)
        row["address_unreadable"] = not opened
    return row


# --- searching --------------------------------------------------------------------------


@login_required
@require_GET
@key_scope()
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    offerings = queries.directory(user)  # 403 (recorded) for auditors
    cities = sorted(set(offerings.values_list("city", flat=True)), key=str.casefold)
    form = DirectorySearchForm(request.GET or None, cities=cities)
    if form.is_bound and not form.is_valid():
        results = offerings.none()
    else:
        results = queries.search_directory(user, **form.filters())
    filtered = any(form.filters().values())
    record_event(
        action=Action.DIRECTORY_SEARCHED,
        actor=user,
        target_type="directory",
        purpose=form.filters().get("service_type", ""),
    )
    page = Paginator(results.order_by("service_type", "city", "name", "pk"), DIRECTORY_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    rows = [_row(offering, user) for offering in page.object_list]
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "referrals/directory/search.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "filtered": filtered,
            "filter_query": kept.urlencode(),
        },
    )


# --- the organisation's own entries -----------------------------------------------------


def _own_admin(request: HttpRequest, action: str) -> None:
    """Org admins only; partners of the organisation may look but not change (403)."""
    queries.own_offerings(request.user, action=action)  # 403 (recorded) for other roles
    if request.user.role != Role.ORG_ADMIN:
        record_event(
            action=action, actor=request.user, outcome=Outcome.DENIED, target_type="serviceoffering"
        )
        raise PermissionDenied


@login_required
@require_GET
@key_scope()
def own_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    offerings = queries.own_offerings(user, action=Action.DIRECTORY_SEARCHED)
    rows = []
    for offering in offerings.order_by("service_type", "city", "name"):
        row = _row(offering, user)
        if offering.is_shelter:
            row["places_form"] = FreePlacesForm(
                initial={"free_places": offering.free_places},
                auto_id=f"id_places_{offering.pk.hex}_%s",
            )
        rows.append(row)
    return render(
        request,
        "referrals/directory/own_list.html",
        {"rows": rows, "can_edit": user.role == Role.ORG_ADMIN},
    )


@login_required
@require_http_methods(["GET", "POST"])
@key_scope()
def create(request: HttpRequest) -> HttpResponse:
    _own_admin(request, Action.SERVICE_SAVED)
    form = OfferingForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            offering = services.save_offering(actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("“%(name)s” is now in the directory.") % {"name": offering.name}
            )
            return redirect("referrals:own_services")
    return render(request, "referrals/directory/form.html", {"form": form, "offering": None})


@login_required
@require_http_methods(["GET", "POST"])
@key_scope()
def edit(request: HttpRequest, offering_id: Any) -> HttpResponse:
    # Another organisation's entry: 404 (recorded); a partner of this one: 403.
    offering = queries.get_own_offering(request.user, offering_id, action=Action.SERVICE_SAVED)
    _own_admin(request, Action.SERVICE_SAVED)
    address, opened = _address(offering, request.user)
    form = OfferingForm(request.POST or None, initial=OfferingForm.initial_for(offering, address))
    if not opened and form.is_bound and not form.data.get("address", "").strip():
        # Saving would replace the stored address with nothing: ask for it again instead.
        form.add_error("address", _("The stored address could not be opened. Type it again."))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_offering(actor=request.user, offering=offering, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Changes to “%(name)s” saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("referrals:own_services")
    return render(request, "referrals/directory/form.html", {"form": form, "offering": offering})


@login_required
@require_POST
def places(request: HttpRequest, offering_id: Any) -> HttpResponse:
    offering = queries.get_own_offering(request.user, offering_id, action=Action.PLACES_UPDATED)
    form = FreePlacesForm(request.POST)
    if form.is_valid():
        try:
            services.update_free_places(
                actor=request.user,
                offering=offering,
                free_places=form.cleaned_data["free_places"],
            )
        except ValidationError as error:
            messages.error(request, " ".join([*error.messages, _("Nothing was changed.")]))
        else:
            count = form.cleaned_data["free_places"]
            messages.success(
                request,
                ngettext(
                    "“%(name)s” now shows %(count)d free place.",
                    "“%(name)s” now shows %(count)d free places.",
                    count,
                )
                % {"name": offering.name, "count": count},
            )
    else:
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join([*errors, _("Nothing was changed.")]))
    return redirect("referrals:own_services")
