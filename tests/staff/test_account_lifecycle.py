"""An account's life: invited by an organiser, sets a password, logs in; leaves, and every
token dies with the account. Login is guarded by django-axes."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from booking.models import AuditEvent, StaffRole
from booking.services.accounts import staff_deactivate, staff_invite
from booking.services.api_tokens import api_token_issue
from booking.services.feed_tokens import feed_token_for
from feeds.services import private_feed_url

PASSWORD = "lila-ekorrar-dansar-tango"


def _can_log_in(username, password) -> bool:
    """Through the login form, as a person would (axes needs the request)."""
    return Client().post("/konto/logga-in/", {"username": username, "password": password}).status_code == 302


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def _set_password(link: str) -> Client:
    client = Client()
    path = link.split("//", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/konto/losenord/klart/"
    return client


def test_invite_then_set_password_then_log_in(organiser, library, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/personal/konton/",
            {
                "email": "Ny.Kollega@Example.se",
                "first_name": "Ny",
                "role": "library_staff",
                "library": library.pk,
            },
        )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="Ny.Kollega@example.se")
    assert not user.has_usable_password()
    assert StaffRole.objects.filter(user=user, role="library_staff", library=library).exists()
    assert AuditEvent.objects.filter(
        action="account.invite", object_id=str(user.pk), actor=organiser
    ).exists()
    (invite,) = mail.outbox
    assert invite.to == ["Ny.Kollega@example.se"] and "Välkommen" in invite.subject
    link = _link(invite)
    _set_password(link)
    # The link works once.
    again = Client().get("/" + link.split("//", 1)[1].split("/", 1)[1], follow=True)
    assert "new_password1" not in again.content.decode()

    login = Client().post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/personal/"


def test_only_organisers_invite(librarian, library):
    from booking.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        staff_invite(actor=librarian, email="x@example.se", role="library_staff", library=library)
    client = Client()
    client.force_login(librarian)
    assert client.get("/personal/konton/").status_code == 403


def test_people_reset_their_own_password(librarian):
    librarian.email = "bibliotekarie@example.se"
    librarian.save()
    response = Client().post("/konto/losenord/glomt/", {"email": "bibliotekarie@example.se"})
    assert response.status_code == 302
    (message,) = mail.outbox
    _set_password(_link(message))
    assert _can_log_in("librarian", PASSWORD)


def test_a_leaver_is_deactivated_and_their_tokens_die(organiser, librarian, api_client):
    token = api_token_issue(librarian)
    feed_url = private_feed_url(feed_token_for(librarian))
    feed_path = "/" + feed_url.split("//", 1)[1].split("/", 1)[1]
    web = Client()
    web.post("/konto/logga-in/", {"username": "librarian", "password": "a-long-test-password"})
    assert web.get("/personal/").status_code == 200
    assert Client().get(feed_path).status_code == 200

    organiser_web = Client()
    organiser_web.force_login(organiser)
    assert organiser_web.post(f"/personal/konton/{librarian.pk}/avsluta/").status_code == 302

    librarian.refresh_from_db()
    assert librarian.is_active is False
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert Client().get(feed_path).status_code == 404
    assert web.get("/personal/").status_code == 302  # logged out
    assert not _can_log_in("librarian", "a-long-test-password")
    assert AuditEvent.objects.filter(action="account.deactivate", object_id=str(librarian.pk)).exists()


def test_an_organiser_cannot_deactivate_themselves(organiser):
    from booking.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        staff_deactivate(actor=organiser, user=organiser)


def test_login_locks_after_repeated_failures(librarian, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/konto/logga-in/", {"username": "librarian", "password": "fel"})
    locked = client.post("/konto/logga-in/", {"username": "librarian", "password": "a-long-test-password"})
    assert locked.status_code == 429
    assert "För många försök" in locked.content.decode()


def test_the_login_page_is_translated(db):
    page = Client().get("/konto/logga-in/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and '<html lang="en">' in page.content.decode()
