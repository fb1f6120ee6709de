"""The links the pages offer: subscribe (webcal:// and https), an event's .ics, Google's
template link — and that each of them answers."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from booking.models import Event
from feeds.links import (
    event_ics_url,
    google_calendar_url,
    library_subscribe_links,
    municipality_subscribe_links,
    subscribe_links,
)
from tests.factories import make_event

LOCAL = ZoneInfo("Europe/Stockholm")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_in_2029")]


@pytest.fixture(autouse=True)
def _base(settings):
    settings.PUBLIC_BASE_URL = "https://lasrum.example.se"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_subscribe_links_carry_the_listing_filters_and_answer(client, library):
    params = QueryDict("kind=reading_circle&audience=adults&page=3&utm_source=x")
    links = subscribe_links(params, lang="en")
    assert (
        links.https
        == "https://lasrum.example.se/feeds/events.ics?audience=adults&kind=reading_circle&lang=en"
    )
    assert (
        links.webcal
        == "webcal://lasrum.example.se/feeds/events.ics?audience=adults&kind=reading_circle&lang=en"
    )
    assert parse_qs(urlsplit(links.google).query)["cid"] == [links.webcal]
    assert client.get(_path(links.https)).status_code == 200
    for links in (library_subscribe_links(library.pk), municipality_subscribe_links(library.municipality_id)):
        assert links.webcal.startswith("webcal://")
        assert client.get(_path(links.https)).status_code == 200


def test_an_events_ics_link_and_google_template_link(client, library):
    start = datetime(2030, 3, 31, 18, 0, tzinfo=LOCAL)
    event = make_event(library=library, title="Läscirkel", start=start, visibility=Event.Visibility.UNLISTED)
    session = event.sessions.get()
    url = event_ics_url(event)
    response = client.get(_path(url))
    assert response.status_code == 200
    assert f"UID:{session.uid}@lasrum".encode() in response.content
    google = parse_qs(urlsplit(google_calendar_url(event, session)).query)
    assert google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Läscirkel"]
    assert google["dates"] == ["20300331T160000Z/20300331T170000Z"]
    assert google["details"] == [f"https://lasrum.example.se/evenemang/{event.pk}/"]


def test_a_private_or_draft_events_ics_is_not_found(client, library):
    for fields in ({"visibility": Event.Visibility.PRIVATE}, {"status": Event.Status.DRAFT}):
        event = make_event(
            library=library, start=datetime(2030, 1, 1, tzinfo=LOCAL) + timedelta(days=1), **fields
        )
        assert client.get(_path(event_ics_url(event))).status_code == 404


def test_the_subscribe_note_says_bookers_are_told_by_email_or_sms():
    html = render_to_string("feeds/_subscribe_note.html", {"links": subscribe_links({})})
    assert 'href="webcal://lasrum.example.se/feeds/events.ics"' in html
    assert "e-post eller sms" in html
