"""Author-visit requests in every state, reached through the real transitions."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from booking.models import VisitRequest
from booking.services import visit_requests as visits
from tests.factories import make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


# A Thursday far enough ahead that "after the visit" is a `now` we pass in.
VISIT_START = local(2031, 3, 13, 10, 0)
VISIT_END = local(2031, 3, 13, 12, 0)
AFTER_VISIT = local(2031, 3, 14, 9, 0)


@pytest.fixture
def room(library):
    return make_room(library=library, capacity=80, name="Hörsalen")


@pytest.fixture
def visit_in(library, room, librarian, organiser, creator, creator_user):
    """visit_in(status) -> a request brought to that status the way users would."""

    def build(status: str, *, at=None, by=None, **fields) -> VisitRequest:
        """at: another library (its room is made here); by: that library's staff member."""
        fields.setdefault("format", VisitRequest.Format.PUBLIC_TALK)
        where = at or library
        default_room = room if at is None else make_room(library=at, capacity=80)
        fields.setdefault("room", default_room if fields["format"] != VisitRequest.Format.DIGITAL else None)
        fields.setdefault("creator", creator)
        fields.setdefault("expected_attendees", 40)
        fields.setdefault("date_options", [{"start": VISIT_START, "end": VISIT_END}])
        staff = by or librarian
        request = visits.visit_request_create(actor=staff, library=where, **fields)
        S = VisitRequest.Status
        path = {
            S.DRAFT: [],
            S.SUBMITTED: ["submit"],
            S.APPROVED: ["submit", "approve"],
            S.DECLINED: ["submit", "decline"],
            S.OFFERED: ["submit", "approve", "offer"],
            S.SCHEDULED: ["submit", "approve", "offer", "accept"],
            S.COMPLETED: ["submit", "approve", "offer", "accept", "complete"],
            S.WITHDRAWN: ["withdraw"],
            S.CANCELLED: ["submit", "approve", "offer", "accept", "cancel"],
        }[status]
        for step in path:
            request = take(step, request, **({"actor": staff} if step in ("submit", "withdraw") else {}))
        assert request.status == status
        return request

    def take(step, request, actor=None, **override):
        default_actor, params = transition_call(step, request)
        actor = actor or default_actor
        params.update(override)
        return visits.visit_request_transition(visit_request=request, actor=actor, transition=step, **params)

    def transition_call(step, request):
        """The right actor and valid parameters for each transition."""
        return {
            "submit": (librarian, {}),
            "approve": (organiser, {"cofunding_granted_sek": 4000}),
            "decline": (organiser, {"reason": "Budgeten är slut i år."}),
            "offer": (organiser, {"creator": creator}),
            "accept": (creator_user, {"date_option": request.date_options.first()}),
            "refuse": (creator_user, {"note": "Jag är på bokmässan."}),
            "withdraw": (librarian, {"reason": "Vi flyttar"}),
            "cancel": (librarian, {"reason": "Författaren är sjuk."}),
            "complete": (librarian, {"attendees": 37, "evaluation": "Fullsatt och bra.", "now": AFTER_VISIT}),
        }[step]

    build.take = take
    build.call = transition_call
    return build
