"""PATCH /api/v1/creators/{id}/: a creator keeps their own profile (and an organiser may);
nobody else may. New unavailable dates count at once for a visit's accept."""

from datetime import date

import pytest

from booking.errors import CreatorUnavailable
from booking.models import AuditEvent, CreatorUnavailability, VisitRequest
from tests.factories import make_creator, make_user

PROFILE = {
    "bio": "  Skriver om skogen och om att flytta.  ",
    "roles": ["author", "workshop_leader"],
    "languages": ["sv", "ar"],
    "genres": ["young_adult"],
    "audiences": ["13-17", "adults"],
    "home_municipality": "0480",
    "fee_sek": 9500,
    "fee_note": "Plus resa",
    "unavailable": [
        {"start_date": "2031-07-01", "end_date": "2031-07-31", "note": "Semester"},
        {"start_date": "2031-03-13", "end_date": "2031-03-13"},
    ],
}


def patch(client, creator, body):
    return client.patch(f"/api/v1/creators/{creator.pk}/", body, format="json")


def test_a_creator_edits_their_own_profile(as_user, creator_user, creator):
    response = patch(as_user(creator_user), creator, PROFILE)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["bio"] == "Skriver om skogen och om att flytta."
    assert data["roles"] == ["author", "workshop_leader"]
    assert sorted(data["languages"]) == ["ar", "sv"]
    assert data["genres"] == ["young_adult"] and sorted(data["audiences"]) == ["13-17", "adults"]
    assert data["home_municipality"] == {"code": "0480", "name": "Nyköping"}
    assert data["fee_sek"] == 9500 and data["fee_note"] == "Plus resa"
    assert data["unavailable"] == [
        {"start_date": "2031-03-13", "end_date": "2031-03-13", "note": ""},
        {"start_date": "2031-07-01", "end_date": "2031-07-31", "note": "Semester"},
    ]
    # /me/ shows the same, and the change is in the audit log.
    assert as_user(creator_user).get("/api/v1/me/").json()["creator"]["fee_sek"] == 9500
    audit = AuditEvent.objects.get(action="creator.update")
    assert audit.actor == creator_user and audit.object_id == str(creator.pk)


def test_fields_left_out_stay_and_unavailable_replaces_the_list(as_user, creator_user, creator):
    client = as_user(creator_user)
    patch(client, creator, PROFILE)
    response = patch(
        client, creator, {"unavailable": [{"start_date": "2031-08-01", "end_date": "2031-08-02"}]}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["fee_sek"] == 9500 and data["roles"] == ["author", "workshop_leader"]
    assert [p["start_date"] for p in data["unavailable"]] == ["2031-08-01"]
    assert patch(client, creator, {"unavailable": [], "fee_sek": None}).json()["unavailable"] == []
    assert not CreatorUnavailability.objects.filter(creator=creator).exists()


def test_an_organiser_may_edit_a_creators_profile(as_user, organiser, creator):
    response = patch(as_user(organiser), creator, {"fee_sek": 12000})
    assert response.status_code == 200 and response.json()["fee_sek"] == 12000


@pytest.mark.parametrize(
    "body, pointer",
    [
        (
            {"unavailable": [{"start_date": "2031-07-31", "end_date": "2031-07-01"}]},
            "/unavailable/0/end_date",
        ),
        ({"unavailable": [{"start_date": "2031-07-01"}]}, "/unavailable/0/end_date"),
        (
            {"unavailable": [{"start_date": "i morgon", "end_date": "2031-07-01"}]},
            "/unavailable/0/start_date",
        ),
        ({"roles": ["author", "dragon"]}, "/roles/1"),
        ({"roles": ["author", "author"]}, "/roles/1"),
        ({"languages": ["klingon"]}, "/languages"),
        ({"genres": ["nope"]}, "/genres"),
        ({"home_municipality": "9999"}, "/home_municipality"),
        ({"fee_sek": -5}, "/fee_sek"),
        ({"fee_sek": "mycket"}, "/fee_sek"),
        ({"name": "Nytt namn"}, "/name"),
        ({"is_active": False}, "/is_active"),
    ],
)
def test_bad_input_is_400_with_a_pointer_and_changes_nothing(as_user, creator_user, creator, body, pointer):
    response = patch(as_user(creator_user), creator, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    creator.refresh_from_db()
    assert creator.roles == [] and creator.fee_sek is None and creator.is_active
    assert not creator.unavailable.exists()


def test_another_creator_and_library_staff_get_403(as_user, creator, librarian):
    other = make_creator(name="Annan Skapare")
    other_user = make_user(username="other_creator", role="creator", creator=other)
    assert patch(as_user(other_user), creator, {"fee_sek": 1}).status_code == 403
    assert patch(as_user(librarian), creator, {"fee_sek": 1}).status_code == 403
    # Refused before the input is read: a stranger learns nothing from a 400.
    assert patch(as_user(other_user), creator, {"fee_sek": -1}).status_code == 403
    creator.refresh_from_db()
    assert creator.fee_sek is None


def test_anonymous_gets_401(api_client, creator):
    assert patch(api_client, creator, {"fee_sek": 1}).status_code == 401


def test_a_date_the_creator_marks_unavailable_stops_an_accept(as_user, creator_user, creator, visit_in):
    from tests.visits.conftest import VISIT_START

    offered = visit_in(VisitRequest.Status.OFFERED)
    day = VISIT_START.date().isoformat()
    assert (
        patch(
            as_user(creator_user), creator, {"unavailable": [{"start_date": day, "end_date": day}]}
        ).status_code
        == 200
    )
    with pytest.raises(CreatorUnavailable) as caught:
        visit_in.take("accept", offered)
    assert caught.value.errors[0]["code"] == "unavailable"
    assert date.fromisoformat(day) == VISIT_START.date()
