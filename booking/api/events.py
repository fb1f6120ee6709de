"""/api/v1/ libraries, events and sessions: parse, authorize through booking.access, call one
service or selector, answer. The rules live in booking.services.events."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import access
from booking.api.event_serializers import (
    CancelIn,
    EventCreateIn,
    EventOut,
    EventUpdateIn,
    LibraryOut,
    SessionMoveIn,
    SessionOut,
)
from booking.errors import PermissionDenied
from booking.filters import events_filtered
from booking.models import Event, Session
from booking.selectors.events import event_get, events_with_sessions, library_list, session_get
from booking.services import events as services


def _require_login(request) -> None:
    if not request.user or not request.user.is_authenticated:
        raise NotAuthenticated()


def _manageable_event(request, pk) -> Event:
    """The event if this user may change it: 404 when they may not even see it, else 403."""
    _require_login(request)
    event = event_get(user=request.user, pk=pk)
    if not access.can_manage_event(request.user, event):
        raise PermissionDenied()
    return event


def _manageable_session(request, pk) -> Session:
    _require_login(request)
    session = session_get(user=request.user, pk=pk)
    if not access.can_manage_event(request.user, session.event):
        raise PermissionDenied()
    return session


def _event_answer(request, pk, code=status.HTTP_200_OK) -> Response:
    event = event_get(user=request.user, pk=pk)
    return Response(EventOut(event, context={"request": request}).data, status=code)


FILTER_PARAMETERS = [
    OpenApiParameter("municipality", str, description="SCB municipality code, e.g. 0484"),
    OpenApiParameter("library", int),
    OpenApiParameter("kind", str, enum=Event.Kind.values),
    OpenApiParameter("audience", str, description="0-5, 6-9, 10-12, 13-17, adults, older_adults"),
    OpenApiParameter("language", str, description="BCP 47 tag"),
    OpenApiParameter("accessibility", str, description="venue feature code"),
    OpenApiParameter("priority_group", str),
    OpenApiParameter("easy_to_read", bool),
    OpenApiParameter("starts_after", OpenApiTypes.DATETIME),
    OpenApiParameter("starts_before", OpenApiTypes.DATETIME),
    OpenApiParameter("q", str, description="free text in titles, description, library"),
    OpenApiParameter("status", str, description="staff: comma-separated statuses (default published)"),
    OpenApiParameter("visibility", str, description="staff: comma-separated visibilities (default public)"),
]


class LibraryList(generics.ListAPIView):
    serializer_class = LibraryOut
    filter_backends: list = []

    def get_queryset(self):
        return library_list()


class EventList(generics.ListAPIView):
    """GET: published, public events (staff may add status and visibility); POST: create."""

    serializer_class = EventOut
    filter_backends: list = []  # booking.filters.events_filtered checks and applies them

    def get_queryset(self):
        return events_with_sessions(events_filtered(self.request.query_params, user=self.request.user))

    @extend_schema(parameters=FILTER_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=EventCreateIn, responses={201: EventOut})
    def post(self, request):
        _require_login(request)
        serializer = EventCreateIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not access.can_manage_library(request.user, fields["library"].pk):
            raise PermissionDenied()
        event = services.event_create(actor=request.user, **fields)
        return _event_answer(request, event.pk, status.HTTP_201_CREATED)


class EventDetail(APIView):
    @extend_schema(responses=EventOut)
    def get(self, request, pk):
        return _event_answer(request, pk)

    @extend_schema(request=EventUpdateIn, responses=EventOut)
    def patch(self, request, pk):
        event = _manageable_event(request, pk)
        serializer = EventUpdateIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.event_update(event=event, actor=request.user, **serializer.validated_data)
        return _event_answer(request, pk)


class EventCancel(APIView):
    @extend_schema(request=CancelIn, responses=EventOut)
    def post(self, request, pk):
        event = _manageable_event(request, pk)
        serializer = CancelIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.event_cancel(event=event, actor=request.user, reason=serializer.validated_data["reason"])
        return _event_answer(request, pk)


class SessionDetail(APIView):
    @extend_schema(responses=SessionOut)
    def get(self, request, pk):
        return Response(SessionOut(session_get(user=request.user, pk=pk)).data)

    @extend_schema(request=SessionMoveIn, responses=SessionOut)
    def patch(self, request, pk):
        session = _manageable_session(request, pk)
        serializer = SessionMoveIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        clear_room = "room" in data and data["room"] is None
        services.session_move(
            session=session,
            actor=request.user,
            start=data.get("start"),
            end=data.get("end"),
            room=data.get("room"),
            capacity=data.get("capacity"),
            clear_room=clear_room,
        )
        return Response(SessionOut(session_get(user=request.user, pk=pk)).data)


class SessionCancel(APIView):
    @extend_schema(request=CancelIn, responses=SessionOut)
    def post(self, request, pk):
        session = _manageable_session(request, pk)
        serializer = CancelIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(
            session=session, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(SessionOut(session_get(user=request.user, pk=pk)).data)


__all__ = [
    "EventCancel",
    "EventDetail",
    "EventList",
    "LibraryList",
    "SessionCancel",
    "SessionDetail",
]
