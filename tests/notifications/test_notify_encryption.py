"""The outbox's recipients and the consent records encrypted at rest, opt-outs kept as digests:
proven on the database's own rows, through a STOP and through a key rotation."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from booking.services.bookings import booking_create
from notifications.dispatch import dispatch_pass
from notifications.inbound import inbound_sms_handle
from notifications.models import ConsentEvent, Notification, OptOut
from notifications.services import is_opted_out
from tests.factories import make_event

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "+46701234567", "anna.andersson@example.se"
TABLES = {
    "notifications_notification": "*",
    "notifications_consentevent": "*",
    "notifications_optout": "*",
}


def _raw_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.fixture
def booked(region, library):
    session = make_event(library=library, capacity=10).sessions.get()
    return booking_create(
        session=session, seats=1, name="Anna Andersson", email=EMAIL, phone=PHONE, sms_consent=True
    ).booking


def test_no_number_or_address_is_stored_in_plaintext_in_messages_consents_or_opt_outs(booked):
    inbound_sms_handle(phone=PHONE, body="STOPP")
    assert Notification.objects.for_contact(PHONE).exists() and ConsentEvent.objects.count() == 2
    assert OptOut.objects.count() == 1
    for table in TABLES:
        raw = _raw_text(table)
        assert raw
        for secret in (PHONE, PHONE[1:], "701234567", EMAIL, "anna.andersson"):
            assert secret not in raw, (table, secret)
    # The code reads them back.
    assert {n.recipient for n in Notification.objects.filter(booking=booked)} == {PHONE, EMAIL}
    assert {c.phone for c in ConsentEvent.objects.all()} == {PHONE}


def test_a_stop_still_suppresses_later_sms_to_the_number(booked, library, settings):
    settings.SMS_QUIET_HOURS = None
    inbound_sms_handle(phone=PHONE, body="STOP")
    assert is_opted_out(PHONE) and not is_opted_out("+46709876543")
    pending = Notification.objects.for_contact(PHONE).filter(channel="sms")
    assert pending.exists() and set(pending.values_list("status", flat=True)) == {"suppressed"}

    later = make_event(library=library, capacity=10).sessions.get()
    again = booking_create(session=later, seats=1, name="Anna", email=EMAIL, phone=PHONE, sms_consent=True)
    sms = Notification.objects.filter(booking=again.booking, channel="sms", template="confirmed").get()
    assert (sms.status, sms.status_reason) == ("suppressed", "opted_out")
    dispatch_pass(now=timezone.now(), budget=5)
    from notifications.sms import console

    assert not [m for m in console.outbox if m["to"] == PHONE]

    inbound_sms_handle(phone=PHONE, body="START")
    assert not is_opted_out(PHONE)


def test_a_key_rotation_with_reencrypt_keeps_recipients_and_consents_readable(booked, settings):
    inbound_sms_handle(phone=PHONE, body="STOP")
    before = _raw_text("notifications_notification")
    new_key = Fernet.generate_key().decode("ascii")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert "notifications.Notification:" in out.getvalue() and "recipient" in out.getvalue()
    assert "notifications.ConsentEvent:" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    assert _raw_text("notifications_notification") != before
    assert {n.recipient for n in Notification.objects.filter(booking=booked)} == {PHONE, EMAIL}
    assert {c.phone for c in ConsentEvent.objects.all()} == {PHONE}
    assert is_opted_out(PHONE)  # digests are not rotated: the STOP holds
    assert Notification.objects.for_contact(EMAIL).filter(template="confirmed").exists()


def test_the_admin_finds_an_opt_out_and_consents_by_the_whole_number(booked, client):
    from django.contrib.auth import get_user_model

    inbound_sms_handle(phone=PHONE, body="STOP")
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.se", "a-long-test-pw"))
    found = client.get("/admin/notifications/optout/", {"q": "070-123 45 67"})
    none = client.get("/admin/notifications/optout/", {"q": "070-999 99 99"})
    assert found.status_code == none.status_code == 200
    assert (found.context["cl"].result_count, none.context["cl"].result_count) == (1, 0)
    consents = client.get("/admin/notifications/consentevent/", {"q": "070-123 45 67"})
    assert consents.context["cl"].result_count == 2
    assert PHONE not in consents.content.decode()  # shown masked
