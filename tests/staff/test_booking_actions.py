"""One booking on the participant list: promote following the queue, cancel, change."""

import pytest
from django.test import Client

from booking.errors import InvalidInput
from booking.models import AuditEvent, Booking, Session
from booking.services.bookings import booking_create
from booking.services.promotion import waitlist_promote
from notifications.models import Notification
from tests.factories import booking_named, make_event, make_room


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def queue(library):
    """Six of six seats taken; three waiting: nr 1 (1 seat), nr 2 (1), nr 3 (2)."""
    event = make_event(room=make_room(library=library, capacity=10), capacity=6)
    session = event.sessions.get()
    booking_create(session=session, seats=3, name="Full Klass", email="klass@example.se")
    booking_create(session=session, seats=3, name="Annan Klass", email="annan@example.se")
    waiting = [
        booking_create(session=session, seats=seats, name=name, email=f"w{seats}{i}@example.se").booking
        for i, (name, seats) in enumerate((("Ett Ettan", 1), ("Två Tvåan", 1), ("Tre Trean", 2)))
    ]
    assert all(b.status == Booking.Status.WAITLISTED for b in waiting)
    return session, waiting


def _room(session, capacity):
    Session.objects.filter(pk=session.pk).update(capacity=capacity)


def _codes(excinfo):
    return {(e["pointer"], e["code"]) for e in excinfo.value.errors}


def test_the_first_in_the_queue_with_room_needs_no_reason(librarian, queue):
    session, (first, _second, _third) = queue
    _room(session, 7)
    promoted = waitlist_promote(booking=first, actor=librarian)
    assert promoted.status == Booking.Status.CONFIRMED and promoted.overbooked_seats == 0
    assert Notification.objects.filter(booking=first, template="promoted").exists()


def test_past_others_without_a_reason_is_refused_and_with_one_recorded(librarian, queue):
    session, (first, second, third) = queue
    _room(session, 8)
    with pytest.raises(InvalidInput) as refused:
        waitlist_promote(booking=third, actor=librarian)
    assert _codes(refused) == {("/reason", "queue_ahead")}
    assert "Ett Ettan" in refused.value.errors[0]["detail"]
    third.refresh_from_db()
    assert third.status == Booking.Status.WAITLISTED
    waitlist_promote(booking=third, actor=librarian, reason="Skolklass med buss")
    third.refresh_from_db()
    assert (third.status, third.staff_reason, third.overbooked_seats) == (
        "confirmed",
        "Skolklass med buss",
        0,
    )
    entry = AuditEvent.objects.get(action="booking_promote", object_id=str(third.pk))
    assert entry.reason == "Skolklass med buss" and entry.data["passed"] == [first.pk, second.pk]


def test_into_a_full_session_without_a_reason_is_refused_and_with_one_overbooks(librarian, queue):
    session, (first, _second, third) = queue
    with pytest.raises(InvalidInput) as refused:
        waitlist_promote(booking=first, actor=librarian)
    assert _codes(refused) == {("/reason", "session_full")}
    with pytest.raises(InvalidInput) as both:
        waitlist_promote(booking=third, actor=librarian)
    assert _codes(both) == {("/reason", "queue_ahead"), ("/reason", "session_full")}
    session.refresh_from_db()
    assert session.seats_taken == 6  # not "8 av 6"
    waitlist_promote(booking=first, actor=librarian, reason="Författarens familj")
    first.refresh_from_db()
    session.refresh_from_db()
    assert (first.status, first.overbooked_seats, first.staff_reason) == (
        "confirmed",
        1,
        "Författarens familj",
    )
    assert session.seats_taken == 7


def test_the_api_answers_400_at_reason_and_promotes_with_one(as_user, librarian, queue):
    session, (_first, _second, third) = queue
    url = f"/api/v1/bookings/{third.pk}/promote/"
    refused = as_user(librarian).post(url, {}, format="json")
    assert refused.status_code == 400, refused.content
    assert "/reason" in refused.content.decode()
    third.refresh_from_db()
    assert third.status == "waitlisted"
    done = as_user(librarian).post(url, {"reason": "Ringde i förväg"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_page_asks_why_and_then_promotes(librarian, queue, language):
    session, (_first, _second, third) = queue
    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian)
    client.cookies["django_language"] = language
    url = f"/personal/tillfallen/{session.pk}/vantelista/{third.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    token = (
        form.cookies["csrftoken"].value if "csrftoken" in form.cookies else client.cookies["csrftoken"].value
    )
    asked = client.post(url, {"csrfmiddlewaretoken": token})
    assert asked.status_code == 200 and "Ett Ettan" in asked.content.decode()
    third.refresh_from_db()
    assert third.status == "waitlisted"
    done = client.post(url, {"csrfmiddlewaretoken": token, "reason": "Bussen kommer tidigt", "asked": "1"})
    assert done.status_code == 302
    third.refresh_from_db()
    assert third.status == "confirmed" and third.staff_reason == "Bussen kommer tidigt"


def test_cancel_and_change_on_behalf_tell_the_person_and_are_audited(librarian, queue):
    session, (first, _second, _third) = queue
    klass = booking_named("Full Klass")
    client = client_for(librarian)
    changed = client.post(
        f"/personal/tillfallen/{session.pk}/bokning/{klass.pk}/andra/",
        {
            "name": "Full Klass",
            "email": "ny@example.se",
            "phone": "",
            "language": "en",
            "seats": 2,
            "companion_seats": 0,
            "children": 0,
            "reason": "Ringde",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    klass.refresh_from_db()
    first.refresh_from_db()
    assert (klass.seats, klass.email, klass.language) == (2, "ny@example.se", "en")
    assert first.status in ("confirmed", "offered")  # the freed seat went to nr 1
    assert AuditEvent.objects.get(action="booking_change_on_behalf").reason == "Ringde"
    assert Notification.objects.filter(booking=klass, template="seats_changed").exists()
    cancelled = client.post(
        f"/personal/tillfallen/{session.pk}/bokning/{klass.pk}/avboka/", {"reason": "Sjuk"}
    )
    assert cancelled.status_code == 302
    klass.refresh_from_db()
    assert klass.status == "cancelled" and klass.cancel_reason == "Sjuk"
    assert AuditEvent.objects.filter(action="booking_cancel", object_id=str(klass.pk)).exists()
    assert Notification.objects.filter(booking=klass, template="cancelled").exists()


def test_permissions(queue, librarian, other_librarian, organiser, creator_user):
    session, (first, _second, _third) = queue
    urls = [
        f"/personal/tillfallen/{session.pk}/vantelista/{first.pk}/",
        f"/personal/tillfallen/{session.pk}/bokning/{first.pk}/avboka/",
        f"/personal/tillfallen/{session.pk}/bokning/{first.pk}/andra/",
    ]
    for url in urls:
        assert client_for(librarian).get(url).status_code == 200
        assert client_for(organiser).get(url).status_code == 200
        assert client_for(other_librarian).post(url, {"reason": "x"}).status_code == 404
        assert client_for(creator_user).post(url, {"reason": "x"}).status_code == 403
        assert Client().post(url, {"reason": "x"}).status_code == 302  # to the login
    first.refresh_from_db()
    assert first.status == "waitlisted"
