"""The public never reads an address nobody at the library confirmed: not on the event page,
not in its .ics, not in its JSON-LD. It reads what is known (the library, the town) and how to
ask (the library's e-mail and phone); "adress saknas" and "(adressen är inte kontrollerad)"
are staff words. Once the library's own staff save or confirm the address, everyone sees it."""

import json

import pytest
from icalendar import Calendar

from booking.services.libraries import library_address_confirm, library_update
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db

STAFF_WORDS = ("adress saknas", "inte kontrollerad", "address missing", "not verified")


@pytest.fixture
def nykoping_event(other_library):
    """Nyköping's main library has a street address from the region's data, unconfirmed."""
    other_library.email, other_library.phone = "bibliotek@nykoping.example.se", "0155-24 57 00"
    other_library.save()
    room = make_room(library=other_library, name="Sagorummet", capacity=30)
    return make_event(room=room, capacity=20, title="Sagostund")


def _page(client, event, lang="sv"):
    return client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def _json_ld(html):
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    return json.loads(html[start : html.index("</script>", start)])


def _event_ics_path(event):
    from django.urls import reverse

    return reverse("feeds:event", kwargs={"event_id": event.pk})


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_unconfirmed_address_is_not_on_the_page_nor_in_json_ld(client, nykoping_event, lang):
    html = _page(client, nykoping_event, lang)
    assert "Hospitalsgatan" not in html
    for words in STAFF_WORDS:
        assert words not in html.lower()
    assert "Nyköping" in html
    assert 'href="mailto:bibliotek@nykoping.example.se"' in html
    assert "0155-24 57 00" in html
    (item,) = _json_ld(html)
    address = item["location"]["address"]
    assert "streetAddress" not in address and "postalCode" not in address
    assert address["addressLocality"] == "Nyköping"
    assert item["organizer"]["email"] == "bibliotek@nykoping.example.se"
    assert item["organizer"]["telephone"] == "0155-24 57 00"


def test_an_unconfirmed_address_is_not_in_the_ics(client, nykoping_event):
    body = client.get(_event_ics_path(nykoping_event)).content
    calendar = Calendar.from_ical(body)
    locations = [str(c["LOCATION"]) for c in calendar.walk("VEVENT")]
    assert locations == ["Nyköpings stadsbibliotek, Nyköping"]
    assert b"Hospitalsgatan" not in body
    assert b"adress saknas" not in body
    feed = client.get(f"/feeds/libraries/{nykoping_event.library_id}.ics").content
    assert b"Hospitalsgatan" not in feed and b"kontrollerad" not in feed


def test_a_confirmed_address_is_shown_everywhere(client, nykoping_event, other_library):
    from booking.models import StaffRole
    from tests.factories import make_user

    staff = make_user(username="nyk", role=StaffRole.Role.LIBRARY_STAFF, library=other_library)
    library_address_confirm(library=other_library, actor=staff)
    html = _page(client, nykoping_event)
    assert "Hospitalsgatan 4" in html
    assert _json_ld(html)[0]["location"]["address"]["streetAddress"] == "Hospitalsgatan 4"
    body = client.get(_event_ics_path(nykoping_event)).content
    location = [str(c["LOCATION"]) for c in Calendar.from_ical(body).walk("VEVENT")]
    assert location == ["Nyköpings stadsbibliotek, Hospitalsgatan 4, Nyköping"]


def test_an_organisers_address_is_not_shown_until_the_library_confirms(
    client, nykoping_event, other_library, organiser
):
    library_update(
        library=other_library,
        actor=organiser,
        address={"street_address": "Stora Torget 1", "postal_code": "611 83", "city": "Nyköping"},
    )
    html = _page(client, nykoping_event)
    assert "Stora Torget" not in html and "611 83" not in html


def test_an_unknown_address_says_the_town_and_how_to_ask(client, library):
    event = make_event(room=make_room(library=library), title="Skrivstuga")
    html = _page(client, event)
    assert "Eskilstuna" in html
    assert "adress saknas" not in html
    assert "Frågor och kontakt" in html  # the accessibility statement's promise, even without details


def test_every_event_page_carries_the_contact_the_accessibility_statement_promises(
    client, library, librarian
):
    library_update(
        library=library, actor=librarian, email="fragor@eskilstuna.example.se", phone="016-710 10 00"
    )
    event = make_event(room=make_room(library=library), title="Läsecirkel")
    html = _page(client, event, "en")
    assert 'href="mailto:fragor@eskilstuna.example.se"' in html
    assert 'href="tel:016710100' in html


def test_the_public_footer_links_to_staff_sign_in(client, region):
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/konto/logga-in/"' in footer
