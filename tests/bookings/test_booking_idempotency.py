"""Idempotency-Key on POST /api/v1/bookings/ exactly as API.md says."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from booking.models import Booking, IdempotencyRecord
from booking.services.idempotency import idempotency_purge

pytestmark = pytest.mark.django_db
URL = "/api/v1/bookings/"


KEY = "key-1-0123456789abcdef"  # anonymous keys are at least 16 characters


def send(client, data, key=KEY, **extra):
    return client.post(
        URL, json.dumps(data), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **extra
    )


def payload(session, **fields):
    return {"session": session.pk, "seats": 2, "name": "Anna", "email": "anna@example.se"} | fields


def test_a_repeat_returns_the_first_answer_and_books_once(api_client, session):
    first = send(api_client, payload(session))
    again = send(api_client, {"email": "anna@example.se", "name": "Anna", "seats": 2, "session": session.pk})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Booking.objects.count() == 1


def test_a_4xx_first_answer_is_replayed_too(api_client, session):
    first = send(api_client, payload(session, email="nope"))
    assert first.status_code == 400
    again = send(api_client, payload(session, email="nope"))
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == "application/problem+json" and again.json() == first.json()


def test_the_same_key_with_another_body_is_a_422(api_client, session):
    send(api_client, payload(session))
    reused = send(api_client, payload(session, seats=3))
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_keys_are_scoped_to_the_caller(api_client, as_user, session, librarian):
    send(api_client, payload(session))
    staff = send(as_user(librarian), payload(session))
    assert staff.status_code == 201 and "Idempotent-Replayed" not in staff
    assert Booking.objects.count() == 2


def test_answers_are_forgotten_after_24_hours(api_client, session):
    send(api_client, payload(session))
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        later = send(api_client, payload(session))
        assert later.status_code == 201 and "Idempotent-Replayed" not in later
        assert Booking.objects.count() == 2
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert idempotency_purge() == 1
    assert not IdempotencyRecord.objects.filter(expires_at__lte=timezone.now() + timedelta(hours=49)).exists()


def test_malformed_json_claims_no_key(api_client, session):
    bad = api_client.post(URL, b"{", content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert bad.status_code == 400 and not IdempotencyRecord.objects.exists()


def test_an_unusable_key_is_a_400(api_client, session):
    assert send(api_client, payload(session), key="x" * 300).status_code == 400
    assert not Booking.objects.exists()


def test_anonymous_keys_are_scoped_to_the_client_address(api_client, session):
    """Another client sending the same key and body books for itself: a replay never shows
    one person's booking (its manage_url) to another."""
    first = send(api_client, payload(session), REMOTE_ADDR="192.0.2.10")
    other = send(api_client, payload(session), REMOTE_ADDR="192.0.2.20")
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert other.json()["manage_url"] != first.json()["manage_url"]
    assert Booking.objects.count() == 2


def test_the_same_address_gets_its_own_answer_again(api_client, session):
    first = send(api_client, payload(session), REMOTE_ADDR="192.0.2.10")
    again = send(api_client, payload(session), REMOTE_ADDR="192.0.2.10")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()


def test_a_forwarded_header_from_the_client_does_not_change_its_scope(api_client, session, settings):
    settings.NUM_PROXIES = 0
    first = send(api_client, payload(session), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1")
    again = send(api_client, payload(session), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Booking.objects.count() == 1


def test_a_short_anonymous_key_is_a_400_problem(api_client, session):
    short = send(api_client, payload(session), key="key-1")
    assert short.status_code == 400 and short["Content-Type"] == "application/problem+json"
    assert short.json()["code"] == "idempotency_key_too_short"
    assert not Booking.objects.exists() and not IdempotencyRecord.objects.exists()


def test_staff_may_use_a_short_key(as_user, session, librarian):
    assert send(as_user(librarian), payload(session), key="key-1").status_code == 201
