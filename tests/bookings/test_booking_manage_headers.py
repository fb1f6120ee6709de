"""The booker's JSON on api_url is never kept by a cache, and a booking tool on another origin
may send Idempotency-Key."""

import json

import pytest

pytestmark = pytest.mark.django_db


def _api_path(api_client, session) -> str:
    data = api_client.post(
        "/api/v1/bookings/",
        json.dumps({"session": session.pk, "seats": 1, "name": "Anna", "email": "anna@example.se"}),
        content_type="application/json",
    ).json()
    return "/" + data["api_url"].split("://", 1)[1].split("/", 1)[1]


def test_every_answer_on_api_url_says_no_store(api_client, session):
    path = _api_path(api_client, session)
    answers = [
        api_client.get(path),
        api_client.patch(path, {"seats": 2}, format="json"),
        api_client.post(path + "claim/"),  # a 409: errors are not cached either
        api_client.post(path + "cancel/"),
        api_client.get("/api/v1/bookings/manage/not-a-real-token-at-all/"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 409, 200, 404]
    for answer in answers:
        assert "no-store" in answer["Cache-Control"], answer.status_code


def test_the_cors_preflight_allows_idempotency_key(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.eskilstuna.se"]
    preflight = client.options(
        "/api/v1/bookings/",
        HTTP_ORIGIN="https://www.eskilstuna.se",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://www.eskilstuna.se"
    allowed = {h.strip().lower() for h in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"idempotency-key", "content-type", "authorization"} <= allowed
