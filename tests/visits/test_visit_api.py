"""/api/v1/visit-requests/ as clients use it: JSON in, problem+json for every refusal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import AuditEvent, VisitRequest
from notifications.models import Notification
from tests.visits.conftest import local

S = VisitRequest.Status
URL = "/api/v1/visit-requests/"


def body(library, room, creator, **extra):
    return {
        "library": library.pk,
        "room": room.pk,
        "creator": creator.pk,
        "format": "public_talk",
        "duration_minutes": 90,
        "audiences": ["13-17"],
        "languages": ["sv", "ar"],
        "accessibility_needs": ["hearing_loop"],
        "expected_attendees": 45,
        "date_options": [
            {"start": "2031-03-13T10:00:00+01:00", "end": "2031-03-13T12:00:00+01:00"},
            {"start": "2031-03-20T18:00:00+01:00", "end": "2031-03-20T19:30:00+01:00"},
        ],
        "fee_sek": 9000,
        "travel_cost_sek": 600,
        "cofunding_requested_sek": 4500,
        "notes": "Gärna med boksignering",
        **extra,
    }


def test_a_librarian_drafts_a_request_and_gets_a_fee_suggestion(as_user, librarian, library, room, creator):
    response = as_user(librarian).post(URL, body(library, room, creator), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft"
    assert data["suggested_fee_sek"] == 8500
    assert data["publish"] is True
    assert [o["start"] for o in data["date_options"]] == [
        "2031-03-13T10:00:00+01:00",
        "2031-03-20T18:00:00+01:00",
    ]
    assert all(isinstance(o["id"], int) for o in data["date_options"])
    assert data["allowed_transitions"] == ["submit", "withdraw"]
    assert data["languages"] == ["sv", "ar"] or sorted(data["languages"]) == ["ar", "sv"]


def test_a_school_class_is_private_unless_asked_and_at_most_35(as_user, librarian, library, room, creator):
    client = as_user(librarian)
    data = client.post(
        URL, body(library, room, creator, format="school_class", expected_attendees=30), format="json"
    )
    assert data.status_code == 201 and data.json()["publish"] is False
    too_many = client.post(
        URL, body(library, room, creator, format="school_class", expected_attendees=36), format="json"
    )
    assert too_many.status_code == 400
    assert too_many["Content-Type"] == "application/problem+json"
    assert too_many.json()["errors"][0]["pointer"] == "/expected_attendees"


def test_bad_input_is_400_with_pointers_and_writes_nothing(as_user, librarian, library, room, creator):
    bad = body(
        library,
        room,
        creator,
        format="radio",
        date_options=[{"start": "2031-03-13T12:00:00+01:00", "end": "2031-03-13T10:00:00+01:00"}],
    )
    response = as_user(librarian).post(URL, bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/format", "/date_options/0/end"} <= pointers
    assert not VisitRequest.objects.exists()


def test_another_librarys_staff_cannot_request_for_us(as_user, other_librarian, library, room, creator):
    response = as_user(other_librarian).post(URL, body(library, room, creator), format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_anonymous_gets_401(api_client, library, room, creator):
    assert api_client.get(URL).status_code == 401
    assert (
        api_client.post(URL, body(library, room, creator), format="json").json()["code"]
        == "not_authenticated"
    )


def test_the_whole_flow_through_the_api(
    as_user, api_client, librarian, organiser, creator_user, library, room, creator
):
    created = as_user(librarian).post(URL, body(library, room, creator), format="json").json()
    pk = created["id"]
    assert as_user(librarian).post(f"{URL}{pk}/submit/", {}, format="json").json()["status"] == "submitted"
    approved = as_user(organiser).post(f"{URL}{pk}/approve/", {"cofunding_granted_sek": 4000}, format="json")
    assert approved.json()["cofunding_granted_sek"] == 4000
    offered = as_user(organiser).post(f"{URL}{pk}/offer/", {"creator": creator.pk}, format="json").json()
    assert offered["offered_creator"]["id"] == creator.pk
    # The creator now sees it, without the budget.
    seen = as_user(creator_user).get(f"{URL}{pk}/").json()
    assert "cofunding_granted_sek" not in seen and seen["allowed_transitions"] == ["accept", "refuse"]
    accepted = as_user(creator_user).post(
        f"{URL}{pk}/accept/", {"date_option": created["date_options"][1]["id"]}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    data = accepted.json()
    assert data["status"] == "scheduled"
    assert data["chosen_date_option"] == created["date_options"][1]["id"]
    assert data["event"]["url"].endswith(f"/evenemang/{data['event']['id']}/")
    # The public event exists, with its session at the chosen time.
    event = api_client.get(f"/api/v1/events/{data['event']['id']}/")
    if event.status_code == 200:
        assert event.json()["sessions"][0]["start"] == "2031-03-20T18:00:00+01:00"
    audit = list(
        AuditEvent.objects.filter(object_type="visit_request", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "visit_request.submit",
        "visit_request.approve",
        "visit_request.offer",
        "visit_request.accept",
    } <= set(audit)


def test_the_parties_are_emailed_on_transitions(as_user, librarian, organiser, library, room, creator):
    librarian.email = "bibliotek@example.se"
    librarian.save()
    pk = as_user(librarian).post(URL, body(library, room, creator), format="json").json()["id"]
    as_user(librarian).post(f"{URL}{pk}/submit/", {}, format="json")
    as_user(organiser).post(f"{URL}{pk}/decline/", {"reason": "Budgeten är slut"}, format="json")
    assert Notification.objects.filter(visit_request_id=pk, channel="email").exists()


def test_a_transition_from_the_wrong_state_is_409(as_user, librarian, organiser, library, room, creator):
    pk = as_user(librarian).post(URL, body(library, room, creator), format="json").json()["id"]
    response = as_user(organiser).post(
        f"{URL}{pk}/approve/", {"cofunding_granted_sek": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_transition"


def test_transition_bodies_are_checked(as_user, visit_in, organiser, creator_user):
    submitted = visit_in(S.SUBMITTED)
    response = as_user(organiser).post(f"{URL}{submitted.pk}/decline/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "/reason"
    offered = visit_in(S.OFFERED)
    wrong = as_user(creator_user).post(f"{URL}{offered.pk}/accept/", {"date_option": 999999}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["pointer"] == "/date_option"


def test_accepting_when_the_creator_is_elsewhere_is_409_creator_unavailable(
    as_user, visit_in, creator_user, other_library, other_librarian
):
    visit_in(S.SCHEDULED)
    later = visit_in(
        S.OFFERED,
        at=other_library,
        by=other_librarian,
        date_options=[{"start": local(2031, 3, 13, 12, 30), "end": local(2031, 3, 13, 14)}],
    )
    response = as_user(creator_user).post(
        f"{URL}{later.pk}/accept/", {"date_option": later.date_options.get().pk}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "creator_unavailable"


def test_patch_while_draft_only(as_user, visit_in, librarian):
    draft = visit_in(S.DRAFT)
    patched = as_user(librarian).patch(
        f"{URL}{draft.pk}/",
        {"notes": "Ny text", "format": "school_class", "expected_attendees": 25},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["notes"], patched.json()["publish"], patched.json()["suggested_fee_sek"]) == (
        "Ny text",
        False,
        5000,
    )
    submitted = visit_in(S.SUBMITTED)
    assert as_user(librarian).patch(f"{URL}{submitted.pk}/", {"notes": "x"}, format="json").status_code == 409


def test_each_persona_sees_only_its_own_requests(
    as_user, visit_in, librarian, other_librarian, organiser, creator_user, other_library
):
    mine = visit_in(S.DRAFT)
    offered = visit_in(S.OFFERED)
    theirs = visit_in(S.SUBMITTED, at=other_library, by=other_librarian)

    def ids(user):
        return {r["id"] for r in as_user(user).get(URL).json()["results"]}

    assert ids(librarian) == {mine.pk, offered.pk}
    assert ids(other_librarian) == {theirs.pk}
    assert ids(organiser) == {mine.pk, offered.pk, theirs.pk}
    assert ids(creator_user) == {offered.pk}
    assert as_user(librarian).get(f"{URL}{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["organiser", "librarian"])
def test_the_list_takes_a_constant_number_of_queries(as_user, visit_in, request, persona):
    visit_in(S.OFFERED)
    client = as_user(request.getfixturevalue(persona))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few = count()
    for status in (S.DRAFT, S.SUBMITTED, S.APPROVED, S.DECLINED, S.WITHDRAWN):
        visit_in(status)
    assert count() == few


@pytest.mark.parametrize("field", ["audiences", "languages"])
def test_a_nul_byte_in_a_code_list_is_a_400_not_a_database_error(
    as_user, librarian, library, room, creator, field
):
    response = as_user(librarian).post(
        URL, body(library, room, creator, **{field: ["\u0000abc"]}), format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not VisitRequest.objects.exists()


def test_control_characters_in_the_notes_title_are_refused(as_user, librarian, library, room, creator):
    response = as_user(librarian).post(URL, body(library, room, creator, title="Besök\r\nX"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/title"
