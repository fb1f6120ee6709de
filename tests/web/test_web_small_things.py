"""Small, but people notice (issue 14): the booker's own cancellation in their calendar, the
event page and listing on a phone, and the booking form's own words."""

import pytest
from icalendar import Calendar

from booking.services.bookings import booking_cancel, booking_create, booking_links
from tests.web.conftest import booking_data

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize(("language", "prefix"), [("sv", "AVBOKAD: "), ("en", "CANCELLED BY YOU: ")])
def test_a_booking_the_booker_cancelled_says_so_in_its_calendar(client, session, language, prefix):
    result = booking_create(
        session=session, seats=1, name="Anna Andersson", email="anna@example.se", language=language
    )
    url = _path(booking_links(booking=result.booking, manage_token=result.manage_token)["ics_url"])
    before = next(c for c in Calendar.from_ical(client.get(url).content).walk("VEVENT"))
    booking_cancel(booking=result.booking)
    after = next(c for c in Calendar.from_ical(client.get(url).content).walk("VEVENT"))
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["SUMMARY"]).startswith(prefix) and "INSTÄLLT" not in str(after["SUMMARY"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["UID"]) == str(before["UID"])
    assert str(Calendar.from_ical(client.get(url).content).get("METHOD", "")) != "CANCEL"  # a subscription


def test_the_event_page_says_place_date_seats_and_access_before_the_form(client, session):
    page = client.get(f"/evenemang/{session.event_id}/").content.decode()
    glance, form = page.index('class="event-glance"'), page.index('id="booking-form"')
    assert glance < form
    head = page[glance:form]
    assert "Eskilstuna stadsbibliotek" in head and "Hörsalen" in head
    assert "Hörslinga" in head and "status-" in head  # the room's access, the seats left


def test_the_listing_folds_its_filters_until_something_is_filtered(client, workshop):
    page = client.get("/").content.decode()
    assert '<details class="filters-fold">' in page
    assert page.index('<details class="filters-fold">') < page.index("Skriv din egen saga")
    filtered = client.get("/?kind=writing_workshop").content.decode()
    assert '<details class="filters-fold" open>' in filtered


@pytest.mark.parametrize(
    ("language", "seats", "words"),
    [
        ("sv", "0", "Ange minst 1 plats."),
        ("sv", "tre", "Ange antalet platser med siffror"),
        ("sv", "", "Ange hur många platser du vill boka."),
        ("en", "0", "1"),
    ],
)
def test_the_form_speaks_of_the_booking_not_of_values(client, session, language, seats, words):
    response = client.post(
        f"/evenemang/{session.event_id}/boka/",
        booking_data(session, seats=seats),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    html = response.content.decode()
    assert response.status_code == 400 and words in html
    assert "större än eller lika med" not in html and "greater than or equal" not in html


def test_the_consent_error_does_not_repeat_the_whole_label(client, session):
    response = client.post(
        f"/evenemang/{session.event_id}/boka/", booking_data(session, accessibility_needs=["hearing_loop"])
    )
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))
    ]
    assert "Samtycke: Vi behöver ditt samtycke" in summary  # the service's words (one decider), short
    assert "Jag samtycker till att biblioteket sparar" not in summary
