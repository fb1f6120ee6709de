"""PATCH /api/v1/libraries/{id}/ (API.md) and the rooms service behind the page and the admin:
who may, what is refused with which pointer, verification, and the room capacity rule."""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from booking.errors import CapacityBelowTaken, InvalidInput, PermissionDenied
from booking.models import AuditEvent, Event, Session
from booking.services.libraries import library_address_confirm, library_update
from booking.services.room_edits import room_create, room_update
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db

BODY = {
    "address": {"street_address": "Kriebsensgatan 4", "postal_code": "632 20", "city": "Eskilstuna"},
    "email": "fragor@eskilstuna.example.se",
    "phone": "016-710 10 00",
    "opening_hours_url": "https://eskilstuna.example.se/oppettider",
    "accessibility_description": "Entré utan trappsteg. Hörslinga i hörsalen.",
}


@pytest.mark.parametrize(
    "persona, status",
    [
        ("librarian", 200),
        ("organiser", 200),
        ("other_librarian", 403),
        ("creator_user", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_patch_a_library(request, api_client, as_user, library, persona, status):
    client = api_client if persona == "anonymous" else as_user(request.getfixturevalue(persona))
    response = client.patch(f"/api/v1/libraries/{library.pk}/", BODY, format="json")
    assert response.status_code == status, response.content
    library.refresh_from_db()
    assert (library.street_address == "Kriebsensgatan 4") == (status == 200)
    if status == 200:
        body = response.json()
        assert body["address"] == {
            "street_address": "Kriebsensgatan 4",
            "postal_code": "632 20",
            "city": "Eskilstuna",
            "verified": persona == "librarian",
        }
        assert body["email"] == BODY["email"] and body["phone"] == BODY["phone"]
        assert body["opening_hours_url"] == BODY["opening_hours_url"]
        assert body["accessibility_description"] == BODY["accessibility_description"]
    else:
        assert response.json()["code"] in ("permission_denied", "not_authenticated")


def test_get_answers_the_shape_patch_takes(api_client, library):
    body = api_client.get(f"/api/v1/libraries/{library.pk}/").json()
    assert {"address", "email", "phone", "opening_hours_url", "accessibility_description", "rooms"} <= set(
        body
    )
    assert api_client.get("/api/v1/libraries/999999/").status_code == 404


@pytest.mark.parametrize(
    "body, pointer",
    [
        ({"email": "inte en adress"}, "/email"),
        ({"phone": "12"}, "/phone"),
        ({"phone": "ring oss"}, "/phone"),
        ({"opening_hours_url": "ftp://example.se/x"}, "/opening_hours_url"),
        ({"opening_hours_url": "https://"}, "/opening_hours_url"),
        ({"address": {"street_address": "Gatan 1", "postal_code": "ABC"}}, "/address/postal_code"),
        ({"address": {"street_address": "Gatan\n1"}}, "/address/street_address"),
        ({"address": {"city": "x" * 81}}, "/address/city"),
        ({"accessibility_description": "x" * 4001}, "/accessibility_description"),
        ({"email": 12}, "/email"),
        ({"address": "Gatan 1"}, "/address"),
    ],
)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_bad_values_are_a_400_with_a_pointer(as_user, librarian, library, body, pointer, lang):
    response = as_user(librarian).patch(
        f"/api/v1/libraries/{library.pk}/", body, format="json", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 400, response.content
    problem = response.json()
    assert problem["code"] == "invalid"
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert all(error["detail"] for error in problem["errors"])
    library.refresh_from_db()
    assert library.email == "" and library.street_address == ""


def test_every_bad_field_is_told_at_once(as_user, librarian, library):
    response = as_user(librarian).patch(
        f"/api/v1/libraries/{library.pk}/",
        {"email": "x", "phone": "1", "opening_hours_url": "nope nope"},
        format="json",
    )
    assert {e["pointer"] for e in response.json()["errors"]} == {"/email", "/phone", "/opening_hours_url"}


def test_a_patch_without_the_address_leaves_it_and_its_verification(as_user, librarian, organiser, library):
    as_user(librarian).patch(f"/api/v1/libraries/{library.pk}/", BODY, format="json")
    response = as_user(organiser).patch(
        f"/api/v1/libraries/{library.pk}/", {"phone": "016-10 00 00"}, format="json"
    )
    assert response.json()["address"]["verified"] is True
    # The organiser changes the address: the library confirms it again.
    moved = {"address": {**BODY["address"], "street_address": "Rademachergatan 1"}}
    response = as_user(organiser).patch(f"/api/v1/libraries/{library.pk}/", moved, format="json")
    assert response.json()["address"]["verified"] is False
    library.refresh_from_db()
    assert library.address_verified_by is None and library.address_verified_at is None


def test_clearing_the_address_clears_its_verification(librarian, library):
    library_update(library=library, actor=librarian, address=BODY["address"])
    library = library_update(library=library, actor=librarian, address={"street_address": ""})
    assert library.street_address == "" and not library.address_verified


def test_confirm_is_for_the_librarys_own_staff_and_needs_an_address(
    librarian, organiser, other_library, library
):
    with pytest.raises(PermissionDenied):
        library_address_confirm(library=other_library, actor=librarian)
    with pytest.raises(PermissionDenied):
        library_address_confirm(library=other_library, actor=organiser)
    with pytest.raises(InvalidInput):
        library_address_confirm(library=library, actor=librarian)  # nothing to confirm


def test_the_schema_documents_the_patch(region):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/libraries/{id}/"]["patch"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert set(properties) == {"address", "email", "phone", "opening_hours_url", "accessibility_description"}
    assert "403" in operation["responses"] and "400" in operation["responses"]
    library_out = schema["components"]["schemas"]["LibraryOut"]["properties"]
    assert {"opening_hours_url", "accessibility_description"} <= set(library_out)


# --- Rooms: one service for the page, the admin and any other face -------------------------


def test_lowering_a_room_below_an_event_that_uses_it_is_a_409_naming_the_events(librarian, library):
    room = make_room(library=library, capacity=60, name="Hörsalen")
    big = make_event(room=room, capacity=50, title="Författarsamtal")
    small = make_event(room=room, capacity=20, title="Läscirkel")
    with pytest.raises(CapacityBelowTaken) as refused:
        room_update(room=room, actor=librarian, capacity=30)
    error = refused.value
    assert error.status == 409 and error.code == "capacity_below_taken"
    assert "Författarsamtal (50)" in error.errors[0]["detail"]
    assert "Läscirkel" not in error.errors[0]["detail"]
    assert error.errors[0]["events"] == [big.pk]
    room.refresh_from_db()
    assert room.capacity == 60
    assert room_update(room=room, actor=librarian, capacity=50).capacity == 50
    assert small.pk


def test_a_session_that_overrides_its_capacity_counts_too(librarian, library):
    room = make_room(library=library, capacity=60)
    event = make_event(room=room, capacity=20, title="Verkstad")
    Session.objects.filter(event=event).update(capacity=45, capacity_overridden=True)
    with pytest.raises(CapacityBelowTaken):
        room_update(room=room, actor=librarian, capacity=40)


def test_past_and_cancelled_events_do_not_hold_a_room(librarian, library):
    room = make_room(library=library, capacity=60)
    make_event(room=room, capacity=50, start=timezone.now() - timedelta(days=30), title="Förra terminen")
    make_event(room=room, capacity=55, title="Inställt", status=Event.Status.CANCELLED)
    assert room_update(room=room, actor=librarian, capacity=10).capacity == 10


def test_room_services_refuse_another_librarys_staff(other_librarian, library):
    room = make_room(library=library, capacity=30)
    with pytest.raises(PermissionDenied):
        room_update(room=room, actor=other_librarian, capacity=40)
    with pytest.raises(PermissionDenied):
        room_create(library=library, actor=other_librarian, name="Ny", capacity=10)


def test_unknown_features_and_bad_names_are_refused(librarian, library):
    with pytest.raises(InvalidInput) as refused:
        room_create(
            library=library, actor=librarian, name="  ", capacity="x", accessibility_features=["teleport"]
        )
    pointers = {e["pointer"] for e in refused.value.errors}
    assert pointers == {"/name", "/capacity", "/accessibility_features"}
    assert not AuditEvent.objects.filter(action="room_created").exists()


def test_loading_the_region_again_keeps_an_address_the_library_confirmed(other_library):
    from booking.models import StaffRole
    from booking.services.reference import region_load
    from tests.factories import make_user

    staff = make_user(username="nyk2", role=StaffRole.Role.LIBRARY_STAFF, library=other_library)
    library_update(
        library=other_library,
        actor=staff,
        address={"street_address": "Stora Torget 1", "postal_code": "611 83", "city": "Nyköping"},
    )
    region_load()
    other_library.refresh_from_db()
    assert other_library.street_address == "Stora Torget 1" and other_library.address_verified
