"""Encryption at rest, proven on the database's own rows, and key rotation with `reencrypt`."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from booking.models import AccessibilityRequest
from booking.services.bookings import booking_create
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db

NOTE = "Min dotter hör dåligt"


def _book(library, n=1):
    event = make_event(room=make_room(library=library), capacity=10)
    return booking_create(
        session=event.sessions.get(),
        seats=1,
        name=f"Anna Andersson {n}",
        email=f"anna{n}@example.se",
        accessibility_needs=["hearing_loop"],
        accessibility_note=NOTE,
        accessibility_consent=True,
    ).booking


def _raw_notes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM booking_accessibilityrequest")
        return [row[0] for row in cursor.fetchall()]


def test_the_accessibility_note_is_not_stored_in_plaintext(library):
    booking = _book(library)
    raw = _raw_notes()
    assert raw and all(NOTE not in value and "dåligt" not in value for value in raw)
    assert AccessibilityRequest.objects.get(booking=booking).note == NOTE


def test_a_key_rotation_with_reencrypt_keeps_every_note_readable(library, settings):
    bookings = [_book(library, n) for n in range(3)]
    before = _raw_notes()
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode("ascii")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    out = StringIO()
    call_command("reencrypt", "--batch-size", "2", stdout=out)
    assert "booking.AccessibilityRequest: 3 rows" in out.getvalue()
    assert set(_raw_notes()).isdisjoint(before)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    for booking in bookings:
        assert AccessibilityRequest.objects.get(booking=booking).note == NOTE


def test_message_bodies_and_links_are_not_stored_in_plaintext_nor_shown_in_the_admin(
    library, client, organiser
):
    from notifications.models import Notification

    booking = _book(library)
    message = Notification.objects.filter(booking=booking).first()
    assert message is not None
    Notification.objects.filter(pk=message.pk).update(
        body="Din bokning: https://x.se/m/SECRETTOKEN", link="https://x.se/m/SECRETTOKEN"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, link FROM notifications_notification")
        raw = " ".join(value for row in cursor.fetchall() for value in row)
    assert "SECRETTOKEN" not in raw
    assert Notification.objects.get(pk=message.pk).link == "https://x.se/m/SECRETTOKEN"
    from django.contrib.auth import get_user_model

    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.se", "a-long-test-password")
    )
    for url in [
        "/admin/notifications/notification/",
        f"/admin/notifications/notification/{message.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "SECRETTOKEN" not in page
        assert "anna1@example.se" not in page
