"""Staff answer a stated need on the participant list; a need that takes preparation shows on
the dashboard, with the days left, until it is answered."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booking.models import NeedAnswer
from booking.services.bookings import booking_create
from notifications.models import Notification
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def booked(library):
    start = (timezone.now() + timedelta(days=10, hours=1)).replace(microsecond=0)
    session = make_event(room=make_room(library=library), start=start, title="Sagoverkstad").sessions.get()
    result = booking_create(
        session=session,
        seats=1,
        name="Tolk Tove",
        email="tove@example.se",
        accessibility_needs=["sign_language_interpreter"],
        accessibility_consent=True,
    )
    return session, result.booking


def test_a_need_to_prepare_shows_with_days_left_until_answered(librarian, booked):
    session, booking = booked
    client = client_for(librarian)
    page = client.get("/personal/").content.decode()
    assert "Tolk Tove" in page and "10 dagar kvar" in page

    participants = client.get(f"/personal/tillfallen/{session.pk}/deltagare/").content.decode()
    assert f'action="/personal/tillfallen/{session.pk}/behov/{booking.pk}/"' in participants
    response = client.post(
        f"/personal/tillfallen/{session.pk}/behov/{booking.pk}/",
        {"need": "sign_language_interpreter", "status": "arranged", "message": ""},
        follow=True,
    )
    assert "Svaret är sparat" in response.content.decode()
    assert NeedAnswer.objects.get().status == "arranged"
    assert Notification.objects.filter(booking=booking, template="need_answered").exists()
    assert "Tolk Tove" not in client.get("/personal/").content.decode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"need": "sign_language_interpreter", "status": "not_possible", "message": ""}, "Skriv kort varför"),
        ({"need": "sign_language_interpreter", "status": "maybe"}, "Välj ordnat"),
        ({"need": "hearing_loop", "status": "arranged"}, "Bokningen har inte det behovet."),
        ({}, "Välj ordnat"),
    ],
)
def test_a_wrong_answer_is_refused_with_the_reason(librarian, booked, data, words):
    session, booking = booked
    response = client_for(librarian).post(
        f"/personal/tillfallen/{session.pk}/behov/{booking.pk}/", data, follow=True
    )
    assert words in response.content.decode()
    assert not NeedAnswer.objects.exists()


def test_another_library_cannot_answer(other_librarian, booked):
    session, booking = booked
    response = client_for(other_librarian).post(
        f"/personal/tillfallen/{session.pk}/behov/{booking.pk}/",
        {"need": "sign_language_interpreter", "status": "arranged"},
    )
    assert response.status_code in (403, 404)
    assert not NeedAnswer.objects.exists()
