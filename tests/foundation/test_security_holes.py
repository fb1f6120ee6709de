"""The holes the security review found in who may run what and how a client is counted:
django-q's admin, X-Forwarded-For and the login lockout."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_q.models import Schedule

from backend.client_ip import client_ip
from booking.services.accounts import staff_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(region):
    user, _token = staff_grant(username="samordnaren", role="regional_organiser")
    client = Client()
    client.force_login(user)
    return client


def test_an_organiser_cannot_add_a_schedule_that_runs_a_shell(organiser_client):
    before = Schedule.objects.count()
    add = organiser_client.get("/admin/django_q/schedule/add/")
    assert add.status_code == 403
    posted = organiser_client.post(
        "/admin/django_q/schedule/add/",
        {"name": "x", "func": "subprocess.getoutput", "args": "'id > /tmp/owned'", "schedule_type": "O"},
    )
    assert posted.status_code == 403
    assert Schedule.objects.count() == before


def test_an_organiser_cannot_change_an_existing_schedule(organiser_client):
    schedule = Schedule.objects.order_by("pk").first()
    assert schedule is not None, "the schedules are data migrations"
    page = organiser_client.get(f"/admin/django_q/schedule/{schedule.pk}/change/")
    assert page.status_code == 200  # may look
    assert 'name="func"' not in page.content.decode()
    organiser_client.post(
        f"/admin/django_q/schedule/{schedule.pk}/change/",
        {"name": schedule.name, "func": "subprocess.getoutput", "schedule_type": "I", "minutes": 1},
    )
    schedule.refresh_from_db()
    assert schedule.func != "subprocess.getoutput"


def test_organisers_hold_only_view_rights_on_the_queue(region):
    user, _token = staff_grant(username="samordnaren", role="regional_organiser")
    user = get_user_model().objects.get(pk=user.pk)
    queue_rights = {p for p in user.get_all_permissions() if p.startswith("django_q.")}
    assert queue_rights == {"django_q.view_schedule", "django_q.view_success", "django_q.view_failure"}


def test_not_even_a_superuser_adds_a_task_or_a_schedule(region):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/django_q/schedule/add/").status_code == 403
    assert client.get("/admin/django_q/ormq/").status_code == 404  # raw queue payloads are not shown
    assert client.get("/admin/django_q/failure/").status_code == 200


# --- X-Forwarded-For -------------------------------------------------------------------------


def _request(remote="203.0.113.9", forwarded=None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.NUM_PROXIES = 0
    assert client_ip(_request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.NUM_PROXIES = 1
    # The client wrote "6.6.6.6"; the proxy appended the address it saw.
    assert client_ip(_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(remote="10.0.0.2", forwarded="not-an-address")) == "10.0.0.2"


# --- Login lockout ---------------------------------------------------------------------------


def _login(client, username, password="fel-losenord", **extra):  # noqa: S107
    return client.post("/konto/logga-in/", {"username": username, "password": password}, **extra)


def test_bad_passwords_for_one_account_do_not_lock_out_colleagues_behind_the_same_address(library, settings):
    from tests.factories import make_user

    make_user(username="kollega")
    make_user(username="angripen")
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(proxy, "angripen")
    locked = _login(proxy, "angripen", "a-long-test-password")
    assert locked.status_code == 429
    colleague = _login(Client(REMOTE_ADDR="10.0.0.1"), "kollega", "a-long-test-password")
    assert colleague.status_code == 302  # logged in


def test_the_lockout_page_says_when_to_try_again(library, settings):
    from tests.factories import make_user

    make_user(username="angripen")
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "angripen")
    locked = _login(client, "angripen", HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    retry_after = int(locked["Retry-After"])
    assert 3500 <= retry_after <= 3600
    text = locked.content.decode()
    assert "Try again after" in text and "60 minutes" in text


def test_the_lockout_follows_the_real_address_behind_the_proxy(library, settings):
    from tests.factories import make_user

    settings.NUM_PROXIES = 1
    make_user(username="angripen")
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(proxy, "angripen", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert (
        _login(proxy, "angripen", "a-long-test-password", HTTP_X_FORWARDED_FOR="198.51.100.66").status_code
        == 429
    )
    # The same account from another real address behind the same proxy is not locked.
    assert (
        _login(proxy, "angripen", "a-long-test-password", HTTP_X_FORWARDED_FOR="198.51.100.77").status_code
        == 302
    )
