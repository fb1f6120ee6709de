"""The admin writes through the events services: an organiser changing capacity, moving or
cancelling a session, or editing an event on the admin's own pages gets the API's checks,
waitlist fill, SEQUENCE, messages and audit entry; a refusal shows on its field."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking.models import AuditEvent, Booking, Event, Session, StaffRole
from booking.services.accounts import staff_grant
from booking.services.bookings import booking_create
from notifications.models import Notification
from tests.factories import make_event, make_room

pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """The values a browser would send for the page's change form (<form id="..._form">)."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.data.append((attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data.append((attrs["name"], ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                name, value = self.data[-1]
                self.data[-1] = (name, value.removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_of(client, url: str, **changes) -> dict:
    """The change form as the page shows it, with `changes` typed in (a value None clears it)."""
    reader = _FormReader()
    reader.feed(client.get(url).content.decode())
    data: dict = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [str(value)]
    return data


@pytest.fixture
def organiser_client(client, region):
    user, _token = staff_grant(username="samordnare", role=StaffRole.Role.REGIONAL_ORGANISER)
    client.force_login(user)
    return client


@pytest.fixture
def event(library):
    room = make_room(library=library, capacity=30)
    return make_event(room=room, capacity=2, sessions=1, waitlist_mode=Event.WaitlistMode.AUTO)


def book(session, name, seats=1, phone="+46701740610"):
    return booking_create(
        session=session, seats=seats, name=name, phone=phone, sms_consent=True, email=""
    ).booking


def errors_of(response) -> list:
    """The form errors of a page shown again, for an assertion's message."""
    if response.context is None or "adminform" not in response.context:
        return []
    rows = (
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms]
        if (response.context.get("inline_admin_formsets"))
        else []
    )
    return [response.context["adminform"].form.errors, *rows]


def event_url(event):
    return reverse("admin:booking_event_change", args=[event.pk])


def session_url(session):
    return reverse("admin:booking_session_change", args=[session.pk])


def test_lowering_capacity_below_the_seats_taken_is_refused_on_the_capacity_field(organiser_client, event):
    session = event.sessions.get()
    book(session, "Anna Andersson", seats=2)
    response = organiser_client.post(
        event_url(event), form_of(organiser_client, event_url(event), capacity=1)
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "2 platser är redan bokade till tillfället" in " ".join(form.errors["capacity"])
    event.refresh_from_db()
    session.refresh_from_db()
    assert event.capacity == session.capacity == 2
    assert not AuditEvent.objects.filter(action="event_updated").exists()


def test_raising_capacity_gives_the_freed_seats_to_the_waitlist(organiser_client, event):
    session = event.sessions.get()
    book(session, "Anna Andersson", seats=2)
    waiting = book(session, "Bertil Berg", phone="+46701740611")
    assert waiting.status == Booking.Status.WAITLISTED
    response = organiser_client.post(
        event_url(event), form_of(organiser_client, event_url(event), capacity=3)
    )
    assert response.status_code == 302, errors_of(response)
    waiting.refresh_from_db()
    assert waiting.status in (Booking.Status.CONFIRMED, Booking.Status.OFFERED)
    session.refresh_from_db()
    assert session.capacity == 3 and session.seats_taken == 3
    audit = AuditEvent.objects.get(action="event_updated", object_id=str(event.pk))
    assert audit.actor.username == "samordnare" and audit.data["changed"]["capacity"] == ["2", "3"]


def test_a_session_moved_in_the_admin_reaches_the_feed_and_its_bookers(organiser_client, event, client):
    session = event.sessions.get()
    booking = book(session, "Anna Andersson")
    later = timezone.localtime(session.start + timedelta(hours=2))
    ends = timezone.localtime(session.end + timedelta(hours=2))
    data = form_of(
        organiser_client,
        session_url(session),
        start_0=later.strftime("%Y-%m-%d"),
        start_1=later.strftime("%H:%M:%S"),
        end_0=ends.strftime("%Y-%m-%d"),
        end_1=ends.strftime("%H:%M:%S"),
    )
    response = organiser_client.post(session_url(session), data)
    assert response.status_code == 302, errors_of(response)

    feed = Calendar.from_ical(client.get(f"/feeds/events/{event.pk}.ics").content)
    (vevent,) = feed.walk("VEVENT")
    assert vevent.decoded("DTSTART") == session.start + timedelta(hours=2)
    assert int(vevent["SEQUENCE"]) == session.sequence + 1
    assert Notification.objects.filter(booking=booking, template="session_moved").exists()
    assert AuditEvent.objects.filter(action="session_moved", object_id=str(session.pk)).exists()


def test_a_session_cancelled_on_the_event_page_tells_its_bookers(organiser_client, event):
    session = event.sessions.get()
    booking = book(session, "Anna Andersson")
    data = form_of(
        organiser_client,
        event_url(event),
        **{"sessions-0-status": Session.Status.CANCELLED, "sessions-0-cancel_reason": "Sjuk"},
    )
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 302, errors_of(response)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED and session.cancel_reason == "Sjuk"
    assert session.sequence == 1
    assert Notification.objects.filter(booking=booking, template="session_cancelled").exists()
    assert AuditEvent.objects.filter(action="session_cancelled", object_id=str(session.pk)).exists()


def test_a_session_moved_into_a_taken_room_is_refused_on_its_row(organiser_client, event):
    session = event.sessions.get()
    other = make_event(room=make_room(library=event.library), start=session.start, sessions=1)
    taken = other.sessions.get().room
    data = form_of(organiser_client, event_url(event), **{"sessions-0-room": taken.pk})
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 200
    (row,) = response.context["inline_admin_formsets"][0].formset.forms
    assert "Lokalen är upptagen den tiden." in " ".join(row.errors["room"])
    session.refresh_from_db()
    assert session.room_id == event.room_id and session.sequence == 0


def test_a_session_added_on_the_event_page_is_checked_and_audited(organiser_client, event):
    session = event.sessions.get()
    start = timezone.localtime(session.start + timedelta(days=7))
    end = timezone.localtime(session.end + timedelta(days=7))
    data = form_of(organiser_client, event_url(event))
    data.update(
        {
            "sessions-TOTAL_FORMS": ["2"],
            "sessions-1-start_0": [start.strftime("%Y-%m-%d")],
            "sessions-1-start_1": [start.strftime("%H:%M:%S")],
            "sessions-1-end_0": [end.strftime("%Y-%m-%d")],
            "sessions-1-end_1": [end.strftime("%H:%M:%S")],
            "sessions-1-room": [str(event.room_id)],
            "sessions-1-status": [Session.Status.SCHEDULED],
            "sessions-1-event": [str(event.pk)],
        }
    )
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 302, errors_of(response)
    assert event.sessions.count() == 2
    assert event.sessions.order_by("start").last().start == session.start + timedelta(days=7)
    assert AuditEvent.objects.filter(action="sessions_added", object_id=str(event.pk)).exists()


def test_an_event_edit_the_service_refuses_shows_on_its_field(organiser_client, event):
    data = form_of(organiser_client, event_url(event), sms_title="Sagostund {med} Elsa ☃")
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 200
    assert "GSM-7" in " ".join(response.context["adminform"].form.errors["sms_title"])
    event.refresh_from_db()
    assert event.sms_title == ""


def test_an_event_added_in_the_admin_is_made_by_the_service(organiser_client, event):
    data = form_of(organiser_client, reverse("admin:booking_event_add"))
    start = timezone.localtime(timezone.now() + timedelta(days=30)).replace(hour=18, minute=0, second=0)
    data.update(
        {
            "kind": [Event.Kind.WRITING_WORKSHOP],
            "status": [Event.Status.PUBLISHED],
            "library": [str(event.library_id)],
            "room": [str(event.room_id)],
            "title": ["Skrivarkväll"],
            "capacity": ["40"],  # the room has 30
            "recurrence_rule": ["FREQ=WEEKLY;COUNT=3"],
            "recurrence_dtstart_0": [start.strftime("%Y-%m-%d")],
            "recurrence_dtstart_1": ["18:00:00"],
            "recurrence_duration": ["01:30:00"],
        }
    )
    response = organiser_client.post(reverse("admin:booking_event_add"), data)
    assert response.status_code == 200
    assert "har bara 30 platser" in " ".join(response.context["adminform"].form.errors["capacity"])
    assert not Event.objects.filter(title="Skrivarkväll").exists()

    data["capacity"] = ["12"]
    response = organiser_client.post(reverse("admin:booking_event_add"), data)
    assert response.status_code == 302, errors_of(response)
    added = Event.objects.get(title="Skrivarkväll")
    assert added.sessions.count() == 3 and added.created_by.username == "samordnare"
    assert {timezone.localtime(s.start).hour for s in added.sessions.all()} == {18}
    assert set(added.accessibility_features.all()) == set(event.room.accessibility_features.all())
    assert AuditEvent.objects.filter(action="event_created", object_id=str(added.pk)).exists()


def test_an_event_change_and_a_row_change_in_one_save_do_not_undo_each_other(organiser_client, event):
    session = event.sessions.get()
    later = timezone.localtime(session.start + timedelta(hours=1))
    ends = timezone.localtime(session.end + timedelta(hours=1))
    data = form_of(
        organiser_client,
        event_url(event),
        capacity=3,
        **{
            "sessions-0-start_0": later.strftime("%Y-%m-%d"),
            "sessions-0-start_1": later.strftime("%H:%M:%S"),
            "sessions-0-end_0": ends.strftime("%Y-%m-%d"),
            "sessions-0-end_1": ends.strftime("%H:%M:%S"),
        },
    )
    response = organiser_client.post(event_url(event), data)
    assert response.status_code == 302, errors_of(response)
    session.refresh_from_db()
    assert session.start == later and session.sequence == 1
    assert session.capacity == 3 and not session.capacity_overridden  # still follows the event


def test_the_publish_action_publishes_through_the_service(organiser_client, library):
    draft = make_event(room=make_room(library=library), status=Event.Status.DRAFT)
    response = organiser_client.post(
        reverse("admin:booking_event_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED
    audit = AuditEvent.objects.get(action="event_updated", object_id=str(draft.pk))
    assert (audit.from_status, audit.to_status) == (Event.Status.DRAFT, Event.Status.PUBLISHED)
