"""The statistics page (/personal/statistik/), its CSV and the yearly report beside it.
Who sees what is the API's gate (booking.api.statistics.statistics_scope), the period's rules
the API's query; the counting is booking.selectors.statistics(_summary)."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAuthenticated

from booking import errors
from booking.api.statistics import StatisticsQuery, statistics_scope
from booking.models import Library, Region
from booking.selectors.statistics import statistics_compute
from booking.selectors.statistics_summary import statistics_summary
from staff import services
from staff.forms import STATISTICS_GROUPS, ReportYearForm, StatisticsForm
from staff.statistics_page import (
    metric_figures,
    priority_figures,
    reach_figures,
    table_rows,
)
from staff.views.common import library_staff_required
from staff.views.sessions import _cell as spreadsheet_cell


def _scope(user) -> set[int] | None:
    try:
        return statistics_scope(user)
    except (NotAuthenticated, errors.PermissionDenied) as refused:
        raise PermissionDenied from refused


def _query(request) -> tuple[StatisticsForm, dict | None]:
    """The form as sent (a first visit: this year by municipality) and the checked query."""
    data = request.GET.copy()
    data.setdefault("mode", "year")
    data.setdefault("group_by", "municipality")
    if data["mode"] != "period" and not data.get("year"):
        data["year"] = str(timezone.localdate().year)
    form = StatisticsForm(data)
    if not form.is_valid():
        return form, None
    wanted = form.cleaned_data
    if wanted["mode"] == "period":
        params = {"period_start": data.get("period_start", ""), "period_end": data.get("period_end", "")}
    else:
        params = {"year": wanted["year"]}
    params["group_by"] = wanted["group_by"] or "municipality"
    query = StatisticsQuery(data=params)
    if not query.is_valid():
        for name, problems in query.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, str(problem))
        return form, None
    return form, query.validated_data


def _compute(params: dict, library_ids, group_by: str):
    return statistics_compute(
        group_by=group_by,
        period_start=params["period_start"],
        period_end=params["period_end"],
        library_ids=library_ids,
    )


def _scope_label(library_ids) -> str:
    if library_ids is None:
        region = Region.objects.first()
        return region.name if region else _("Hela regionen")
    names = Library.objects.filter(pk__in=library_ids).order_by("name").values_list("name", flat=True)
    return ", ".join(names)


@library_staff_required
def statistics_page(request):
    library_ids = _scope(request.user)
    form, params = _query(request)
    context = {"form": form, "scope_label": _scope_label(library_ids)}
    if params is not None:
        group_by = params["group_by"]
        group_label = str(dict(STATISTICS_GROUPS)[group_by])
        stats = _compute(params, library_ids, group_by)
        reach = stats if group_by == "municipality" else _compute(params, library_ids, "municipality")
        priority = stats if group_by == "priority_group" else _compute(params, library_ids, "priority_group")
        headers, rows, totals = table_rows(stats)
        context.update(
            stats=stats,
            group_label=group_label,
            figures=metric_figures(stats, group_label),
            reach_figures=reach_figures(reach),
            priority_figures=priority_figures(priority),
            suppressed=stats.suppressed or priority.suppressed,
            suppression_note=stats.suppression_note or priority.suppression_note,
            headers=headers,
            rows=rows,
            totals=totals,
            csv_query=request.GET.urlencode(),
            report_year=params["period_start"].year,
        )
    return render(request, "staff/statistics.html", context, status=200 if params is not None else 400)


@library_staff_required
def statistics_csv(request):
    """The page's table in the participant CSV's dialect: Excel in Swedish (semicolons, a BOM,
    headers in the staff member's language); hidden cells say "färre än 5". Audited."""
    library_ids = _scope(request.user)
    form, params = _query(request)
    if params is None:
        return render(request, "staff/statistics.html", {"form": form}, status=400)
    stats = _compute(params, library_ids, params["group_by"])
    headers, rows, totals = table_rows(stats)
    services.statistics_export_record(
        actor=request.user, group_by=stats.group_by, period=(stats.period_start, stats.period_end)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"statistik-{stats.group_by}-{stats.period_start}-{stats.period_end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response, delimiter=";")
    group_label = str(dict(STATISTICS_GROUPS)[stats.group_by])
    writer.writerow([spreadsheet_cell(text) for text in (group_label, *headers)])
    for row in rows:
        writer.writerow([spreadsheet_cell(text) for text in row])
    writer.writerow([spreadsheet_cell(text) for text in (_("Totalt"), *totals)])
    return response


def _activity_types(by_kind: list[dict]) -> list[dict]:
    """The summary's kinds added up by the national statistics' activity types, named in the
    region's data in the page's language."""
    region = Region.objects.first()
    english = (get_language() or "sv").startswith("en")
    names = {}
    for item in (region.activity_types if region else []) or []:
        names[item["code"]] = item.get("name_en" if english else "name_sv") or item["code"]
    types: dict = {}
    for row in by_kind:
        code = row["activity_type"] or ""
        entry = types.setdefault(
            code,
            {"code": code, "name": names.get(code, code), "total": 0, "children_and_young": 0, "kinds": []},
        )
        entry["total"] += row["total"]
        entry["children_and_young"] += row["children_and_young"]
        entry["kinds"].append(row)
    order = list(names)
    return sorted(types.values(), key=lambda t: order.index(t["code"]) if t["code"] in order else len(order))


@library_staff_required
def yearly_report(request):
    library_ids = _scope(request.user)
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(timezone.localdate().year)
    form = ReportYearForm(data)
    context = {"form": form, "scope_label": _scope_label(library_ids)}
    if not form.is_valid():
        return render(request, "staff/statistics_report.html", context, status=400)
    summary = statistics_summary(year=form.cleaned_data["year"], library_ids=library_ids)
    context.update(
        summary=summary,
        activity_types=_activity_types(summary["activity_occasions"]["by_kind"]),
        region=Region.objects.first(),
    )
    return render(request, "staff/statistics_report.html", context)
