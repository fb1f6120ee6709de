"""A client that writes a new X-Forwarded-For each time is still one client: the API's
throttles and the web forms' limits count the address backend.client_ip vouches for."""

import json

import pytest
from django.test import Client, override_settings

from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db


def _book(client, session, forwarded, number):
    body = {
        "session": session.pk,
        "seats": 1,
        "name": f"Test {number}",
        "email": f"t{number}@example.org",
        "consent": True,
    }
    return client.post(
        "/api/v1/bookings/",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_new_forwarded_header_each_time_does_not_reset_the_api_throttle(session, settings, proxies):
    settings.NUM_PROXIES = proxies
    clear_cache()
    client = Client(REMOTE_ADDR="10.0.0.2")
    with override_settings(API_THROTTLE_RATES={"booking": "2/min"}):
        answers = [
            _book(client, session, f"6.6.6.{n}, 198.51.100.7" if proxies else f"6.6.6.{n}", n).status_code
            for n in range(4)
        ]
    clear_cache()
    assert answers[:2] == [201, 201]
    assert answers[2:] == [429, 429]


def test_a_new_forwarded_header_each_time_does_not_reset_the_lost_link_limit(db, settings):
    settings.NUM_PROXIES = 0
    settings.API_THROTTLE_RATES = {"anon": "1000/min"}
    clear_cache()
    client = Client(REMOTE_ADDR="10.0.0.3")
    answers = [
        client.post(
            "/hitta-bokning/", {"contact": f"x{n}@example.org"}, HTTP_X_FORWARDED_FOR=f"6.6.{n}.1"
        ).status_code
        for n in range(7)
    ]
    clear_cache()
    assert 429 in answers
