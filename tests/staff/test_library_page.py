"""The library page (/personal/bibliotek/{id}/): a library's own staff and the organisers keep
its address, contact, accessibility and rooms; staff of another library, creators and the
anonymous may not. Form posts go with a CSRF token, in Swedish and English."""

import pytest
from django.test import Client

from booking.models import AuditEvent, Library, Room
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db

PERSONAS = ["librarian", "other_librarian", "organiser", "creator_user", "anonymous"]


def _client(request, persona) -> Client:
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _post(client, url, data, *, lang="sv"):
    """A form post as a browser sends it: the page first (for the CSRF cookie), then the form."""
    client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(url, {**data, "csrfmiddlewaretoken": token}, HTTP_ACCEPT_LANGUAGE=lang)


def _details(**overrides):
    data = {
        "street_address": "Kriebsensgatan 4",
        "postal_code": "63220",
        "city": "Eskilstuna",
        "email": "stadsbiblioteket@eskilstuna.example.se",
        "phone": "016-710 10 00",
        "opening_hours_url": "eskilstuna.example.se/oppettider",
        "accessibility_description": "Entré utan trappsteg från Kriebsensgatan.\nHiss till alla plan.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_see_and_change_a_librarys_page(request, persona, library, librarian, other_librarian):
    client = _client(request, persona)
    url = f"/personal/bibliotek/{library.pk}/"
    page = client.get(url)
    response = _post(client, url, _details())
    library.refresh_from_db()
    if persona in ("librarian", "organiser"):
        assert page.status_code == 200
        assert response.status_code == 302
        assert library.street_address == "Kriebsensgatan 4"
    elif persona == "anonymous":
        assert page.status_code == 302 and "/konto/logga-in/" in page["Location"]
        assert library.street_address == ""
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert library.street_address == ""


def test_a_save_by_the_librarys_own_staff_verifies_the_address_and_is_audited(client, library, librarian):
    client.force_login(librarian)
    response = _post(client, f"/personal/bibliotek/{library.pk}/", _details())
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.postal_code == "632 20"
    assert library.phone == "016-710 10 00"
    assert library.opening_hours_url == "https://eskilstuna.example.se/oppettider"
    assert "Hiss till alla plan." in library.accessibility_description
    assert library.address_verified and library.address_verified_by == librarian
    assert library.address_verified_at is not None
    entry = AuditEvent.objects.get(action="library_updated", object_id=str(library.pk))
    assert entry.actor == librarian
    assert "street_address" in entry.data["changed"]
    page = client.get(f"/personal/bibliotek/{library.pk}/").content.decode()
    assert "Bibliotekets uppgifter är sparade." in page
    assert "Adressen är kontrollerad av librarian" in page


def test_an_organisers_new_address_waits_for_the_library_to_confirm_it(client, library, organiser):
    client.force_login(organiser)
    _post(client, f"/personal/bibliotek/{library.pk}/", _details())
    library.refresh_from_db()
    assert library.street_address == "Kriebsensgatan 4"
    assert not library.address_verified
    page = client.get(f"/personal/bibliotek/{library.pk}/").content.decode()
    assert "adressen är inte kontrollerad" in page
    assert "Bekräfta adressen" not in page  # the library's own staff confirm it


def test_the_region_s_unconfirmed_address_is_shown_to_staff_with_a_confirm_button(other_library, region):
    staff = Library.objects.get(pk=other_library.pk)
    assert staff.street_address == "Hospitalsgatan 4" and not staff.address_verified
    from booking.models import StaffRole
    from tests.factories import make_user

    user = make_user(username="nykoping", role=StaffRole.Role.LIBRARY_STAFF, library=other_library)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = f"/personal/bibliotek/{other_library.pk}/"
    page = client.get(url).content.decode()
    assert "Hospitalsgatan 4" in page and "adressen är inte kontrollerad" in page
    assert "Bekräfta adressen" in page
    # Without the CSRF token the confirm is refused.
    assert client.post(f"{url}bekrafta-adress/").status_code == 403
    response = _post(client, f"{url}bekrafta-adress/", {})
    assert response.status_code == 302
    other_library.refresh_from_db()
    assert other_library.address_verified and other_library.address_verified_by == user
    assert AuditEvent.objects.filter(action="library_address_confirmed").count() == 1
    page = client.get(url).content.decode()
    assert "Bekräfta adressen" not in page
    assert "Adressen är bekräftad" in page


def test_another_librarys_staff_may_not_confirm(client, other_library, librarian, organiser):
    for user in (librarian, organiser):
        client.force_login(user)
        response = client.post(f"/personal/bibliotek/{other_library.pk}/bekrafta-adress/")
        assert response.status_code == 403
    other_library.refresh_from_db()
    assert not other_library.address_verified


def test_bad_input_is_told_on_its_field_and_nothing_is_saved_in_both_languages(client, library, librarian):
    client.force_login(librarian)
    bad = _details(postal_code="6322", email="inte-en-adress", phone="123", opening_hours_url="http://")
    sv = _post(client, f"/personal/bibliotek/{library.pk}/", bad)
    assert sv.status_code == 200
    html = sv.content.decode()
    assert "Skriv postnumret med fem siffror" in html
    assert "Det ser inte ut som en e-postadress." in html
    assert "Det ser inte ut som ett telefonnummer." in html
    assert "Det ser inte ut som en webbadress." in html
    assert html.count('class="field field-error"') == 4
    en = _post(client, f"/personal/bibliotek/{library.pk}/", bad, lang="en")
    assert en.status_code == 200
    assert 'lang="en"' in en.content.decode()
    library.refresh_from_db()
    assert library.street_address == "" and library.email == ""
    assert not AuditEvent.objects.filter(action="library_updated").exists()


@pytest.mark.parametrize("value", ["", " ", "x" * 5000, "Entré\x00", "\u202eevil"])
def test_ugly_text_never_breaks_the_page(client, library, librarian, value):
    client.force_login(librarian)
    response = _post(client, f"/personal/bibliotek/{library.pk}/", _details(accessibility_description=value))
    assert response.status_code in (200, 302)
    library.refresh_from_db()
    if response.status_code == 302:
        assert library.accessibility_description == value.strip()


def test_the_page_in_english(client, library, librarian):
    client.force_login(librarian)
    page = client.get(f"/personal/bibliotek/{library.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()


def test_a_librarian_goes_straight_to_their_library(client, librarian, library):
    client.force_login(librarian)
    response = client.get("/personal/bibliotek/")
    assert response.status_code == 302 and response["Location"] == f"/personal/bibliotek/{library.pk}/"


def test_an_organiser_picks_from_every_library(client, organiser, library, other_library):
    client.force_login(organiser)
    page = client.get("/personal/bibliotek/").content.decode()
    assert library.name in page and other_library.name in page
    assert "adress saknas" in page  # staff words, on a staff page


# --- Rooms ------------------------------------------------------------------------------------


def _room(**overrides):
    data = {
        "name": "Hörsalen",
        "capacity": "80",
        "accessibility_features": ["step_free_entrance", "hearing_loop"],
        "accessibility_description": "Slinga på de fem främre raderna.",
        "accessibility_url": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_add_a_room(request, persona, library, librarian, other_librarian):
    client = _client(request, persona)
    response = _post(client, f"/personal/bibliotek/{library.pk}/lokaler/ny/", _room())
    made = Room.objects.filter(library=library, name="Hörsalen")
    if persona in ("librarian", "organiser"):
        assert response.status_code == 302
        room = made.get()
        assert room.capacity == 80
        assert set(room.accessibility_features.values_list("code", flat=True)) == {
            "step_free_entrance",
            "hearing_loop",
        }
        assert AuditEvent.objects.filter(action="room_created", object_id=str(room.pk)).exists()
    else:
        assert response.status_code in (302, 403) if persona == "anonymous" else response.status_code == 403
        assert not made.exists()


def test_another_librarys_room_is_not_reached_through_ones_own_library(
    client, library, other_library, librarian
):
    theirs = make_room(library=other_library, capacity=40, name="Deras sal")
    client.force_login(librarian)
    assert client.get(f"/personal/bibliotek/{library.pk}/lokaler/{theirs.pk}/").status_code == 404
    assert client.get(f"/personal/bibliotek/{other_library.pk}/lokaler/{theirs.pk}/").status_code == 403


def test_a_room_is_edited_and_the_change_is_audited(client, library, librarian):
    room = make_room(library=library, capacity=30, name="Sagorummet")
    client.force_login(librarian)
    response = _post(
        client,
        f"/personal/bibliotek/{library.pk}/lokaler/{room.pk}/",
        _room(name="Sagorummet", capacity="35", accessibility_features=["hearing_loop"]),
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.capacity == 35
    entry = AuditEvent.objects.get(action="room_updated", object_id=str(room.pk))
    assert entry.data["before"]["capacity"] == 30 and entry.data["after"]["capacity"] == 35
    page = client.get(f"/personal/bibliotek/{library.pk}/").content.decode()
    assert "Sagorummet" in page and "35 platser" in page


def test_lowering_a_rooms_capacity_below_an_events_is_refused_on_the_page(client, library, librarian):
    room = make_room(library=library, capacity=50, name="Stora salen")
    event = make_event(room=room, capacity=40, title="Skrivarverkstad i stora salen")
    client.force_login(librarian)
    url = f"/personal/bibliotek/{library.pk}/lokaler/{room.pk}/"
    for lang, words in (
        ("sv", "Skrivarverkstad i stora salen (40)"),
        ("en", "Skrivarverkstad i stora salen (40)"),
    ):
        response = _post(client, url, _room(name="Stora salen", capacity="30"), lang=lang)
        assert response.status_code == 200
        html = response.content.decode()
        assert words in html
        assert 'class="field field-error"' in html
    room.refresh_from_db()
    assert room.capacity == 50
    assert event.sessions.get().capacity == 40
    # Down to exactly what the event needs is fine.
    assert _post(client, url, _room(name="Stora salen", capacity="40")).status_code == 302


@pytest.mark.parametrize(
    "capacity, message",
    [("0", "Antalet platser"), ("-3", "Antalet platser"), ("abc", ""), ("", ""), ("99999999", "")],
)
def test_a_room_with_a_bad_capacity_is_not_saved(client, library, librarian, capacity, message):
    client.force_login(librarian)
    response = _post(client, f"/personal/bibliotek/{library.pk}/lokaler/ny/", _room(capacity=capacity))
    assert response.status_code == 200
    assert 'class="field field-error"' in response.content.decode()
    assert not Room.objects.filter(name="Hörsalen").exists()


def test_two_rooms_of_one_library_cannot_share_a_name(client, library, librarian):
    make_room(library=library, name="Hörsalen")
    client.force_login(librarian)
    response = _post(client, f"/personal/bibliotek/{library.pk}/lokaler/ny/", _room(name="hörsalen"))
    assert response.status_code == 200
    assert "Biblioteket har redan en lokal med det namnet." in response.content.decode()
