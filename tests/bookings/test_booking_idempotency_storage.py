"""The idempotency record's kept answer is encrypted at rest: the database's own row holds no
manage URL, token or contact, and a replay still carries the first answer's manage_url."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from booking.models import Booking, IdempotencyRecord
from booking.services.idempotency import caller_scope, request_fingerprint
from tests.migrating import booking_migration, raw, run

pytestmark = pytest.mark.django_db
URL = "/api/v1/bookings/"
KEY = "storage-0123456789abcdef"


def send(client, data):
    return client.post(URL, json.dumps(data), content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)


def payload(session):
    return {"session": session.pk, "seats": 1, "name": "Anna Hemlig", "email": "anna.hemlig@example.se"}


def raw_answers() -> str:
    return " ".join(str(row[0]) for row in raw("SELECT response_body FROM booking_idempotencyrecord"))


def test_the_row_holds_no_manage_url_and_a_replay_still_carries_it(api_client, session):
    first = send(api_client, payload(session))
    assert first.status_code == 201
    manage_url = first.json()["manage_url"]
    token = manage_url.rstrip("/").rsplit("/", 1)[-1]
    stored = raw_answers()
    assert stored and token not in stored and "manage_url" not in stored and "hemlig" not in stored.lower()

    again = send(api_client, payload(session))
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["manage_url"] == manage_url
    assert Booking.objects.count() == 1


def test_answers_kept_in_plaintext_before_are_encrypted_and_still_replayed(api_client, session):
    body = {"id": 4711, "status": "confirmed", "manage_url": "https://x.se/b/OLDSECRETTOKEN"}
    scope = caller_scope(AnonymousUser(), address="127.0.0.1")
    fingerprint = request_fingerprint(method="POST", path=URL, data=payload(session))
    now = timezone.now()
    raw(
        "INSERT INTO booking_idempotencyrecord (scope, key, request_hash, state, response_status,"
        " response_body, created_at, expires_at) VALUES (%s, %s, %s, 'done', 201, %s, %s, %s)",
        [scope, KEY, fingerprint, json.dumps(body), now, now + timedelta(hours=1)],
    )
    migration = booking_migration("idempotency_answers_encrypted")
    run(migration.encrypt_answers)
    run(migration.encrypt_answers)  # a second pass changes nothing
    assert "OLDSECRETTOKEN" not in raw_answers()

    replay = send(api_client, payload(session))
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == body
    assert not Booking.objects.exists()


def test_a_key_rotation_keeps_the_answer(api_client, session, settings):
    first = send(api_client, payload(session))
    new_key = Fernet.generate_key().decode("ascii")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert "booking.IdempotencyRecord: 1 rows" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert IdempotencyRecord.objects.get().response_body == first.json()
    assert send(api_client, payload(session)).json()["manage_url"] == first.json()["manage_url"]
