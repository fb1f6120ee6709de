"""The booker's own data on api_url (API.md): `GET {api_url}data/` is everything held about the
booking and nothing about anyone else; `DELETE {api_url}` erases it now, freeing the seats as
a cancel does, through the same anonymisation as retention."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import AccessibilityRequest, AuditEvent, Booking, Event, Session
from booking.services.booker_data import booking_data, booking_erase
from booking.services.bookings import booking_cancel, booking_create
from notifications.models import ConsentEvent, Notification
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def _path(manage_token: str) -> str:
    return f"/api/v1/bookings/manage/{manage_token}/"


@pytest.fixture
def anna(session):
    return booking_create(
        session=session,
        seats=3,
        companion_seats=1,
        children=1,
        name="Anna Andersson",
        email="anna@example.se",
        phone="070-123 45 67",
        sms_consent=True,
        language="en",
        accessibility_needs=["hearing_loop"],
        accessibility_note="Vi behöver sitta nära scenen.",
        accessibility_consent=True,
    )


@pytest.fixture
def bertil(session):
    return booking_create(session=session, seats=2, name="Bertil Bengtsson", email="bertil@example.se")


def test_data_is_everything_held_about_the_booking(api_client, anna, bertil):
    response = api_client.get(_path(anna.manage_token) + "data/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["contact"] == {"name": "Anna Andersson", "email": "anna@example.se", "phone": "+46701234567"}
    held = data["booking"]
    assert (held["id"], held["status"], held["seats"], held["companion_seats"], held["children"]) == (
        anna.booking.pk,
        "confirmed",
        3,
        1,
        1,
    )
    assert held["language"] == "en" and held["sessions"][0]["id"] == anna.booking.session_id
    assert [n["code"] for n in data["accessibility"]["needs"]] == ["hearing_loop"]
    assert data["accessibility"]["note"] == "Vi behöver sitta nära scenen."
    assert data["consents"]["sms_consent"] is True and data["consents"]["sms_consent_at"]
    assert data["consents"]["accessibility_consent_at"]
    assert [e["action"] for e in data["consents"]["events"]] == ["opt_in"]
    sent = {(m["template"], m["channel"]) for m in data["messages"]}
    assert ("confirmed", "sms") in sent or ("confirmed", "email") in sent
    assert all(
        set(m) == {"template", "channel", "status", "created_at", "due_at", "sent_at"}
        for m in data["messages"]
    )


def test_data_shows_staff_actions_by_role_and_nobody_elses_data(api_client, anna, bertil, librarian):
    booking_cancel(
        booking=anna.booking, by=Booking.CancelledBy.STAFF, actor=librarian, reason="Kursledaren är sjuk"
    )
    text = api_client.get(_path(anna.manage_token) + "data/").content.decode()
    history = json.loads(text)["history"]
    assert [(h["action"], h["by"], h["from_status"], h["to_status"]) for h in history] == [
        ("booking_cancel", "staff", "confirmed", "cancelled")
    ]
    assert history[0]["reason"] == "Kursledaren är sjuk"
    for someone_else in ("Bertil", "bertil@example.se", "librarian", str(bertil.booking.pk) + ","):
        assert someone_else not in text
    assert anna.manage_token not in text  # no message bodies or links: they hold the manage link


def test_delete_erases_now_frees_the_seats_and_fills_the_waitlist(api_client, room):
    event = make_event(room=room, capacity=3, max_seats_per_booking=3, waitlist_mode=Event.WaitlistMode.AUTO)
    session = event.sessions.get()
    first = booking_create(
        session=session,
        seats=3,
        name="Anna Andersson",
        email="anna@example.se",
        accessibility_needs=["hearing_loop"],
        accessibility_note="Nära scenen",
        accessibility_consent=True,
    )
    waiting = booking_create(session=session, seats=2, name="Cecilia", email="c@example.se")
    assert waiting.booking.status == Booking.Status.WAITLISTED

    response = api_client.delete(_path(first.manage_token))
    assert response.status_code == 204 and "no-store" in response["Cache-Control"]

    erased = Booking.objects.get(pk=first.booking.pk)
    assert erased.status == Booking.Status.CANCELLED and erased.anonymised_at is not None
    assert (erased.name, erased.email, erased.phone) == ("", "", "")
    assert erased.seats == 3  # statistics still count it
    assert not AccessibilityRequest.objects.filter(booking=erased).exists()
    rows = Notification.objects.filter(booking=erased)
    assert rows.exists() and all(
        r.recipient == "" or r.status == Notification.Status.SUPPRESSED for r in rows
    )
    assert not rows.filter(status=Notification.Status.PENDING).exists()  # no "cancelled" message after
    session.refresh_from_db()
    assert Booking.objects.get(pk=waiting.booking.pk).status == Booking.Status.CONFIRMED
    assert session.seats_taken == 2
    audit = AuditEvent.objects.get(action="booking_erase")
    assert (audit.object_id, audit.from_status, audit.to_status) == (str(erased.pk), "confirmed", "cancelled")
    written = json.dumps([audit.actor_label, audit.reason, audit.data], ensure_ascii=False)
    assert "Anna" not in written and "anna@" not in written
    assert api_client.get(_path(first.manage_token)).status_code == 404
    assert api_client.get(_path(first.manage_token) + "data/").status_code == 404
    assert api_client.delete(_path(first.manage_token)).status_code == 404


def test_erasing_a_past_booking_anonymises_it_and_keeps_its_status(room):
    event = make_event(room=room, capacity=5)
    session = event.sessions.get()
    result = booking_create(
        session=session, seats=2, name="Anna", email="anna@example.se", phone="0701234567", sms_consent=True
    )
    past = timezone.now() - timedelta(days=2)
    Session.objects.filter(pk=session.pk).update(start=past, end=past + timedelta(hours=1))
    booking_erase(booking=result.booking)
    erased = Booking.objects.get(pk=result.booking.pk)
    assert erased.status == Booking.Status.CONFIRMED and erased.anonymised_at is not None
    assert erased.name == "" and ConsentEvent.objects.get(booking=erased).phone == ""
    session.refresh_from_db()
    assert session.seats_taken == 2


def test_the_service_reads_what_the_api_answers(anna):
    data = booking_data(booking=anna.booking)
    assert data["contact"]["name"] == "Anna Andersson" and data["booking"]["status"] == "confirmed"
