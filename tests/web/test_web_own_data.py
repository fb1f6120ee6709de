"""From the manage page the booker downloads everything held about the booking (a JSON file
and a page to read) and erases it now, after a confirmation step."""

import json

import pytest
from django.test import Client

from booking.models import AuditEvent, Booking
from booking.services.bookings import booking_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(session):
    return booking_create(
        session=session,
        seats=2,
        children=1,
        name="Anna Andersson",
        email="anna@example.se",
        accessibility_needs=["hearing_loop"],
        accessibility_note="Nära scenen, tack.",
        accessibility_consent=True,
    )


@pytest.fixture
def other(session):
    return booking_create(session=session, seats=1, name="Bertil Bengtsson", email="bertil@example.se")


def test_the_manage_page_links_to_the_data_and_to_erasing(client, booked):
    html = client.get(f"/b/{booked.manage_token}").content.decode()
    assert f'href="/b/{booked.manage_token}/mina-uppgifter.json"' in html
    assert "Ladda ner mina uppgifter" in html
    assert f'href="/b/{booked.manage_token}/radera/"' in html


def test_the_download_is_a_json_file_of_the_booking_alone(client, booked, other):
    response = client.get(f"/b/{booked.manage_token}/mina-uppgifter.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert (
        response["Content-Disposition"] == f'attachment; filename="lasrum-bokning-{booked.booking.pk}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["contact"]["name"] == "Anna Andersson" and data["booking"]["seats"] == 2
    assert data["accessibility"]["note"] == "Nära scenen, tack."
    assert "Bertil" not in response.content.decode()


def test_the_readable_page_shows_the_same(client, booked, other):
    response = client.get(f"/b/{booked.manage_token}/mina-uppgifter/")
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Mina uppgifter" in html and "Anna Andersson" in html and "anna@example.se" in html
    assert "Nära scenen, tack." in html and "Bekräftad" in html
    assert "Bertil" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_erasing_asks_first_and_a_get_never_erases(client, booked):
    response = client.get(f"/b/{booked.manage_token}/radera/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vill du radera bokningen och dina uppgifter?" in html and 'method="post"' in html
    assert Booking.objects.get().anonymised_at is None


def test_erasing_needs_the_csrf_token(booked):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/b/{booked.manage_token}/radera/").status_code == 403
    assert Booking.objects.get().anonymised_at is None


def test_erasing_cancels_frees_the_seats_and_says_it_is_done(client, booked, session):
    response = client.post(f"/b/{booked.manage_token}/radera/")
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert done.status_code == 200 and "Dina uppgifter är raderade" in done.content.decode()
    erased = Booking.objects.get()
    assert erased.status == Booking.Status.CANCELLED and erased.anonymised_at is not None
    assert erased.name == "" and erased.email == ""
    session.refresh_from_db()
    assert session.seats_taken == 0
    assert AuditEvent.objects.filter(action="booking_erase", object_id=str(erased.pk)).exists()
    assert client.get(f"/b/{booked.manage_token}").status_code == 404
