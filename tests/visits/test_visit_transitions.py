"""Every transition from every state: allowed ones move the request and leave a trace,
refused ones are 409 invalid_transition and change nothing."""

import pytest

from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.models import AuditEvent, Event, Session, VisitRequest
from booking.services import visit_requests as visits
from tests.visits.conftest import AFTER_VISIT, local

S = VisitRequest.Status
ALLOWED = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "approve"): S.APPROVED,
    (S.SUBMITTED, "decline"): S.DECLINED,
    (S.APPROVED, "offer"): S.OFFERED,
    (S.OFFERED, "accept"): S.SCHEDULED,
    (S.OFFERED, "refuse"): S.APPROVED,
    (S.DRAFT, "withdraw"): S.WITHDRAWN,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.APPROVED, "withdraw"): S.WITHDRAWN,
    (S.OFFERED, "withdraw"): S.WITHDRAWN,
    (S.SCHEDULED, "cancel"): S.CANCELLED,
    (S.SCHEDULED, "complete"): S.COMPLETED,
}
TRANSITIONS = ["submit", "approve", "decline", "offer", "accept", "refuse", "withdraw", "cancel", "complete"]


@pytest.mark.parametrize("transition", TRANSITIONS)
@pytest.mark.parametrize("status", list(S.values))
def test_each_transition_from_each_state(visit_in, status, transition):
    request = visit_in(status)
    audits_before = AuditEvent.objects.filter(object_type="visit_request", object_id=str(request.pk)).count()
    target = ALLOWED.get((status, transition))
    if transition in ("accept", "refuse") and request.offered_creator_id is None:
        # Only the creator the request is offered to answers it; before an offer, nobody can
        # (not even the creator the library wished for), and nothing changes.
        with pytest.raises(PermissionDenied):
            visit_in.take(transition, request)
        request.refresh_from_db()
        assert request.status == status
        return
    if target is None:
        with pytest.raises(InvalidTransition) as caught:
            visit_in.take(transition, request)
        assert caught.value.code == "invalid_transition" and caught.value.status == 409
        request.refresh_from_db()
        assert request.status == status
        assert (
            AuditEvent.objects.filter(object_type="visit_request", object_id=str(request.pk)).count()
            == audits_before
        )
        return
    moved = visit_in.take(transition, request)
    moved.refresh_from_db()
    assert moved.status == target
    audit = AuditEvent.objects.filter(object_type="visit_request", object_id=str(request.pk)).first()
    assert (audit.action, audit.from_status, audit.to_status) == (
        f"visit_request.{transition}",
        status,
        target,
    )
    assert audit.actor is not None


def test_the_table_matches_api_md():
    assert {(s, t) for t, (sources, _) in visits.TRANSITIONS.items() for s in sources} == set(ALLOWED)


def test_accept_creates_a_public_event_with_its_session_in_the_room(visit_in, room, creator):
    request = visit_in(S.SCHEDULED)
    event = request.event
    assert (event.kind, event.visibility, event.status) == ("author_visit", "public", "published")
    assert list(event.creators.all()) == [creator]
    session = event.sessions.get()
    assert (session.room, session.start, session.end) == (
        room,
        local(2031, 3, 13, 10),
        local(2031, 3, 13, 12),
    )
    assert session.capacity == 40
    assert request.chosen_date_option.start == session.start


def test_a_school_class_visit_is_private_by_default(visit_in):
    request = visit_in(S.SCHEDULED, format=VisitRequest.Format.SCHOOL_CLASS, expected_attendees=28)
    assert request.publish is False
    assert request.event.visibility == Event.Visibility.PRIVATE


def test_a_school_class_is_at_most_35_pupils(library, librarian, creator):
    with pytest.raises(InvalidInput) as caught:
        visits.visit_request_create(
            actor=librarian, library=library, format="school_class", creator=creator, expected_attendees=36
        )
    assert caught.value.errors[0]["pointer"] == "/expected_attendees"
    assert not VisitRequest.objects.exists()


def test_a_digital_visit_takes_no_room(library, librarian, room):
    with pytest.raises(InvalidInput) as caught:
        visits.visit_request_create(actor=librarian, library=library, format="digital", room=room)
    assert caught.value.errors[0]["pointer"] == "/room"


def test_cancel_cancels_the_event_and_its_sessions(visit_in):
    request = visit_in(S.CANCELLED)
    request.event.refresh_from_db()
    assert request.event.status == Event.Status.CANCELLED
    assert not request.event.sessions.filter(status=Session.Status.SCHEDULED).exists()
    assert request.cancel_reason == "Författaren är sjuk."


def test_complete_waits_until_after_the_visit(visit_in):
    request = visit_in(S.SCHEDULED)
    with pytest.raises(InvalidTransition):
        visit_in.take("complete", request, now=local(2031, 3, 13, 11))
    done = visit_in.take("complete", request, now=AFTER_VISIT)
    assert (done.status, done.attendees, done.evaluation) == (S.COMPLETED, 37, "Fullsatt och bra.")


def test_refuse_returns_to_approved_so_another_creator_can_be_offered(visit_in, organiser):
    from tests.factories import make_creator

    request = visit_in.take("refuse", visit_in(S.OFFERED))
    assert (request.status, request.offered_creator, request.refuse_note) == (
        S.APPROVED,
        None,
        "Jag är på bokmässan.",
    )
    other = make_creator(name="Annan Författare")
    request = visits.visit_request_offer(visit_request=request, actor=organiser, creator=other)
    assert (request.status, request.offered_creator) == (S.OFFERED, other)


def test_decline_needs_a_reason_and_approve_records_the_money(visit_in, organiser):
    request = visit_in(S.SUBMITTED)
    with pytest.raises(InvalidInput):
        visits.visit_request_decline(visit_request=request, actor=organiser, reason="  ")
    approved = visits.visit_request_approve(
        visit_request=request, actor=organiser, cofunding_granted_sek=3500
    )
    assert approved.cofunding_granted_sek == 3500


@pytest.mark.parametrize(
    "transition,persona",
    [
        ("submit", "other_librarian"),
        ("submit", "creator_user"),
        ("approve", "librarian"),
        ("decline", "creator_user"),
        ("offer", "librarian"),
        ("withdraw", "other_librarian"),
    ],
)
def test_the_wrong_person_is_refused(visit_in, request, transition, persona):
    status = {"submit": S.DRAFT, "withdraw": S.DRAFT}.get(
        transition, S.SUBMITTED if transition != "offer" else S.APPROVED
    )
    visit = visit_in(status)
    _, params = visit_in.call(transition, visit)
    with pytest.raises(PermissionDenied):
        visits.visit_request_transition(
            visit_request=visit, actor=request.getfixturevalue(persona), transition=transition, **params
        )


def test_only_the_offered_creator_may_accept(visit_in, librarian):
    from tests.factories import make_creator, make_user

    stranger = make_creator(name="Någon Annan")
    stranger_user = make_user(role="creator", creator=stranger)
    visit = visit_in(S.OFFERED)
    for actor in (stranger_user, librarian):
        with pytest.raises(PermissionDenied):
            visits.visit_request_accept(
                visit_request=visit, actor=actor, date_option=visit.date_options.first()
            )


def test_update_only_while_draft(visit_in, librarian):
    draft = visit_in(S.DRAFT)
    updated = visits.visit_request_update(
        visit_request=draft, actor=librarian, notes="Med fika", fee_sek=9000
    )
    assert (updated.notes, updated.fee_sek) == ("Med fika", 9000)
    with pytest.raises(InvalidTransition):
        visits.visit_request_update(visit_request=visit_in(S.SUBMITTED), actor=librarian, notes="x")


@pytest.mark.parametrize(
    "format,minutes,lessons,fee",
    [
        ("public_talk", 90, None, 8500),
        ("public_talk", 15, None, 3400),
        ("school_class", 60, 1, 5000),
        ("school_class", 60, 2, 6000),
        ("school_class", 120, None, 6000),
        ("school_class", 60, 4, 8500),
        ("digital", 60, None, 8500),
    ],
)
def test_fee_is_suggested_from_the_recommended_minimum(format, minutes, lessons, fee):
    assert visits.fee_suggest(format=format, duration_minutes=minutes, lessons=lessons) == fee
