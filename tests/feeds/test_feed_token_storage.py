"""Private-feed tokens are stored encrypted and found by digest: the database's own rows hold
no token, yet the feed URL works and /api/v1/me/ and the staff calendar page show it again."""

import secrets
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client

from booking.models import FeedToken
from booking.services.feed_tokens import feed_token_for
from tests.migrating import booking_migration, raw, run

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def raw_rows() -> str:
    return " ".join(str(value) for row in raw("SELECT * FROM booking_feedtoken") for value in row)


def test_the_row_holds_no_token_and_the_url_shown_by_me_and_the_calendar_page_works(as_user, librarian):
    url = as_user(librarian).get("/api/v1/me/").json()["calendar_feed_url"]
    token = feed_token_for(librarian).token
    assert url.endswith(f"/feeds/private/{token}.ics")
    rows = raw_rows()
    assert rows and token not in rows

    assert Client().get(path_of(url)).status_code == 200
    web = Client()
    web.force_login(librarian)
    page = web.get("/personal/kalender/").content.decode()
    assert url in page


def test_a_tampered_or_unknown_token_is_still_a_404(client, librarian):
    token = feed_token_for(librarian).token
    assert client.get(f"/feeds/private/{token[:-1]}x.ics").status_code == 404
    assert client.get(f"/feeds/private/{'a' * 43}.ics").status_code == 404


def test_tokens_stored_in_plaintext_before_are_encrypted_and_keep_working(client, librarian):
    token = secrets.token_urlsafe(32)
    raw(
        "INSERT INTO booking_feedtoken (user_id, token, digest, created_at) VALUES (%s, %s, %s, %s)",
        [librarian.pk, token, "not-yet", "2026-01-01 00:00:00"],
    )
    migration = booking_migration("feed_tokens_encrypted")
    run(migration.encrypt_tokens)
    run(migration.encrypt_tokens)  # a second pass changes nothing
    assert token not in raw_rows()
    assert FeedToken.objects.get(user=librarian).token == token
    assert client.get(f"/feeds/private/{token}.ics").status_code == 200


def test_a_key_rotation_keeps_the_feed_url(client, librarian, settings):
    token = feed_token_for(librarian).token
    new_key = Fernet.generate_key().decode("ascii")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert "booking.FeedToken: 1 rows" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert feed_token_for(librarian).token == token
    assert client.get(f"/feeds/private/{token}.ics").status_code == 200
