"""GET /api/v1/statistics/ — regional organisers (all libraries) and library staff (their
own). JSON, or CSV with `Accept: text/csv` or `?format=csv`."""

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
from booking.selectors.statistics import GROUPS, METRICS, statistics_compute


class StatisticsCSVRenderer(BaseRenderer):
    """The rows as CSV (UTF-8 with BOM, so that Excel reads å, ä, ö); a suppressed cell is empty."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        columns = ["key", "label", *METRICS]
        writer.writerow(columns)
        for row in (data or {}).get("rows", []):
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
    bookings = serializers.IntegerField(allow_null=True)
    seats_booked = serializers.IntegerField(allow_null=True)
    children = serializers.IntegerField(allow_null=True)
    waitlisted = serializers.IntegerField(allow_null=True)
    promoted = serializers.IntegerField(allow_null=True)
    attended = serializers.IntegerField(allow_null=True)
    no_shows = serializers.IntegerField(allow_null=True)


class StatisticsOut(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=GROUPS)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    rows = StatisticsRow(many=True)
    suppressed = serializers.BooleanField()
    overlapping = serializers.BooleanField()


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
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        if access.is_organiser(request.user):
            library_ids = None
        else:
            library_ids = access.staff_library_ids(request.user)
            if not library_ids:
                raise PermissionDenied()
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
