"""manage.py grant USERNAME --role ROLE [--library ID] [--creator ID], as API.md says."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from booking import access
from booking.models import StaffRole
from booking.services.api_tokens import api_token_user

pytestmark = pytest.mark.django_db


def grant(*args) -> list[str]:
    out = StringIO()
    call_command("grant", *args, stdout=out)
    return out.getvalue().rstrip("\n").splitlines()


def test_an_organiser_gets_a_token_alone_on_the_last_line_and_the_admin(region, api_client):
    lines = grant("anna", "--role", "regional_organiser")
    user = get_user_model().objects.get(username="anna")
    assert api_token_user(lines[-1]) == user
    assert access.is_organiser(user)
    assert (
        user.is_staff
        and user.has_perm("booking.change_event")
        and user.has_perm("notifications.view_notification")
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {lines[-1]}")
    assert api_client.get("/api/v1/events/").status_code == 200


def test_library_staff_get_their_library(library):
    lines = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    user = get_user_model().objects.get(username="bo")
    assert access.staff_library_ids(user) == {library.pk}
    assert not access.is_organiser(user)
    assert not user.is_staff  # staff pages, not the admin
    assert api_token_user(lines[-1]) == user


def test_a_creator_account_is_linked_to_the_creator(creator):
    lines = grant("cilla", "--role", "creator", "--creator", str(creator.pk))
    creator.refresh_from_db()
    assert creator.user.username == "cilla"
    assert access.creator_for(creator.user) == creator
    assert api_token_user(lines[-1]) == creator.user


def test_running_it_again_rotates_the_token_and_adds_no_role(library, api_client):
    first = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    second = grant("bo", "--role", "library_staff", "--library", str(library.pk))
    assert first[-1] != second[-1]  # only a digest is kept: the old token cannot be shown again
    assert StaffRole.objects.filter(user__username="bo").count() == 1
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first[-1]}")
    assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {second[-1]}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_a_second_role_is_added_to_an_existing_account(library, other_library):
    grant("bo", "--role", "library_staff", "--library", str(library.pk))
    grant("bo", "--role", "library_staff", "--library", str(other_library.pk))
    user = get_user_model().objects.get(username="bo")
    assert access.staff_library_ids(user) == {library.pk, other_library.pk}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "admin"], "Okänd roll"),
        (["--role", "library_staff"], "--library"),
        (["--role", "library_staff", "--library", "999999"], "999999"),
        (["--role", "library_staff", "--library", "abc"], "abc"),
        (["--role", "creator"], "--creator"),
        (["--role", "creator", "--creator", "999999"], "999999"),
    ],
)
def test_it_refuses_clearly(region, args, message):
    with pytest.raises(CommandError, match=message):
        grant("dora", *args)
    assert not get_user_model().objects.filter(username="dora").exists()  # nothing half-made


def test_a_creator_already_linked_to_someone_else_is_refused(creator, creator_user):
    with pytest.raises(CommandError, match="redan kopplad"):
        grant("intruder", "--role", "creator", "--creator", str(creator.pk))
    creator.refresh_from_db()
    assert creator.user == creator_user
