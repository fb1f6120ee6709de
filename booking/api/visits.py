"""/api/v1/visit-requests/: parse, authorize through booking.access, call one service, answer."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import access
from booking.api.visit_serializers import TRANSITION_INPUTS, VisitRequestInput, VisitRequestOutput
from booking.models import VisitRequest
from booking.services import visit_requests as visits


def visit_request_queryset(user):
    return access.visible_visit_requests(
        user,
        VisitRequest.objects.select_related(
            "library", "creator", "offered_creator", "event", "chosen_date_option"
        ).prefetch_related(
            "date_options",
            "audiences",
            "languages",
            "priority_groups",
            "accessibility_needs",
            "wish_genres",
            "wish_languages",
            "wish_audiences",
        ),
    ).order_by("-created_at", "-id")


class VisitRequestList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = VisitRequestOutput

    def get_queryset(self):
        queryset = visit_request_queryset(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted:
            queryset = queryset.filter(status__in=wanted.split(","))
        return queryset

    @extend_schema(request=VisitRequestInput, responses={201: VisitRequestOutput})
    def post(self, request):
        data = VisitRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.to_service_fields()
        created = visits.visit_request_create(
            actor=request.user, library=fields.pop("library"), format=fields.pop("format"), **fields
        )
        output = VisitRequestOutput(
            visit_request_queryset(request.user).get(pk=created.pk), context={"request": request}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class VisitRequestDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=VisitRequestOutput)
    def get(self, request, pk: int):
        visit = get_object_or_404(visit_request_queryset(request.user), pk=pk)
        return Response(VisitRequestOutput(visit, context={"request": request}).data)

    @extend_schema(request=VisitRequestInput, responses=VisitRequestOutput)
    def patch(self, request, pk: int):
        visit = get_object_or_404(visit_request_queryset(request.user), pk=pk)
        data = VisitRequestInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        visits.visit_request_update(visit_request=visit, actor=request.user, **data.to_service_fields())
        fresh = visit_request_queryset(request.user).get(pk=pk)
        return Response(VisitRequestOutput(fresh, context={"request": request}).data)


class VisitRequestTransition(APIView):
    """POST /api/v1/visit-requests/{id}/{transition}/ — see API.md for each body."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=VisitRequestOutput)
    def post(self, request, pk: int, transition: str):
        visit = get_object_or_404(visit_request_queryset(request.user), pk=pk)
        data = TRANSITION_INPUTS[transition](data=request.data)
        data.is_valid(raise_exception=True)
        visits.visit_request_transition(
            visit_request=visit, actor=request.user, transition=transition, **data.validated_data
        )
        fresh = visit_request_queryset(request.user).filter(pk=pk).first()
        if fresh is None:  # e.g. a creator who refused no longer sees the request
            return Response({"id": pk, "status": VisitRequest.objects.get(pk=pk).status})
        return Response(VisitRequestOutput(fresh, context={"request": request}).data)
