"""Staff booking on someone's behalf through the API: a reason is what lets them exceed the
capacity (API.md), and its errors point at the call's own field, `reason`."""

import pytest

from booking.models import AuditEvent, Booking

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
    assert Booking.objects.filter(name="Walk-in Wera").count() == 0


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
