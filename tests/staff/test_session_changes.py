"""Cancelling one meeting, moving one meeting, cancelling a whole event: through the staff
pages, with the CSRF token as a browser sends it, in Swedish and English."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from booking.models import AuditEvent, Booking, Event, Session
from booking.services.bookings import booking_create
from notifications.models import Notification
from notifications.outbox.compose import compose
from tests.factories import make_event, make_room


def csrf_client(user=None, language="sv") -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def post_form(client, url, data):
    """GET the page, take the token out of its form, POST as a browser would."""
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def circle(library):
    """A reading circle of three weekly meetings in a room for 10; two people booked the
    first meeting, one the second."""
    room = make_room(library=library, capacity=10, name="Cirkelrummet")
    event = make_event(room=room, capacity=8, sessions=3, title="Läscirkel: Moberg")
    first, second, _third = event.sessions.order_by("start")
    booking_create(session=first, seats=2, name="Anna Andersson", email="anna@example.se")
    booking_create(session=first, seats=1, name="Bo Berg", email="bo@example.se", language="en")
    booking_create(session=second, seats=1, name="Cilla Carlsson", email="cilla@example.se")
    return event


def _sessions(event):
    return list(event.sessions.order_by("start"))


def _told(template):
    return Notification.objects.filter(template=template, channel=Notification.Channel.EMAIL)


def _local(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# Cancel one meeting


@pytest.mark.parametrize("language", ["sv", "en"])
def test_cancelling_one_meeting_tells_its_bookers_and_leaves_the_others(librarian, circle, language):
    first, second, third = _sessions(circle)
    client = csrf_client(librarian, language)
    page = client.get(f"/personal/tillfallen/{first.pk}/installa/")
    assert page.status_code == 200
    assert ("Reason" if language == "en" else "Skäl") in page.content.decode()

    response = post_form(
        client, f"/personal/tillfallen/{first.pk}/installa/", {"reason": "Cirkelledaren är sjuk."}
    )
    assert response.status_code == 302 and response["Location"] == f"/personal/evenemang/{circle.pk}/"

    first.refresh_from_db()
    assert first.status == Session.Status.CANCELLED and first.cancel_reason == "Cirkelledaren är sjuk."
    assert first.sequence == 1
    for other in (second, third):
        other.refresh_from_db()
        assert other.status == Session.Status.SCHEDULED and other.sequence == 0
    told = _told("session_cancelled")
    assert set(told.values_list("booking__name", flat=True)) == {"Anna Andersson", "Bo Berg"}
    assert all("Cirkelledaren är sjuk." in compose(row)[1] for row in told)
    assert AuditEvent.objects.filter(action="session_cancelled", actor=librarian).count() == 1

    event_page = client.get(response["Location"]).content.decode()
    assert f"/personal/tillfallen/{first.pk}/installa/" not in event_page  # no second cancel link
    assert f"/personal/tillfallen/{second.pk}/installa/" in event_page


def test_the_feed_shows_the_cancelled_meeting_as_cancelled(librarian, circle):
    first, second, _third = _sessions(circle)
    post_form(csrf_client(librarian), f"/personal/tillfallen/{first.pk}/installa/", {"reason": ""})
    feed = Client().get(f"/feeds/events/{circle.pk}.ics").content.decode().replace("\r\n ", "")
    events = feed.split("BEGIN:VEVENT")[1:]
    assert len(events) == 3
    by_uid = {re.search(r"UID:(\S+)", e).group(1): e for e in events}
    cancelled = [e for e in by_uid.values() if "STATUS:CANCELLED" in e]
    assert len(cancelled) == 1 and "SEQUENCE:1" in cancelled[0]
    assert sum("STATUS:CONFIRMED" in e for e in events) == 2


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(librarian, circle):
    first = _sessions(circle)[0]
    response = csrf_client(librarian).post(f"/personal/tillfallen/{first.pk}/installa/", {"reason": "x"})
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.status == Session.Status.SCHEDULED and not _told("session_cancelled").exists()


def test_a_reason_too_long_is_shown_on_the_field_and_nothing_is_cancelled(librarian, circle):
    first = _sessions(circle)[0]
    response = post_form(
        csrf_client(librarian), f"/personal/tillfallen/{first.pk}/installa/", {"reason": "x" * 1001}
    )
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    first.refresh_from_db()
    assert first.status == Session.Status.SCHEDULED and not _told("session_cancelled").exists()


def test_an_already_cancelled_meeting_has_no_cancel_form(librarian, circle):
    first = _sessions(circle)[0]
    client = csrf_client(librarian, "en")
    post_form(client, f"/personal/tillfallen/{first.pk}/installa/", {"reason": ""})
    again = client.get(f"/personal/tillfallen/{first.pk}/installa/", follow=True)
    assert "The session is already cancelled." in again.content.decode()
    assert _told("session_cancelled").count() == 2  # nobody told twice


# Move one meeting


@pytest.mark.parametrize("language", ["sv", "en"])
def test_moving_one_meeting_to_another_time_and_room_tells_its_bookers(librarian, library, circle, language):
    first, second, _third = _sessions(circle)
    hall = make_room(library=library, capacity=40, name="Hörsalen")
    new_start = (first.start + timedelta(days=1, hours=2)).replace(second=0)
    client = csrf_client(librarian, language)
    participants = client.get(f"/personal/tillfallen/{first.pk}/deltagare/").content.decode()
    assert f"/personal/tillfallen/{first.pk}/flytta/" in participants
    assert f"/personal/tillfallen/{first.pk}/installa/" in participants
    page = client.get(f"/personal/tillfallen/{first.pk}/flytta/").content.decode()
    assert f'value="{_local(first.start)}"' in page and "Hörsalen" in page
    response = post_form(
        client,
        f"/personal/tillfallen/{first.pk}/flytta/",
        {"start": _local(new_start), "end": _local(new_start + timedelta(hours=1)), "room": hall.pk},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.start == new_start and first.room_id == hall.pk and first.sequence == 1
    assert first.capacity == 8  # capacity left empty: unchanged
    second.refresh_from_db()
    assert second.room_id != hall.pk and second.sequence == 0
    assert set(_told("session_moved").values_list("booking__name", flat=True)) == {
        "Anna Andersson",
        "Bo Berg",
    }


@pytest.mark.parametrize("language", ["sv", "en"])
def test_moving_into_a_taken_room_shows_the_error_on_the_page_and_changes_nothing(
    librarian, circle, language
):
    first, second, _third = _sessions(circle)
    response = post_form(
        csrf_client(librarian, language),
        f"/personal/tillfallen/{first.pk}/flytta/",
        {"start": _local(second.start), "end": _local(second.end), "room": second.room_id},
    )
    assert response.status_code == 200
    text = response.content.decode()
    message = "The room is taken at that time." if language == "en" else "Lokalen är upptagen den tiden."
    assert message in text and 'id="id_start_error"' in text
    before = first.start
    first.refresh_from_db()
    assert first.start == before and first.sequence == 0
    assert not _told("session_moved").exists()
    assert not AuditEvent.objects.filter(action="session_moved").exists()


def test_capacity_below_the_seats_taken_is_shown_on_the_capacity_field(librarian, circle):
    first = _sessions(circle)[0]
    response = post_form(
        csrf_client(librarian),
        f"/personal/tillfallen/{first.pk}/flytta/",
        {"start": _local(first.start), "end": _local(first.end), "room": first.room_id, "capacity": 2},
    )
    text = response.content.decode()
    assert response.status_code == 200 and 'id="id_capacity_error"' in text
    assert "3 platser är redan bokade." in text
    first.refresh_from_db()
    assert first.capacity == 8


def test_a_room_too_small_for_the_seats_is_shown_on_the_room_field(librarian, library, circle):
    first = _sessions(circle)[0]
    closet = make_room(library=library, capacity=3, name="Skrubben")
    response = post_form(
        csrf_client(librarian),
        f"/personal/tillfallen/{first.pk}/flytta/",
        {"start": _local(first.start), "end": _local(first.end), "room": closet.pk},
    )
    assert response.status_code == 200 and 'id="id_room_error"' in response.content.decode()
    first.refresh_from_db()
    assert first.room_id != closet.pk


@pytest.mark.parametrize(
    "data",
    [
        {"start": "", "end": ""},
        {"start": "i morgon", "end": "2030-13-45T25:61"},
        {"start": "2030-01-01T10:00", "end": "2030-01-01T09:00"},
    ],
)
def test_ugly_times_are_refused_on_the_form_and_change_nothing(librarian, circle, data):
    first = _sessions(circle)[0]
    response = post_form(csrf_client(librarian), f"/personal/tillfallen/{first.pk}/flytta/", data)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    before = first.start
    first.refresh_from_db()
    assert first.start == before and not _told("session_moved").exists()


def test_another_librarys_room_is_not_a_choice(librarian, other_library, circle):
    first = _sessions(circle)[0]
    elsewhere = make_room(library=other_library, capacity=50, name="Nyköpingssalen")
    client = csrf_client(librarian)
    assert "Nyköpingssalen" not in client.get(f"/personal/tillfallen/{first.pk}/flytta/").content.decode()
    response = post_form(
        client,
        f"/personal/tillfallen/{first.pk}/flytta/",
        {"start": _local(first.start), "end": _local(first.end), "room": elsewhere.pk},
    )
    assert response.status_code == 200 and 'id="id_room_error"' in response.content.decode()
    first.refresh_from_db()
    assert first.room_id != elsewhere.pk


# Cancel the whole event


@pytest.mark.parametrize("language", ["sv", "en"])
def test_cancelling_the_event_tells_every_booker_and_cancels_every_meeting(librarian, circle, language):
    client = csrf_client(librarian, language)
    event_page = client.get(f"/personal/evenemang/{circle.pk}/").content.decode()
    assert f"/personal/evenemang/{circle.pk}/installa/" in event_page
    response = post_form(
        client, f"/personal/evenemang/{circle.pk}/installa/", {"reason": "Biblioteket renoveras."}
    )
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.status == Event.Status.CANCELLED and circle.cancel_reason == "Biblioteket renoveras."
    assert {s.status for s in _sessions(circle)} == {Session.Status.CANCELLED}
    told = _told("event_cancelled")
    assert set(told.values_list("booking__name", flat=True)) == {
        "Anna Andersson",
        "Bo Berg",
        "Cilla Carlsson",
    }
    assert (
        Booking.objects.filter(event=circle, status=Booking.Status.CONFIRMED).count() == 3
    )  # kept for statistics
    after = client.get(f"/personal/evenemang/{circle.pk}/").content.decode()
    assert all("Biblioteket renoveras." in compose(row)[1] for row in told)
    assert "Biblioteket renoveras." in after
    assert f"/personal/evenemang/{circle.pk}/installa/" not in after
    assert "/flytta/" not in after and "/installa/" not in after


def test_a_cancelled_events_meeting_cannot_be_moved(librarian, circle):
    first = _sessions(circle)[0]
    client = csrf_client(librarian, "en")
    post_form(client, f"/personal/evenemang/{circle.pk}/installa/", {"reason": ""})
    page = client.get(f"/personal/tillfallen/{first.pk}/flytta/")
    assert page.status_code == 302
    assert client.get(f"/personal/evenemang/{circle.pk}/installa/").status_code == 302


# Who may


def _urls(event):
    first = _sessions(event)[0]
    return [
        f"/personal/tillfallen/{first.pk}/installa/",
        f"/personal/tillfallen/{first.pk}/flytta/",
        f"/personal/evenemang/{event.pk}/installa/",
    ]


@pytest.mark.parametrize("who", ["librarian", "organiser"])
def test_own_library_staff_and_organisers_may(request, circle, who):
    client = csrf_client(request.getfixturevalue(who))
    for url in _urls(circle):
        assert client.get(url).status_code == 200, url


def test_an_organiser_can_cancel_the_event(organiser, circle):
    response = post_form(csrf_client(organiser), f"/personal/evenemang/{circle.pk}/installa/", {"reason": ""})
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.status == Event.Status.CANCELLED


@pytest.mark.parametrize(("who", "status"), [("other_librarian", 404), ("creator_user", 403)])
def test_others_get_no_page_and_their_posts_change_nothing(request, circle, who, status):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    first = _sessions(circle)[0]
    for url in _urls(circle):
        assert client.get(url).status_code == status, url
        assert (
            client.post(
                url, {"reason": "x", "start": _local(first.start), "end": _local(first.end)}
            ).status_code
            == status
        )
    circle.refresh_from_db()
    first.refresh_from_db()
    assert circle.status != Event.Status.CANCELLED and first.status == Session.Status.SCHEDULED
    assert not Notification.objects.filter(template__in=["session_cancelled", "event_cancelled"]).exists()


def test_anonymous_visitors_are_sent_to_log_in(circle):
    for url in _urls(circle):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/?next="), url


def test_an_unknown_session_or_event_is_404(librarian):
    client = csrf_client(librarian)
    for url in (
        "/personal/tillfallen/999999/installa/",
        "/personal/tillfallen/999999/flytta/",
        "/personal/evenemang/999999/installa/",
    ):
        assert client.get(url).status_code == 404
