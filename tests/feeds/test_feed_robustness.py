"""Whatever is in the database, the feeds answer: a session in the year 9999 or a title with
line breaks and an escape byte, written before the services checked them, is left out or
cleaned, never a 500 for the whole region's feed."""

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from booking.models import Event, Session
from booking.services.feed_tokens import feed_token_for
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def _feeds(library, user):
    return [
        "/feeds/events.ics",
        f"/feeds/libraries/{library.pk}.ics",
        f"/feeds/municipalities/{library.municipality.code}.ics",
        f"/feeds/private/{feed_token_for(user).token}.ics",
    ]


def test_a_session_in_the_year_9999_leaves_every_feed_working(client, library, librarian):
    event = make_event(library=library, title="Vanlig verkstad", sessions=2)
    far = event.sessions.order_by("start").last()
    Session.objects.filter(pk=far.pk).update(
        start=timezone.now().replace(year=9999, month=12, day=31),
        end=timezone.now().replace(year=9999, month=12, day=31) + timedelta(hours=1),
    )
    for path in _feeds(library, librarian):
        response = client.get(path)
        assert response.status_code == 200, path
        uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
        assert f"{far.uid}@lasrum" not in uids
        assert f"{event.sessions.order_by('start').first().uid}@lasrum" in uids
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED, cancelled_at=timezone.now())
    assert client.get("/feeds/events.ics").status_code == 200


def test_control_characters_already_stored_in_a_title_are_dropped_from_the_feed(client, library, librarian):
    event = make_event(library=library, title="Skriv")
    Event.objects.filter(pk=event.pk).update(
        title="Skriv\r\ndin\x1b saga", description="Rad ett\r\nRad två\x07"
    )
    for path in _feeds(library, librarian):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"\x1b" not in response.content and b"\x07" not in response.content
    (vevent,) = icalendar.Calendar.from_ical(client.get("/feeds/events.ics").content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Skriv\ndin saga"


@pytest.mark.parametrize("offset", ["%2B16:00", "-16:00", "%2B22:48"])
@pytest.mark.parametrize("path", ["/api/v1/events/", "/feeds/events.ics"])
def test_an_offset_of_16_hours_or_more_is_a_400(client, library, path, offset):
    response = client.get(f"{path}?starts_after=2027-01-01T10:00:00{offset}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "/starts_after"


@pytest.mark.parametrize("query", ["kind=", "easy_to_read=", "starts_before=", "library="])
@pytest.mark.parametrize("path", ["/api/v1/events/", "/feeds/events.ics"])
def test_a_parameter_without_a_value_is_refused_by_the_api_and_the_feeds(client, library, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/" + query.rstrip("=")


def test_the_html_listings_all_choice_still_works(client, library):
    make_event(library=library, title="Skriv din saga")
    page = client.get("/?kind=&audience=&easy_to_read=&q=")
    assert page.status_code == 200
    assert "Skriv din saga" in page.content.decode()


@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=-1", "page=", "page=abc"])
def test_bad_page_parameters_are_a_400(client, library, query):
    response = client.get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_page_size_above_100_is_clamped(client, library):
    response = client.get("/api/v1/events/?page_size=1000")
    assert response.status_code == 200


def test_json_nested_a_thousand_deep_is_a_400(client, library):
    body = "[" * 1000 + "]" * 1000
    response = client.post("/api/v1/bookings/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
