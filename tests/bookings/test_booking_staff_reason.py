"""Staff booking on someone's behalf through the API: a reason is what lets them exceed the
capacity (API.md), and its errors point at the call's own field, `reason`. And a booker's
decrease always works, even when staff booked more seats than the public may."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking.models import AuditEvent, Booking
from tests.factories import bookings_named, make_event

pytestmark = pytest.mark.django_db

WALK_IN = {"seats": 2, "name": "Walk-in Wera", "phone": "0701234567", "sms_consent": True}


def url(session) -> str:
    return f"/api/v1/sessions/{session.pk}/bookings/"


def assert_problem(response, status, code) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["code"] == code
    return problem


@pytest.fixture
def full(as_user, librarian, session):
    """The librarian's client, with the 10-seat session booked full by a class."""
    client = as_user(librarian)
    class_booking = client.post(
        url(session), {"seats": 10, "name": "Klass 3A", "email": "larare@example.se"}, format="json"
    )
    assert class_booking.status_code == 201 and class_booking.json()["status"] == "confirmed"
    return client


def test_a_reason_alone_books_over_capacity_on_a_full_session(full, session):
    response = full.post(url(session), {**WALK_IN, "reason": "Kom i sista stund"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed" and response.json()["waitlist_position"] is None
    session.refresh_from_db()
    assert (session.seats_taken, session.overbooked) == (12, 2)
    booking = Booking.objects.get(pk=response.json()["id"])
    assert (booking.overbooked_seats, booking.staff_reason) == (2, "Kom i sista stund")
    audit = AuditEvent.objects.get(action="booking_create_on_behalf", object_id=str(booking.pk))
    assert audit.reason == "Kom i sista stund"


def test_without_a_reason_a_full_session_still_puts_staff_on_the_waitlist(full, session):
    response = full.post(url(session), WALK_IN, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted" and response.json()["waitlist_position"] == 1
    session.refresh_from_db()
    assert (session.seats_taken, session.overbooked) == (10, 0)


def test_a_reason_on_a_session_with_room_books_within_capacity(as_user, librarian, session):
    response = as_user(librarian).post(url(session), {**WALK_IN, "reason": "Ringde in"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    session.refresh_from_db()
    assert (session.seats_taken, session.overbooked) == (2, 0)
    assert Booking.objects.get().overbooked_seats == 0


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_allow_over_capacity_without_a_reason_points_at_reason(full, session, reason):
    body = {**WALK_IN, "allow_over_capacity": True}
    if reason is not None:
        body["reason"] = reason
    problem = assert_problem(full.post(url(session), body, format="json"), 400, "invalid")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/reason", "reason_required")]
    assert len(bookings_named("Walk-in Wera")) == 0


def test_allow_over_capacity_with_a_reason_still_works(full, session):
    body = {**WALK_IN, "allow_over_capacity": True, "reason": "Skolklass, bokat i telefon"}
    response = full.post(url(session), body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    session.refresh_from_db()
    assert session.overbooked == 2


def test_a_bad_reason_is_reported_at_reason(full, session):
    problem = assert_problem(
        full.post(url(session), {**WALK_IN, "reason": "Ringde\x1b[31m"}, format="json"), 400, "invalid"
    )
    assert {e["pointer"] for e in problem["errors"]} == {"/reason"}
    too_long = assert_problem(
        full.post(url(session), {**WALK_IN, "reason": "x" * 1001}, format="json"), 400, "invalid"
    )
    assert [e["pointer"] for e in too_long["errors"]] == ["/reason"]


# --- a decrease always works ----------------------------------------------------------------


@pytest.fixture
def big_class(as_user, librarian, room):
    """A class of 11 that staff booked in a session whose public limit is 6 seats a booking:
    (the booking's manage path, its API path)."""
    event = make_event(room=room, capacity=30, max_seats_per_booking=6)
    session = event.sessions.get()
    response = as_user(librarian).post(
        url(session), {"seats": 11, "name": "Klass 4B", "email": "larare@example.se"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    data = response.json()

    def path(link: str) -> str:
        return "/" + link.split("://", 1)[1].split("/", 1)[1]

    return {"session": session, "manage": path(data["manage_url"]), "api": path(data["api_url"])}


def test_the_booker_can_reduce_a_staff_booked_class_over_the_limit_by_the_api(big_class):
    booker = APIClient()
    smaller = booker.patch(big_class["api"], {"seats": 10}, format="json")
    assert smaller.status_code == 200, smaller.content
    assert smaller.json()["seats"] == 10
    session = big_class["session"]
    session.refresh_from_db()
    assert session.seats_taken == 10
    # Other changes leave the seats alone and work too.
    renamed = booker.patch(big_class["api"], {"name": "Klass 4B (fröken Berg)"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["seats"] == 10
    # The maximum binds an increase: back to 11 is refused.
    more = booker.patch(big_class["api"], {"seats": 11}, format="json")
    problem = assert_problem(more, 400, "invalid")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/seats", "too_many_seats")]
    assert Booking.objects.get().seats == 10


def test_fewer_seats_cannot_hide_more_participants_behind_dropped_companions(big_class):
    booker = APIClient()
    # 11 seats, 5 of them companions: 6 participants, at the limit.
    assert (
        booker.patch(big_class["api"], {"seats": 11, "companion_seats": 5}, format="json").status_code == 200
    )
    # 10 seats and no companions is 10 participants: more than before and over the limit.
    more_people = booker.patch(big_class["api"], {"seats": 10, "companion_seats": 0}, format="json")
    assert_problem(more_people, 400, "invalid")
    assert Booking.objects.get().companion_seats == 5


def test_the_booker_can_reduce_a_staff_booked_class_on_the_manage_page(big_class):
    browser = Client()
    page = browser.get(big_class["manage"])
    assert page.status_code == 200 and 'value="11"' in page.content.decode()
    response = browser.post(
        big_class["manage"].rstrip("/") + "/platser/",
        {"seats": "10", "companion_seats": "0", "children": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = browser.get(response["Location"])
    assert "Ändringen är sparad." in page.content.decode()
    assert Booking.objects.get().seats == 10
