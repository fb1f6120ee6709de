"""Online and hybrid events: the meeting link reaches confirmed bookers only, never a public
page, feed, JSON-LD or public API answer of that event (issue 14)."""

import json
import re

import pytest

from booking.models import Event
from booking.services.bookings import booking_cancel, booking_create, booking_links
from notifications.models import Notification
from notifications.outbox import compose

pytestmark = pytest.mark.django_db
LINK = "https://meet.example.org/secret-room-4711"


@pytest.fixture
def online(workshop):
    Event.objects.filter(pk=workshop.pk).update(attendance_mode="mixed", online_url=LINK)
    workshop.refresh_from_db()
    return workshop


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def public_answers(client, event, library):
    paths = [
        "/",
        f"/evenemang/{event.pk}/",
        f"/evenemang/{event.pk}/boka/",
        "/feeds/events.ics",
        f"/feeds/events/{event.pk}.ics",
        f"/feeds/libraries/{library.pk}.ics",
        f"/feeds/municipalities/{library.municipality_id}.ics",
        "/api/v1/events/",
        f"/api/v1/events/{event.pk}/",
        f"/api/v1/sessions/{event.sessions.get().pk}/",
        "/api/v1/events/?language=sv",
    ]
    for language in ("sv", "en"):
        for path in paths:
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            yield path, response.status_code, response.content.decode()


def test_the_link_is_in_no_public_answer(client, online, library):
    seen = 0
    for path, status, body in public_answers(client, online, library):
        assert LINK not in body and "secret-room" not in body, path
        seen += status == 200
    assert seen >= 16  # the answers were real pages, not errors


def test_json_ld_says_mixed_and_points_the_virtual_location_at_the_event_page(client, online):
    page = client.get(f"/evenemang/{online.pk}/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    item = data[0]
    assert item["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    virtual = [place for place in item["location"] if place["@type"] == "VirtualLocation"]
    assert virtual[0]["url"].endswith(f"/evenemang/{online.pk}/")


def test_a_confirmed_booker_gets_the_link_everywhere_that_is_theirs(client, online, session):
    result = booking_create(session=session, seats=1, name="Nätt Nora", email="nora@example.se")
    links = booking_links(booking=result.booking, manage_token=result.manage_token)
    assert LINK in client.get(f"/b/{result.manage_token}").content.decode()
    assert client.get(_path(links["api_url"])).json()["online_url"] == LINK
    assert LINK in client.get(_path(links["ics_url"])).content.decode().replace("\r\n ", "")
    mail = Notification.objects.get(booking=result.booking, template="confirmed", channel="email")
    assert LINK in compose(mail)[1]


def test_a_waiting_or_cancelled_booker_does_not(client, online, session):
    session.capacity = session.seats_taken = 1
    session.save()
    waiting = booking_create(session=session, seats=1, name="Väntar Vera", email="vera@example.se")
    assert waiting.booking.status == "waitlisted"
    links = booking_links(booking=waiting.booking, manage_token=waiting.manage_token)
    assert LINK not in client.get(f"/b/{waiting.manage_token}").content.decode()
    assert "online_url" not in client.get(_path(links["api_url"])).json()
    booking_cancel(booking=waiting.booking)
    assert LINK not in client.get(_path(links["ics_url"])).content.decode().replace("\r\n ", "")


def test_staff_set_and_read_the_link_through_the_api(as_user, librarian, online, api_client):
    answer = as_user(librarian).patch(
        f"/api/v1/events/{online.pk}/", {"attendance_mode": "online", "online_url": LINK + "b"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["attendance_mode"] == "online" and answer.json()["online_url"] == LINK + "b"
    api_client.credentials()
    public = api_client.get(f"/api/v1/events/{online.pk}/").json()
    assert public["attendance_mode"] == "online" and "online_url" not in public
    bad = as_user(librarian).patch(f"/api/v1/events/{online.pk}/", {"online_url": "not a url"}, format="json")
    assert bad.status_code == 400
