"""The admin's room and library pages save through the rooms and libraries services: a room's
capacity below an event's that uses it is refused on its field, an organiser's address waits
for the library to confirm it, and every save is audited."""

import pytest
from django.urls import reverse

from booking.models import AuditEvent, Room
from tests.factories import make_event, make_room
from tests.foundation.test_admin_services import errors_of, form_of, organiser_client  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_rooms_capacity_below_an_events_is_refused_in_the_admin(organiser_client, library):  # noqa: F811
    room = make_room(library=library, capacity=50, name="Hörsalen")
    make_event(room=room, capacity=40, title="Författarbesök i hörsalen")
    url = reverse("admin:booking_room_change", args=[room.pk])
    response = organiser_client.post(url, form_of(organiser_client, url, capacity=20))
    assert response.status_code == 200
    assert "Författarbesök i hörsalen (40)" in str(errors_of(response))
    room.refresh_from_db()
    assert room.capacity == 50
    response = organiser_client.post(url, form_of(organiser_client, url, capacity=45))
    assert response.status_code == 302, errors_of(response)
    room.refresh_from_db()
    assert room.capacity == 45
    assert AuditEvent.objects.filter(action="room_updated", object_id=str(room.pk)).exists()


def test_the_rooms_inline_of_a_library_goes_through_the_service_too(organiser_client, library):  # noqa: F811
    room = make_room(library=library, capacity=50, name="Hörsalen")
    make_event(room=room, capacity=40, title="Skrivarverkstad")
    url = reverse("admin:booking_library_change", args=[library.pk])
    data = form_of(organiser_client, url)
    prefix = next(name for name in data if name.endswith("-0-capacity")).removesuffix("-0-capacity")
    data[f"{prefix}-0-capacity"] = ["10"]
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert "Skrivarverkstad (40)" in str(errors_of(response))
    assert Room.objects.get(pk=room.pk).capacity == 50


def test_an_organisers_address_in_the_admin_is_not_verified(organiser_client, library):  # noqa: F811
    url = reverse("admin:booking_library_change", args=[library.pk])
    data = form_of(
        organiser_client, url, street_address="Kriebsensgatan 4", postal_code="63220", city="Eskilstuna"
    )
    response = organiser_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    library.refresh_from_db()
    assert library.street_address == "Kriebsensgatan 4" and library.postal_code == "632 20"
    assert not library.address_verified
    assert AuditEvent.objects.filter(action="library_updated", object_id=str(library.pk)).exists()
    data = form_of(organiser_client, url, postal_code="12")
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert "fem siffror" in str(errors_of(response))
