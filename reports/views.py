"""Statistics, the monthly report and the two exports: thin views.

Each request leaves one access event: the statistics page and the report one look each
(aggregates, but over survivors' records); an export one event, allowed or refused; a
refusal by role one denied event. The blank export forms read nothing and leave none.
The auditor's pages of exports leave one event each (the list, one export's codes).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import record_event
from reports import charts, ctdc, figures, services
from reports.forms import CasesExportForm, CtdcExportForm, MonthForm, ViewForm
from reports.queries import (
    export_scope,
    exports_for_auditor,
    get_export_for_auditor,
    reporting_teams,
    statistics_scope,
)

EXPORTS_PAGE_SIZE = 50


def _charted(result: figures.Statistics) -> list[dict]:
    """Each figure with its chart (drawn from the published bands only)."""
    return [
        {
            "figure": figure,
            "chart": charts.bar_chart(figure.table, title=figure.title,
                                      chart_id=f"chart-{figure.key}")
            if figure.chart and figure.table is not None else None,
        }
        for figure in result.figures
    ]


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    scope = statistics_scope(request.user, action=Action.STATISTICS_VIEWED)
    form = ViewForm(request.GET or None, teams=reporting_teams(request.user))
    context: dict = {"form": form, "threshold": settings.AMPARO_STATISTICS_MIN_CELL}
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data["filters"] if form.is_bound else figures.Filters(
            first=form.default_first, last=form.default_last)
        result = figures.statistics(scope, filters)
        context.update(result=result, figures=_charted(result))
    record_event(action=Action.STATISTICS_VIEWED, actor=request.user, target_type="statistics",
                 purpose="" if form.is_valid() or not form.is_bound else "invalid_filters")
    return render(request, "reports/statistics.html", context)


@login_required
@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    scope = statistics_scope(request.user, action=Action.MONTHLY_REPORT_VIEWED)
    form = MonthForm(request.GET or {})
    context: dict = {"form": form, "threshold": settings.AMPARO_STATISTICS_MIN_CELL}
    if form.is_valid():
        result = figures.statistics(scope, form.cleaned_data["filters"])
        context.update(result=result, figures=_charted(result),
                       month=form.cleaned_data["filters"].first)
    record_event(action=Action.MONTHLY_REPORT_VIEWED, actor=request.user,
                 target_type="statistics", purpose="" if form.is_valid() else "invalid_month")
    return render(request, "reports/monthly.html", context)


@login_required
@sensitive_post_parameters("passphrase", "token")
@require_http_methods(["GET", "POST"])
def cases_export(request: HttpRequest) -> HttpResponse:
    scope = export_scope(request.user, action=Action.CASES_EXPORTED)
    form = CasesExportForm(request.POST or None, teams=reporting_teams(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.export_cases(
                actor=request.user, scope=scope, filters=data["filters"], kind=data["kind"],
                recipient=data["recipient"], token=data["token"],
                identity_reason=data.get("identity_reason") or "",
            )
        except services.ExportRefused:
            form.add_error("token", _("That code did not work. Codes change every 30 seconds "
                                      "and each works only once."))
        else:
            response = HttpResponse(export.content, content_type="application/octet-stream")
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
    return render(request, "reports/cases_export.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def ctdc_export(request: HttpRequest) -> HttpResponse:
    scope = export_scope(request.user, action=Action.CTDC_EXPORTED)
    form = CtdcExportForm(request.POST or None, teams=reporting_teams(request.user))
    if request.method == "POST" and form.is_valid():
        export, cases = services.export_ctdc(
            actor=request.user, scope=scope, filters=form.cleaned_data["filters"]
        )
        response = StreamingHttpResponse(ctdc.stream(cases, export.plan),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    return render(request, "reports/ctdc_export.html",
                  {"form": form, "ctdc_k": settings.AMPARO_CTDC_K})


@login_required
@require_GET
def auditor_exports(request: HttpRequest) -> HttpResponse:
    """The auditor's list of her organisation's exports (DESIGN §8)."""
    exports = exports_for_auditor(request.user)
    page = Paginator(exports, EXPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(action=Action.AUDIT_EXPORTS_VIEWED, actor=request.user,
                 target_type="exportrecord")
    return render(request, "reports/auditor_exports.html", {"page": page})


@login_required
@require_GET
def auditor_export(request: HttpRequest, export_id) -> HttpResponse:
    """One export and the codes of the cases it held: codes only, never content."""
    export = get_export_for_auditor(request.user, export_id, action=Action.AUDIT_EXPORT_VIEWED)
    record_event(action=Action.AUDIT_EXPORT_VIEWED, actor=request.user,
                 target_type="exportrecord", target_id=str(export.pk))
    return render(request, "reports/auditor_export.html", {"export": export})
