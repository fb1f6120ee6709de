"""The public event list: filters, bad filter values, visibility, a constant query count."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from booking.models import Event, Library
from tests.factories import make_event, make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.django_db
WHEN = datetime(2030, 5, 6, 18, tzinfo=STOCKHOLM)


def titles(response):
    assert response.status_code == 200, response.json()
    return sorted(e["title"] for e in response.json()["results"])


@pytest.fixture
def programme(library, other_library, room):
    """Three public events and a draft, a private and an unlisted one."""
    nyk = make_room(library=other_library, capacity=40)
    circle = make_event(
        room=room, title="Läscirkel på meänkieli", kind=Event.Kind.READING_CIRCLE, start=WHEN, sessions=3
    )
    circle.languages.set(["fit"])
    circle.audiences.set(["adults"])
    circle.priority_groups.set(["national_minority"])
    workshop = make_event(
        room=nyk, title="Skrivarverkstad för unga", start=WHEN + timedelta(days=40), easy_to_read=True
    )
    workshop.audiences.set(["13-17"])
    workshop.accessibility_features.set(["hearing_loop", "step_free_entrance"])
    workshop.priority_groups.set(["children_youth"])
    visit = make_event(
        room=room,
        title="Författarbesök",
        kind=Event.Kind.AUTHOR_VISIT,
        start=WHEN + timedelta(days=10, hours=3),
    )
    visit.accessibility_features.set(["hearing_loop"])
    make_event(room=room, title="Utkast", status=Event.Status.DRAFT, start=WHEN + timedelta(days=1))
    make_event(
        room=room, title="Skolklass", visibility=Event.Visibility.PRIVATE, start=WHEN + timedelta(days=2)
    )
    make_event(
        room=room, title="Olistad", visibility=Event.Visibility.UNLISTED, start=WHEN + timedelta(days=3)
    )
    return {"circle": circle, "workshop": workshop, "visit": visit}


PUBLIC = ["Författarbesök", "Läscirkel på meänkieli", "Skrivarverkstad för unga"]


def test_the_public_sees_published_public_events_in_order_of_their_next_session(api_client, programme):
    response = api_client.get("/api/v1/events/")
    assert [e["title"] for e in response.json()["results"]] == [
        "Läscirkel på meänkieli",
        "Författarbesök",
        "Skrivarverkstad för unga",
    ]
    assert response.json()["count"] == 3
    first = response.json()["results"][0]
    assert first["url"].endswith(f"/evenemang/{programme['circle'].pk}/")
    assert len(first["sessions"]) == 3 and first["sessions"][0]["seats_left"] == 20


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("municipality=0484", ["Författarbesök", "Läscirkel på meänkieli"]),
        ("municipality=0480", ["Skrivarverkstad för unga"]),
        ("kind=reading_circle", ["Läscirkel på meänkieli"]),
        ("audience=13-17", ["Skrivarverkstad för unga"]),
        ("language=fit", ["Läscirkel på meänkieli"]),
        ("accessibility=hearing_loop", ["Författarbesök", "Skrivarverkstad för unga"]),
        ("accessibility=step_free_entrance", ["Skrivarverkstad för unga"]),
        ("priority_group=national_minority", ["Läscirkel på meänkieli"]),
        ("easy_to_read=true", ["Skrivarverkstad för unga"]),
        ("easy_to_read=false", ["Författarbesök", "Läscirkel på meänkieli"]),
        ("starts_after=2030-06-01T00:00:00%2B02:00", ["Skrivarverkstad för unga"]),
        ("starts_before=2030-05-10T00:00:00%2B02:00", ["Läscirkel på meänkieli"]),
        ("q=meänkieli", ["Läscirkel på meänkieli"]),
        ("q=nyköping", ["Skrivarverkstad för unga"]),
        ("kind=author_visit&municipality=0480", []),
    ],
)
def test_every_filter(api_client, programme, query, expected):
    assert titles(api_client.get(f"/api/v1/events/?{query}")) == expected


def test_the_library_filter(api_client, programme, other_library):
    assert titles(api_client.get(f"/api/v1/events/?library={other_library.pk}")) == [
        "Skrivarverkstad för unga"
    ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("municipality=9999", "municipality"),
        ("library=abc", "library"),
        ("kind=concert", "kind"),
        ("audience=babies", "audience"),
        ("language=xx-nope", "language"),
        ("accessibility=teleport", "accessibility"),
        ("priority_group=everyone", "priority_group"),
        ("easy_to_read=maybe", "easy_to_read"),
        ("starts_after=tomorrow", "starts_after"),
        ("starts_before=2030-13-01", "starts_before"),
        ("q=" + "x" * 101, "q"),
        ("status=secret", "status"),
        ("visibility=hidden", "visibility"),
    ],
)
def test_bad_filter_values_are_400_invalid_filter(api_client, programme, query, parameter):
    response = api_client.get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["type"].endswith("/invalid_filter")
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    assert body["errors"][0]["pointer"] == f"/{parameter}"


def test_staff_see_their_drafts_and_private_events_when_they_ask(
    as_user, librarian, other_librarian, programme
):
    client = as_user(librarian)
    assert titles(client.get("/api/v1/events/")) == PUBLIC
    assert titles(client.get("/api/v1/events/?status=draft")) == ["Utkast"]
    assert titles(client.get("/api/v1/events/?visibility=private,unlisted")) == ["Olistad", "Skolklass"]
    other = as_user(other_librarian)
    assert titles(other.get("/api/v1/events/?status=draft")) == []
    assert titles(other.get("/api/v1/events/?visibility=private")) == []


def test_the_public_asking_for_drafts_or_private_events_gets_none(api_client, programme):
    assert titles(api_client.get("/api/v1/events/?status=draft")) == []
    assert titles(api_client.get("/api/v1/events/?visibility=private,unlisted")) == []


def test_an_organiser_sees_all_drafts(as_user, organiser, programme, other_library):
    make_event(room=make_room(library=other_library), title="Annat utkast", status=Event.Status.DRAFT)
    assert titles(as_user(organiser).get("/api/v1/events/?status=draft")) == ["Annat utkast", "Utkast"]


def test_unlisted_is_readable_by_id_and_private_only_by_its_staff(
    api_client, as_user, librarian, other_librarian, organiser, room
):
    unlisted = make_event(room=room, visibility=Event.Visibility.UNLISTED)
    private = make_event(room=room, visibility=Event.Visibility.PRIVATE, start=WHEN)
    draft = make_event(room=room, status=Event.Status.DRAFT, start=WHEN + timedelta(days=1))
    anonymous = APIClient()  # api_client is the one as_user() logs in
    assert anonymous.get(f"/api/v1/events/{unlisted.pk}/").status_code == 200
    for event in (private, draft):
        assert anonymous.get(f"/api/v1/events/{event.pk}/").status_code == 404
        assert as_user(other_librarian).get(f"/api/v1/events/{event.pk}/").status_code == 404
        assert as_user(librarian).get(f"/api/v1/events/{event.pk}/").status_code == 200
        assert as_user(organiser).get(f"/api/v1/events/{event.pk}/").status_code == 200


def test_the_list_costs_the_same_queries_for_5_and_50_events(api_client, room, django_assert_num_queries):
    """Checking the filter value (1), count (1), the page with library, municipality and
    room (1), its sessions (1) and five code lists (5)."""

    def make(n):
        Event.objects.all().delete()
        for index in range(n):
            event = make_event(room=room, sessions=2, start=WHEN + timedelta(days=index * 14))
            event.audiences.set(["adults"])
            event.languages.set(["sv", "ar"])
            event.accessibility_features.set(["hearing_loop"])
            event.priority_groups.set(["older_people"])

    make(5)
    with django_assert_num_queries(9) as small:
        response = api_client.get("/api/v1/events/?page_size=50&audience=adults")
    assert len(response.json()["results"]) == 5
    make(50)
    with django_assert_num_queries(len(small.captured_queries)):
        response = api_client.get("/api/v1/events/?page_size=50&audience=adults")
    assert len(response.json()["results"]) == 50
    assert all(len(e["sessions"]) == 2 and e["languages"] == ["sv", "ar"] for e in response.json()["results"])


def test_libraries_with_municipality_address_and_rooms(
    api_client, library, room, django_assert_max_num_queries
):
    Library.objects.filter(name="Nyköpings stadsbibliotek").update(
        street_address="Hospitalsgatan 4", city="Nyköping"
    )
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/v1/libraries/?page_size=100")
    assert response.status_code == 200
    by_name = {lib["name"]: lib for lib in response.json()["results"]}
    eskilstuna = by_name["Eskilstuna stadsbibliotek"]
    assert eskilstuna["municipality"] == {"code": "0484", "name": "Eskilstuna"}
    assert eskilstuna["address_known"] is False and eskilstuna["address"] is None
    assert eskilstuna["rooms"] == [
        {"id": room.pk, "name": "Hörsalen", "capacity": 30, "accessibility_features": ["hearing_loop"]}
    ]
    nykoping = by_name["Nyköpings stadsbibliotek"]
    assert nykoping["address"]["street_address"] == "Hospitalsgatan 4"
    assert nykoping["address"]["verified"] is False
