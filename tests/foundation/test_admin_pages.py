"""Every admin page an organiser opens renders: each changelist, add page and a change page,
with data in it, in Swedish, in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from booking.models import (
    AccessibilityRequest,
    Attendance,
    AuditEvent,
    Booking,
    Event,
    FeedToken,
    IdempotencyRecord,
    Session,
    VisitDateOption,
    VisitRequest,
)
from booking.selectors.contacts import phone_digest
from notifications.models import ConsentEvent, Notification, OptOut, WorkerHeartbeat, recipient_digest_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.se", "a-long-test-password")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def data(superuser):
    """The demo programme plus one of everything the demo does not make."""
    from django.core.management import call_command

    call_command("seed_demo", "--no-accounts", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    session = Session.objects.filter(event__status=Event.Status.PUBLISHED).first()
    booking = Booking.objects.create(
        event=session.event,
        session=session,
        seats=2,
        name="Berit Bokare",
        phone="+46701234567",
        phone_digest=phone_digest("+46701234567"),  # as the booking services write it
        sms_consent=True,
        status=Booking.Status.CONFIRMED,
        manage_token_hash="a" * 64,
        calendar_token_hash="b" * 64,
    )
    needs = AccessibilityRequest.objects.create(booking=booking, note="Rullstol", consent_at=timezone.now())
    needs.needs.set(["wheelchair_space"])
    Attendance.objects.create(booking=booking, session=session, status=Attendance.Status.ATTENDED)
    visit = VisitRequest.objects.create(library=session.event.library, format=VisitRequest.Format.PUBLIC_TALK)
    VisitDateOption.objects.create(
        request=visit,
        start=timezone.now() + timedelta(days=40),
        end=timezone.now() + timedelta(days=40, hours=1),
    )
    Notification.objects.create(
        channel=Notification.Channel.SMS,
        recipient=booking.phone,
        template="reminder",
        body="Påminnelse",
        booking=booking,
        session=session,
        due_at=timezone.now(),
        status=Notification.Status.FAILED,
        status_reason="21610: unsubscribed",
        dedupe_key="test:1",
    )
    OptOut.objects.create(
        phone_digest=recipient_digest_of("+46709999999"),
        source=OptOut.Source.SMS_KEYWORD,
        opted_out_at=timezone.now(),
    )
    ConsentEvent.objects.create(phone=booking.phone, action=ConsentEvent.Action.OPT_IN, source="booking")
    WorkerHeartbeat.objects.create(name="w1", seen_at=timezone.now())
    FeedToken.objects.create(user=superuser, token="t" * 40)
    AuditEvent.objects.create(actor=superuser, actor_label="root", action="test", object_type="event")
    IdempotencyRecord.objects.create(
        scope="anon", key="k1", request_hash="c" * 64, expires_at=timezone.now() + timedelta(hours=1)
    )
    return booking


def registered():
    return [
        pytest.param(model, model_admin, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model, model_admin in admin.site._registry.items()
    ]


@pytest.mark.parametrize("model, model_admin", registered())
def test_changelist_add_and_change_pages_render(admin_client, data, superuser, model, model_admin):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    response = admin_client.get(reverse(f"{prefix}_changelist"))
    assert response.status_code == 200
    request = RequestFactory().get("/admin/")
    request.user = superuser
    if model_admin.has_add_permission(request):
        assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        response = admin_client.get(reverse(f"{prefix}_change", args=[obj.pk]))
        assert response.status_code == 200


def test_the_admin_speaks_swedish_and_says_laesrum(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Läsrum – administration" in response.content.decode()
    assert '<html lang="sv"' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/booking/event/",
        "/admin/booking/session/",
        "/admin/booking/booking/",
        "/admin/booking/library/",
        "/admin/booking/room/",
        "/admin/booking/creator/",
        "/admin/notifications/notification/",
    ],
)
def test_changelists_take_a_bounded_number_of_queries(admin_client, data, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(20):
        assert admin_client.get(url).status_code == 200


def test_a_library_without_a_known_address_says_so(admin_client, data):
    content = admin_client.get("/admin/booking/library/").content.decode()
    assert "adress saknas" in content
    assert "Hospitalsgatan 4" in content


def test_failed_messages_show_why(admin_client, data):
    content = admin_client.get("/admin/notifications/notification/?problem=yes").content.decode()
    assert "21610: unsubscribed" in content


def test_search_finds_a_booking_by_phone(admin_client, data):
    content = admin_client.get("/admin/booking/booking/?q=%2B46701234567").content.decode()
    assert "Berit Bokare" in content


def test_moving_a_session_in_the_admin_raises_its_calendar_sequence(admin_client, data):
    session = data.session
    start = timezone.localtime(session.start) + timedelta(hours=1)
    end = timezone.localtime(session.end) + timedelta(hours=1)
    response = admin_client.post(
        reverse("admin:booking_session_change", args=[session.pk]),
        {
            "start_0": start.strftime("%Y-%m-%d"),
            "start_1": start.strftime("%H:%M:%S"),
            "end_0": end.strftime("%Y-%m-%d"),
            "end_1": end.strftime("%H:%M:%S"),
            "room": session.room_id,
            "capacity": session.capacity,
            "status": session.status,
            "cancel_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    moved = Session.objects.get(pk=session.pk)
    assert moved.start == session.start + timedelta(hours=1)
    assert moved.sequence == session.sequence + 1


def test_capacity_below_the_seats_taken_is_refused_with_a_message(admin_client, data):
    session = data.session
    Session.objects.filter(pk=session.pk).update(seats_taken=2)
    start, end = timezone.localtime(session.start), timezone.localtime(session.end)
    response = admin_client.post(
        reverse("admin:booking_session_change", args=[session.pk]),
        {
            "start_0": start.strftime("%Y-%m-%d"),
            "start_1": start.strftime("%H:%M:%S"),
            "end_0": end.strftime("%Y-%m-%d"),
            "end_1": end.strftime("%H:%M:%S"),
            "room": session.room_id,
            "capacity": 1,
            "status": session.status,
        },
    )
    assert response.status_code == 200
    assert "2 platser är redan bokade." in response.content.decode()  # the service's words
    assert Session.objects.get(pk=session.pk).capacity == session.capacity


def test_an_event_added_with_a_session_gives_the_session_its_capacity(admin_client, data):
    room = data.event.room
    start = timezone.localtime(timezone.now() + timedelta(days=60)).replace(hour=18, minute=0, second=0)
    response = admin_client.post(
        reverse("admin:booking_event_add"),
        {
            "kind": Event.Kind.WRITING_WORKSHOP,
            "status": Event.Status.PUBLISHED,
            "visibility": Event.Visibility.PUBLIC,
            "library": room.library_id,
            "room": room.pk,
            "content_language": "sv",
            "title": "Skrivarkväll i admin",
            "capacity": 7,
            "max_seats_per_booking": 2,
            "booking_closes_before": "0",
            "waitlist_mode": Event.WaitlistMode.OFFER,
            "booking_mode": Event.BookingMode.SESSION,
            "recurrence_exdates": "[]",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-0-start_0": start.strftime("%Y-%m-%d"),
            "sessions-0-start_1": "18:00:00",
            "sessions-0-end_0": start.strftime("%Y-%m-%d"),
            "sessions-0-end_1": "20:00:00",
            "sessions-0-room": room.pk,
            "sessions-0-status": Session.Status.SCHEDULED,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Skrivarkväll i admin")
    session = event.sessions.get()
    assert session.capacity == 7
    assert timezone.localtime(session.start).hour == 18
    assert event.created_by.username == "root"
