"""Strict filters: a blank query parameter is refused with a 400 naming it, never taken as
if it had not been sent (`?page=`, `?period_start=`)."""

import pytest

from booking.services.bookings import booking_create

pytestmark = pytest.mark.django_db


def _problem(response, parameter: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert f"/{parameter}" in [error["pointer"] for error in response.json()["errors"]]


def test_a_blank_page_of_a_sessions_bookings_is_a_400(as_user, librarian, session):
    booking_create(session=session, seats=1, name="Anna", email="anna@example.se")
    client = as_user(librarian)
    url = f"/api/v1/sessions/{session.pk}/bookings/"
    assert client.get(url).status_code == 200
    _problem(client.get(url + "?page="), "page")
    _problem(client.get(url + "?page_size="), "page_size")


@pytest.mark.parametrize("parameter", ["period_start", "period_end", "year", "group_by", "format"])
def test_a_blank_statistics_parameter_is_a_400(as_user, organiser, parameter):
    client = as_user(organiser)
    assert client.get("/api/v1/statistics/").status_code == 200
    response = client.get(f"/api/v1/statistics/?{parameter}=")
    _problem(response, parameter)
    assert {"parameter": parameter, "code": "blank"}.items() <= response.json()["errors"][0].items()
