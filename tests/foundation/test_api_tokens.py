"""Staff API tokens are kept as digests: the database holds no token, `grant` rotates, and the
keys made before the change keep working after the data migration."""

import secrets
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from booking.models import ApiToken
from booking.services.accounts import staff_deactivate
from booking.services.api_tokens import api_token_issue
from tests.migrating import booking_migration, raw, run

pytestmark = pytest.mark.django_db


def me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


def grant(*args) -> str:
    out = StringIO()
    call_command("grant", *args, stdout=out)
    return out.getvalue().rstrip("\n").splitlines()[-1]


def _raw_token_rows() -> str:
    return " ".join(str(value) for row in raw("SELECT * FROM booking_apitoken") for value in row)


def test_the_database_holds_no_token_and_the_token_authenticates(library):
    key = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    rows = _raw_token_rows()
    assert rows and key not in rows
    assert me(key) == 200


def test_grant_again_rotates_the_old_token_is_refused_the_new_one_works(library):
    old = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    new = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    assert new != old
    assert me(old) == 401
    assert me(new) == 200
    assert ApiToken.objects.filter(user__username="bo").count() == 1


@pytest.mark.parametrize("key", ["", "x", "a" * 40, "a" * 5000, "ö" * 40])
def test_wrong_tokens_are_a_401_problem(librarian, key):
    api_token_issue(librarian)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_leavers_token_is_refused(organiser, librarian):
    key = api_token_issue(librarian)
    staff_deactivate(actor=organiser, user=librarian)
    assert me(key) == 401
    assert not ApiToken.objects.filter(user=librarian).exists()


def test_plaintext_keys_from_before_are_converted_and_keep_working(librarian, organiser):
    """Rows as rest_framework.authtoken wrote them: the migration keeps their digests only."""
    table = booking_migration("token_digests").OLD_TABLE
    key_column = connection.ops.quote_name("key")
    raw(
        f"CREATE TABLE {table} ({key_column} varchar(40) PRIMARY KEY, created timestamp, user_id integer)"  # noqa: S608
    )
    keys = {librarian.pk: secrets.token_hex(20), organiser.pk: secrets.token_hex(20)}
    for user_id, key in keys.items():
        raw(f"INSERT INTO {table} ({key_column}, created, user_id) VALUES (%s, NULL, %s)", [key, user_id])  # noqa: S608

    run(booking_migration("token_digests").keys_to_digests)

    assert raw(f"SELECT * FROM {table}") == []  # noqa: S608 -- the plaintext is gone
    rows = _raw_token_rows()
    for key in keys.values():
        assert key not in rows
        assert me(key) == 200
