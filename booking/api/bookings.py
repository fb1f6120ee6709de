"""/api/v1/ bookings (API.md "Bookings"): parse, authorize through booking.access, call one
service, answer. The rules live in booking.services.bookings and .waitlist."""

import json

from django.db.models import Prefetch
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.client_ip import client_ip
from booking import access
from booking.api.booking_serializers import (
    AttendanceInput,
    BookingChangeInput,
    BookingCreateInput,
    BookingDataOutput,
    BookingOutput,
    MoveInput,
    ParticipantOutput,
    ReasonInput,
    StaffBookingInput,
    booking_created_data,
)
from booking.api.pagination import PageNumberPagination
from booking.api.throttles import BookingRateThrottle
from booking.errors import InvalidInput, PermissionDenied
from booking.models import Attendance, Booking, Event, Session
from booking.selectors.booking_target import booking_target
from booking.selectors.session_bookings import (
    session_bookings_q,
)
from booking.services import bookings as services
from booking.services.attendance import attendance_record
from booking.services.booker_data import booking_data, booking_erase
from booking.services.booking_move import booking_move
from booking.services.booking_patch import booking_patch
from booking.services.idempotency import (
    Replay,
    caller_scope,
    idempotency_abandon,
    idempotency_begin,
    idempotency_finish,
    request_fingerprint,
)
from booking.services.promotion import waitlist_promote
from booking.services.waitlist import queue_order, waitlist_position
from booking.services.waitlist_moves import waitlist_move


def _unknown(pointer: str):
    return InvalidInput(errors=[{"pointer": pointer, "code": "not_found", "detail": _("Det finns inte.")}])


def _bookable(user, event: Event) -> bool:
    """The public may book published public and unlisted events; staff also their own."""
    if event.is_public:
        return True
    return access.can_manage_event(user, event)


def _response_body(response):
    if isinstance(response, Response):
        return response.data
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _replay(replay: Replay):
    if replay.status >= 400:
        response = JsonResponse(
            replay.body,
            status=replay.status,
            safe=False,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = Response(replay.body, status=replay.status)
    response["Idempotent-Replayed"] = "true"
    return response


def _created(result) -> Response:
    links = services.booking_links(
        booking=result.booking, manage_token=result.manage_token, calendar_token=result.calendar_token
    )
    return Response(booking_created_data(result, links), status=status.HTTP_201_CREATED)


class BookingCreate(APIView):
    """POST /api/v1/bookings/ — book a session, or a whole series (`event`)."""

    throttle_classes = [*APIView.throttle_classes, BookingRateThrottle]

    @extend_schema(
        request=BookingCreateInput,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={201: dict},
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self._book(request)
        data = request.data  # malformed JSON is a 400 here, before any key is claimed
        outcome = idempotency_begin(
            scope=caller_scope(request.user, address=client_ip(request)),
            key=key,
            fingerprint=request_fingerprint(method=request.method, path=request.path, data=data),
        )
        if isinstance(outcome, Replay):
            return _replay(outcome)
        try:
            try:
                response = self._book(request)
            except Exception as exc:
                response = self.handle_exception(exc)  # re-raises what would be a 500
        except BaseException:
            idempotency_abandon(outcome)
            raise
        idempotency_finish(outcome, status=response.status_code, body=_response_body(response))
        return response

    def _book(self, request):
        form = BookingCreateInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        session = event = None
        if data.pop("session", None) is not None:
            # Only the event comes along: the rules need it; the outbox renders messages (the
            # library's and room's names) when they are sent, not in this request.
            session = (
                Session.objects.select_related("event").filter(pk=form.validated_data["session"]).first()
            )
            if session is None or not _bookable(request.user, session.event):
                raise _unknown("/session")
        event_id = data.pop("event", None)
        if event_id is not None:
            event = Event.objects.filter(pk=event_id).first()
            if event is None or not _bookable(request.user, event):
                raise _unknown("/event")
        user = request.user if request.user.is_authenticated else None
        result = services.booking_create(
            session=session, event=event, source=Booking.Source.API, created_by=user, **data
        )
        return _created(result)


class _ByToken(APIView):
    """The booker's own booking, reached by its unguessable manage token alone. Nothing of it
    may be kept by a cache on the way (a shared computer's browser, a proxy): no-store, as the
    manage page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def booking(self, token) -> Booking:
        booking = services.booking_by_manage_token(token=token)
        if booking is None:
            raise NotFound()
        return booking

    def answer(self, booking: Booking, token: str) -> Response:
        data = dict(BookingOutput(booking).data)
        data["waitlist_position"] = waitlist_position(booking)
        data.update(services.booking_links(booking=booking, manage_token=token))
        return Response(data)


class BookingManage(_ByToken):
    @extend_schema(responses=BookingOutput)
    def get(self, request, token):
        return self.answer(self.booking(token), token)

    @extend_schema(request=BookingChangeInput, responses=BookingOutput)
    def patch(self, request, token):
        booking = self.booking(token)
        form = BookingChangeInput(data=request.data)
        form.is_valid(raise_exception=True)
        changed = booking_patch(booking=booking, **form.validated_data)
        return self.answer(changed, token)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, token):
        """Erase the booking and its personal data now (the seats are freed as by a cancel)."""
        booking_erase(booking=self.booking(token))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookingManageData(_ByToken):
    @extend_schema(responses=BookingDataOutput)
    def get(self, request, token):
        """Everything held about this booking, for its booker."""
        return Response(BookingDataOutput(booking_data(booking=self.booking(token))).data)


class BookingManageCancel(_ByToken):
    @extend_schema(request=None, responses=BookingOutput)
    def post(self, request, token):
        cancelled = services.booking_cancel(booking=self.booking(token), by=Booking.CancelledBy.BOOKER)
        return self.answer(cancelled, token)


class BookingManageClaim(_ByToken):
    @extend_schema(request=None, responses=BookingOutput)
    def post(self, request, token):
        claimed = services.booking_claim(booking=self.booking(token))
        return self.answer(claimed, token)


def _require_login(request) -> None:
    if not request.user or not request.user.is_authenticated:
        raise NotAuthenticated()


def _managed_session(request, pk) -> Session:
    _require_login(request)
    session = Session.objects.select_related("event__library", "event__room", "room").filter(pk=pk).first()
    if session is None:
        raise NotFound()
    if not access.can_manage_event(request.user, session.event):
        raise PermissionDenied()
    return session


def _managed_booking(request, pk) -> Booking:
    """Another library's booking answers 404: its existence is nobody else's business."""
    _require_login(request)
    booking = Booking.objects.select_related("event").filter(pk=pk).first()
    if booking is None or not access.can_manage_event(request.user, booking.event):
        raise NotFound()
    return booking


def _staff_answer(booking: Booking) -> dict:
    return {
        "id": booking.pk,
        "status": booking.status,
        "seats": booking.seats,
        "overbooked_seats": booking.overbooked_seats,
        "promoted": booking.promoted,
        "waitlist_position": waitlist_position(booking),
        "offer_expires_at": booking.offer_expires_at.isoformat() if booking.offer_expires_at else None,
    }


class SessionBookings(APIView):
    """Staff of the library and organisers: a session's participants with needs and
    attendance (GET, paginated), or a booking on someone's behalf (POST)."""

    pagination_class = PageNumberPagination  # also tells the schema that GET is a page

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="comma-separated booking statuses")],
        responses=ParticipantOutput(many=True),
    )
    def get(self, request, pk):
        session = _managed_session(request, pk)
        queue = session_bookings_q(session_id=session.pk, event_id=session.event_id)
        bookings = (
            Booking.objects.filter(queue)
            .select_related("accessibility")
            .prefetch_related(
                "accessibility__needs",
                Prefetch(
                    "attendances",
                    queryset=Attendance.objects.filter(session=session),
                    to_attr="session_attendance",
                ),
            )
            .order_by("created_at", "pk")
        )
        wanted = request.query_params.get("status")
        if wanted:
            statuses = [s for s in wanted.split(",") if s]
            unknown = [s for s in statuses if s not in Booking.Status.values]
            if unknown:
                raise InvalidInput(
                    _("Okänt filter."),
                    errors=[{"pointer": "/status", "code": "invalid_filter", "detail": _("Okänd status.")}],
                )
            bookings = bookings.filter(status__in=statuses)
        # Waitlist positions for the whole queue in one query (the page may show any part).
        positions: dict[int, int] = {}
        counters: dict[int | None, int] = {}
        waiting = (
            Booking.objects.filter(queue, status=Booking.Status.WAITLISTED)
            .order_by(*queue_order())
            .values_list("pk", "session_id")
        )
        for booking_id, session_id in waiting:
            counters[session_id] = counters.get(session_id, 0) + 1
            positions[booking_id] = counters[session_id]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(bookings, request, view=self)
        data = ParticipantOutput(page, many=True, context={"positions": positions}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=StaffBookingInput, responses={201: dict})
    def post(self, request, pk):
        session = _managed_session(request, pk)
        form = StaffBookingInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        reason = data.pop("reason", "")
        try:
            result = services.booking_create(
                **booking_target(event=session.event, session=session),
                source=Booking.Source.STAFF,
                created_by=request.user,
                staff_reason=reason,
                **data,
            )
        except InvalidInput as exc:
            # The service's staff_reason is this call's `reason`: point there.
            for error in exc.errors:
                if error.get("pointer", "").startswith("/staff_reason"):
                    error["pointer"] = "/reason" + error["pointer"][len("/staff_reason") :]
            raise
        return _created(result)


class StaffBookingCancel(APIView):
    @extend_schema(request=ReasonInput, responses=dict)
    def post(self, request, pk):
        booking = _managed_booking(request, pk)
        form = ReasonInput(data=request.data)
        form.is_valid(raise_exception=True)
        cancelled = services.booking_cancel(
            booking=booking,
            by=Booking.CancelledBy.STAFF,
            actor=request.user,
            reason=form.validated_data["reason"],
        )
        return Response(_staff_answer(cancelled))


class StaffBookingPromote(APIView):
    @extend_schema(request=ReasonInput, responses=dict)
    def post(self, request, pk):
        booking = _managed_booking(request, pk)
        form = ReasonInput(data=request.data)
        form.is_valid(raise_exception=True)
        promoted = waitlist_promote(booking=booking, actor=request.user, reason=form.validated_data["reason"])
        return Response(_staff_answer(promoted))


class StaffBookingMove(APIView):
    """A waiting booking to a place in its queue (`position`), or any per-session booking to
    another session of its event (`session`, booking.services.booking_move): there when it has
    room, a waiting one on its waitlist, else 409 session_full and it stays."""

    @extend_schema(request=MoveInput, responses=dict)
    def post(self, request, pk):
        booking = _managed_booking(request, pk)
        form = MoveInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "position" in data:
            waitlist_move(booking=booking, to=data["position"], actor=request.user, reason=data["reason"])
        else:
            session = Session.objects.filter(pk=data["session"]).first()
            if session is None:
                raise _unknown("/session")
            booking_move(
                booking=booking, session=session, actor=request.user, staff=True, reason=data["reason"]
            )
        moved = Booking.objects.get(pk=booking.pk)
        return Response({**_staff_answer(moved), "session": moved.session_id})


class StaffBookingAttendance(APIView):
    @extend_schema(request=AttendanceInput, responses=dict)
    def post(self, request, pk):
        booking = _managed_booking(request, pk)
        form = AttendanceInput(data=request.data)
        form.is_valid(raise_exception=True)
        session_id = form.validated_data.get("session") or booking.session_id
        session = Session.objects.filter(pk=session_id).first() if session_id else None
        if session is None:
            raise _unknown("/session")
        attendance = attendance_record(
            booking=booking,
            session=session,
            status=form.validated_data["status"],
            attended_seats=form.validated_data.get("attended_seats"),
            actor=request.user,
        )
        return Response(
            {
                "booking": booking.pk,
                "session": session.pk,
                "status": attendance.status,
                "attended_seats": attendance.attended_seats,
            }
        )
