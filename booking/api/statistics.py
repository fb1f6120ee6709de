"""GET /api/v1/statistics/ — regional organisers (all libraries) and library staff (their
own). JSON, or CSV with `Accept: text/csv` or `?format=csv` (plain RFC 4180: commas, CRLF, no
BOM; the staff page's download is the Excel dialect). GET /api/v1/statistics/summary/ — the
yearly report, same access. The counting is booking.selectors.statistics(_summary)."""

import csv
import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, NotAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import access
from booking.errors import InvalidFilter, PermissionDenied
from booking.models import AuditEvent
from booking.selectors.statistics import GROUPS, METRICS, REACH_FIELDS, statistics_compute
from booking.selectors.statistics_summary import statistics_summary


class StatisticsCSVRenderer(BaseRenderer):
    """The rows as RFC 4180 CSV (UTF-8, commas, CRLF, a header row, no BOM); a suppressed
    cell is empty. Rows by municipality add the population and the rates."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        data = data or {}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        columns = ["key", "label", *METRICS]
        if data.get("group_by") == "municipality":
            columns += REACH_FIELDS
        writer.writerow(columns)
        for row in data.get("rows", []):
            writer.writerow(["" if row.get(name) is None else row[name] for name in columns])
        return out.getvalue().encode("utf-8")


class StatisticsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    group_by = serializers.ChoiceField(choices=GROUPS, required=False, default="municipality")
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)

    def to_internal_value(self, data):
        # A blank parameter (`?period_start=`) would be dropped as if absent: refuse it, as the
        # other strict filters do, since the caller who sent it meant something.
        values = data.getlist if hasattr(data, "getlist") else (lambda name: [data[name]])
        blank = [name for name in self.fields if name in data and not "".join(map(str, values(name))).strip()]
        if blank:
            message = _("Ange ett värde, eller utelämna parametern.")
            raise serializers.ValidationError({name: [ErrorDetail(message, code="blank")] for name in blank})
        return super().to_internal_value(data)

    def validate(self, data):
        has_period = "period_start" in data or "period_end" in data
        if "year" in data and has_period:
            raise serializers.ValidationError(
                {"year": [_("Ange antingen år eller period, inte båda.")]}, code="year_or_period"
            )
        if has_period:
            if "period_start" not in data or "period_end" not in data:
                missing = "period_end" if "period_start" in data else "period_start"
                raise serializers.ValidationError({missing: [_("Perioden behöver både start och slut.")]})
            if data["period_end"] < data["period_start"]:
                raise serializers.ValidationError({"period_end": [_("Slutet är före starten.")]})
            if (data["period_end"] - data["period_start"]).days > 3660:
                raise serializers.ValidationError({"period_end": [_("Perioden får vara högst tio år.")]})
        else:
            year = data.get("year", timezone.localdate().year)
            data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 12, 31)
        return data


class StatisticsRow(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    events = serializers.IntegerField()
    sessions = serializers.IntegerField()
    sessions_cancelled = serializers.IntegerField()
    closed_group = serializers.IntegerField(help_text="of `sessions`, those of private events")
    bookings = serializers.IntegerField(allow_null=True)
    seats_booked = serializers.IntegerField(allow_null=True)
    children = serializers.IntegerField(allow_null=True)
    waitlisted = serializers.IntegerField(allow_null=True)
    promoted = serializers.IntegerField(allow_null=True)
    attended = serializers.IntegerField(allow_null=True)
    no_shows = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True, required=False, help_text="group_by=municipality")
    sessions_per_1000 = serializers.FloatField(allow_null=True, required=False)
    seats_booked_per_1000 = serializers.FloatField(allow_null=True, required=False)
    population_note = serializers.CharField(required=False, help_text="why the rates are null")


class StatisticsTotals(serializers.Serializer):
    events = serializers.IntegerField()
    sessions = serializers.IntegerField()
    sessions_cancelled = serializers.IntegerField()
    closed_group = serializers.IntegerField()
    bookings = serializers.IntegerField()
    seats_booked = serializers.IntegerField()
    children = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    promoted = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField()


class StatisticsOut(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=GROUPS)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    rows = StatisticsRow(many=True)
    totals = StatisticsTotals(help_text="every event once, hidden cells included")
    suppressed = serializers.BooleanField()
    suppression_note = serializers.CharField()
    overlapping = serializers.BooleanField()


class SummaryQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class SummaryKind(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    activity_type = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    children_and_young = serializers.IntegerField()


class SummaryOccasions(serializers.Serializer):
    total = serializers.IntegerField()
    children_and_young = serializers.IntegerField()
    closed_group = serializers.IntegerField()
    by_kind = SummaryKind(many=True)


class SummaryParticipants(serializers.Serializer):
    seats_booked_0_17 = serializers.IntegerField()
    seats_booked_18_plus = serializers.IntegerField()
    attended = serializers.IntegerField()


class SummaryVisits(serializers.Serializer):
    requested = serializers.IntegerField()
    approved = serializers.IntegerField()
    declined = serializers.IntegerField()
    held = serializers.IntegerField()
    fees_sek = serializers.IntegerField()
    travel_sek = serializers.IntegerField()
    cofunding_granted_sek = serializers.IntegerField()


class SummaryMunicipality(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    sessions = serializers.IntegerField()
    seats_booked = serializers.IntegerField()
    sessions_per_1000 = serializers.FloatField(allow_null=True)
    seats_booked_per_1000 = serializers.FloatField(allow_null=True)
    population_note = serializers.CharField()
    visits_held = serializers.IntegerField()
    fees_sek = serializers.IntegerField()
    cofunding_granted_sek = serializers.IntegerField()


class SummaryOut(serializers.Serializer):
    year = serializers.IntegerField()
    activity_occasions = SummaryOccasions()
    participants = SummaryParticipants()
    visits = SummaryVisits()
    municipalities = SummaryMunicipality(many=True)
    municipalities_reached = serializers.IntegerField()
    suppressed = serializers.BooleanField()


def _query_errors(detail) -> list[dict]:
    return [
        {
            "pointer": f"/{name}",
            "parameter": name,
            "code": getattr(error, "code", "invalid"),
            "detail": str(error),
        }
        for name, errors in detail.items()
        for error in errors
    ]


def statistics_scope(user) -> set[int] | None:
    """The statistics' access gate: organisers the region (None), library staff their
    libraries; anonymous 401, everyone else 403."""
    if not user or not user.is_authenticated:
        raise NotAuthenticated()
    if access.is_organiser(user):
        return None
    library_ids = access.staff_library_ids(user)
    if not library_ids:
        raise PermissionDenied()
    return library_ids


class StatisticsView(APIView):
    renderer_classes = [JSONRenderer, StatisticsCSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("period_start", OpenApiTypes.DATE),
            OpenApiParameter("period_end", OpenApiTypes.DATE),
            OpenApiParameter("group_by", str, enum=list(GROUPS)),
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ],
        responses={(200, "application/json"): StatisticsOut, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        library_ids = statistics_scope(request.user)
        query = StatisticsQuery(data=request.query_params)
        if not query.is_valid():
            raise InvalidFilter(errors=_query_errors(query.errors))
        params = query.validated_data
        stats = statistics_compute(
            group_by=params["group_by"],
            period_start=params["period_start"],
            period_end=params["period_end"],
            library_ids=library_ids,
        )
        response = Response(stats.as_dict())
        if request.accepted_renderer.format == "csv":
            AuditEvent.objects.create(
                actor=request.user,
                actor_label=request.user.get_username(),
                action="statistics_exported",
                object_type="statistics",
                data={"group_by": stats.group_by, "period": [str(stats.period_start), str(stats.period_end)]},
            )
            filename = f"lasrum-statistik-{stats.group_by}-{stats.period_start}-{stats.period_end}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class StatisticsSummaryView(APIView):
    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=SummaryOut)
    def get(self, request):
        library_ids = statistics_scope(request.user)
        query = SummaryQuery(data=request.query_params)
        if not query.is_valid():
            raise InvalidFilter(errors=_query_errors(query.errors))
        year = query.validated_data.get("year", timezone.localdate().year)
        return Response(statistics_summary(year=year, library_ids=library_ids))
