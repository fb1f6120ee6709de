"""Bookers' names, e-mail addresses and phone numbers are encrypted at rest (issue 10), proven on
the database's own rows; bookings are found by keyed digests of the contact (the lost-link page,
the admin's search); a key rotation keeps every booking readable; anonymisation leaves nothing."""

import csv
import importlib
import io
import json
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from booking.models import Booking
from booking.services.retention import booking_anonymise_now
from notifications.models import Notification
from tests.web.conftest import booking_data

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE, E164 = "Greta Lindqvist", "Greta.Lind@Example.se", "070-765 43 21", "+46707654321"
# Pieces of the contact that must not be readable anywhere in the row.
PLAINTEXT = ("Greta", "Lindqvist", "greta", "Lind@", "lind@", "xample", "707654321", "765 43 21")


def raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, email, phone, email_digest, phone_digest FROM booking_booking ORDER BY id"
        )
        return cursor.fetchall()


def assert_no_plaintext(rows) -> None:
    assert rows
    text = " ".join(str(value) for row in rows for value in row)
    for piece in PLAINTEXT:
        assert piece not in text, piece


def api_book(client, session, **fields) -> dict:
    data = {"session": session.pk, "seats": 1, "name": NAME, "email": EMAIL, "phone": PHONE}
    data |= {"sms_consent": True} | fields
    response = client.post("/api/v1/bookings/", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def api_path(answer: dict) -> str:
    return "/" + answer["api_url"].split("://", 1)[1].split("/", 1)[1]


def superuser_client() -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.se", "a-long-password")
    )
    return client


def test_a_booking_through_the_api_stores_no_plaintext_contact(api_client, session):
    answer = api_book(api_client, session)
    ((name, email, phone, email_digest, phone_digest),) = raw_rows()
    assert_no_plaintext([(name, email, phone, email_digest, phone_digest)])
    assert len(email_digest) == len(phone_digest) == 64
    own = api_client.get(api_path(answer)).json()
    assert (own["name"], own["email"], own["phone"]) == (NAME, "Greta.Lind@example.se", E164)


def test_a_booking_through_the_web_form_stores_no_plaintext_contact(client, session):
    data = booking_data(session, name=NAME, email=EMAIL, phone=PHONE, sms_consent="on")
    response = client.post(f"/evenemang/{session.event_id}/boka/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_no_plaintext(raw_rows())
    booking = Booking.objects.get()
    assert (booking.name, booking.email, booking.phone) == (NAME, "Greta.Lind@example.se", E164)


def test_a_booking_staff_make_on_someones_behalf_stores_no_plaintext_contact(librarian, session):
    staff = Client()
    staff.force_login(librarian)
    form = {"name": NAME, "phone": PHONE, "sms_consent": "on", "seats": 1, "companion_seats": 0}
    response = staff.post(
        f"/personal/tillfallen/{session.pk}/boka/", form | {"children": 0, "language": "sv"}
    )
    assert response.status_code == 302
    assert_no_plaintext(raw_rows())
    assert Booking.objects.get().phone == E164


def test_the_lost_link_page_finds_the_booking_by_its_address_in_another_letter_case(
    client, api_client, session
):
    answer = api_book(api_client, session)
    client.post("/hitta-bokning/", {"contact": "greta.lind@EXAMPLE.SE"})
    sent = Notification.objects.get(template="lost_link")
    assert answer["manage_url"].split("://", 1)[1].split("/", 1)[1] in sent.body


def test_a_changed_address_is_found_by_the_new_one_and_not_the_old(client, api_client, session):
    answer = api_book(api_client, session)
    changed = api_client.patch(api_path(answer), {"email": "ny.adress@example.se"}, format="json")
    assert changed.status_code == 200, changed.content
    client.post("/hitta-bokning/", {"contact": EMAIL})
    assert not Notification.objects.filter(template="lost_link").exists()
    client.post("/hitta-bokning/", {"contact": "Ny.Adress@example.se"})
    assert Notification.objects.filter(template="lost_link").count() == 1


def test_the_admin_finds_a_booking_by_its_exact_address_or_number(api_client, session):
    answer = api_book(api_client, session)
    other = api_book(api_client, session, name="Bo Ek", email="bo@example.se", phone="", sms_consent=False)
    admin = superuser_client()
    change = "/admin/booking/booking/{}/change/"
    for term in ["GRETA.LIND@example.se", "+46 70 765 43 21", "0707654321"]:
        page = admin.get("/admin/booking/booking/", {"q": term}).content.decode()
        assert change.format(answer["id"]) in page, term
        assert change.format(other["id"]) not in page, term
    page = admin.get("/admin/booking/booking/", {"q": "nobody@example.se"}).content.decode()
    assert change.format(answer["id"]) not in page
    attendance = admin.get("/admin/booking/attendance/", {"q": "greta.lind@example.se"})
    assert attendance.status_code == 200


def test_an_address_corrected_in_the_admin_is_found_by_the_lost_link_page(client, api_client, session):
    answer = api_book(api_client, session)
    form = {"name": NAME, "email": "rattad@example.se", "phone": PHONE, "sms_consent": "on", "language": "sv"}
    form |= {"school": "", "grade": ""}
    for prefix in ("accessibility", "attendances"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = superuser_client().post(f"/admin/booking/booking/{answer['id']}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Booking.objects.get().email == "rattad@example.se"
    client.post("/hitta-bokning/", {"contact": "Rattad@Example.se"})
    assert Notification.objects.filter(template="lost_link").count() == 1
    assert_no_plaintext(raw_rows())


def test_a_key_rotation_keeps_every_booking_readable_in_the_api_and_the_participant_list(
    api_client, session, settings, librarian
):
    answers = [
        api_book(api_client, session),
        api_book(api_client, session, name="Sms Svensson", email="", phone="070-111 22 33"),
        api_book(
            api_client, session, name="Mejl Mattsson", email="mejl@example.se", phone="", sms_consent=False
        ),
    ]
    before = raw_rows()
    new_key = Fernet.generate_key().decode("ascii")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("reencrypt", "--batch-size", "2", stdout=out)
    assert "booking.Booking: 3 rows (name, email, phone)" in out.getvalue()
    after = raw_rows()
    for old, new in zip(before, after, strict=True):
        assert [bool(value) for value in old] == [bool(value) for value in new]
        assert all(
            token != again for token, again in zip(old[:3], new[:3], strict=True) if token
        )  # newest key
        assert old[3:] == new[3:]  # the digests are not rotated
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    expected = [
        (NAME, "Greta.Lind@example.se", E164),
        ("Sms Svensson", "", "+46701112233"),
        ("Mejl Mattsson", "mejl@example.se", ""),
    ]
    for answer, contact in zip(answers, expected, strict=True):
        own = api_client.get(api_path(answer)).json()
        assert (own["name"], own["email"], own["phone"]) == contact
    staff = Client()
    staff.force_login(librarian)
    page = staff.get(f"/personal/tillfallen/{session.pk}/deltagare/").content.decode()
    assert all(name in page for name, _email, _phone in expected)
    export = staff.get(f"/personal/tillfallen/{session.pk}/deltagare.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert {tuple(row[2:5]) for row in rows[1:]} == {
        (name, email, f"'{phone}" if phone else "") for name, email, phone in expected
    }


def test_anonymisation_empties_the_contact_and_its_digests(client, api_client, session):
    answer = api_book(api_client, session)
    assert booking_anonymise_now(booking_id=answer["id"])
    assert raw_rows() == [("", "", "", "", "")]
    client.post("/hitta-bokning/", {"contact": EMAIL})
    assert not Notification.objects.filter(template="lost_link").exists()


def test_existing_plaintext_rows_are_encrypted_by_the_migration(api_client, session):
    answer = api_book(api_client, session)
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            "UPDATE booking_booking SET name = %s, email = %s, phone = %s, email_digest = '', phone_digest = ''",
            [NAME, "Greta.Lind@example.se", E164],
        )
    (path,) = Path(__file__).parents[2].glob("booking/migrations/*_encrypt_booking_contacts.py")
    migration = importlib.import_module(f"booking.migrations.{path.stem}")
    migration.encrypt_contacts(None, SimpleNamespace(connection=connection))
    assert_no_plaintext(raw_rows())
    booking = Booking.objects.get()
    assert (booking.pk, booking.name, booking.email, booking.phone) == (
        answer["id"],
        NAME,
        "Greta.Lind@example.se",
        E164,
    )
    Client().post("/hitta-bokning/", {"contact": "greta.lind@example.se"})
    assert Notification.objects.filter(template="lost_link").count() == 1


def test_a_query_by_an_encrypted_value_is_refused_rather_than_matching_nothing(api_client, session):
    api_book(api_client, session)
    with pytest.raises(FieldError):
        Booking.objects.filter(email=EMAIL).exists()
    with pytest.raises(FieldError):
        Booking.objects.filter(name__icontains="Greta").exists()
    assert Booking.objects.exclude(email="").count() == 1
