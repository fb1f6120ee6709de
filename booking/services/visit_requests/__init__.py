"""Author-visit requests: one function per transition.

Each transition locks the request's row, checks who is acting and the current state, makes the
change, writes an AuditEvent (who, when, from, to, why) and writes the messages to the parties
into the outbox — all in one transaction, so that a change is never without its record and
its messages. A transition from the wrong state raises InvalidTransition (409).

    draft ─submit→ submitted ─approve→ approved ─offer→ offered ─accept→ scheduled ─complete→ completed
                            └decline→ declined      ↖──refuse──┘             └cancel→ cancelled
    draft | submitted | approved | offered ─withdraw→ withdrawn
"""

from booking.errors import InvalidTransition
from booking.models import VisitRequest
from booking.services.visit_requests.common import (
    TRANSITIONS,
    allowed_transitions,
    transition_button,
    transition_label,
)
from booking.services.visit_requests.drafts import visit_request_create, visit_request_update
from booking.services.visit_requests.fees import (
    author_fees,
    class_visit_max_pupils,
    fee_suggest,
    visit_vat_applies,
)
from booking.services.visit_requests.history import visit_history
from booking.services.visit_requests.matching import offer_warnings
from booking.services.visit_requests.review import (
    visit_request_approve,
    visit_request_decline,
    visit_request_offer,
    visit_request_submit,
    visit_request_withdraw,
)
from booking.services.visit_requests.scheduling import (
    visit_request_accept,
    visit_request_cancel,
    visit_request_complete,
    visit_request_refuse,
)

__all__ = [
    "TRANSITIONS",
    "allowed_transitions",
    "author_fees",
    "class_visit_max_pupils",
    "fee_suggest",
    "offer_warnings",
    "transition_button",
    "transition_label",
    "visit_history",
    "visit_request_accept",
    "visit_request_approve",
    "visit_request_cancel",
    "visit_request_complete",
    "visit_request_create",
    "visit_request_decline",
    "visit_request_offer",
    "visit_request_refuse",
    "visit_request_submit",
    "visit_request_transition",
    "visit_request_update",
    "visit_request_withdraw",
    "visit_vat_applies",
]


def visit_request_transition(
    *, visit_request: VisitRequest, actor, transition: str, **params
) -> VisitRequest:
    """Dispatch by name (the API's /{transition}/ and the inbox's buttons)."""
    functions = {
        "submit": visit_request_submit,
        "approve": visit_request_approve,
        "decline": visit_request_decline,
        "offer": visit_request_offer,
        "accept": visit_request_accept,
        "refuse": visit_request_refuse,
        "withdraw": visit_request_withdraw,
        "cancel": visit_request_cancel,
        "complete": visit_request_complete,
    }
    if transition not in functions:
        raise InvalidTransition()
    return functions[transition](visit_request=visit_request, actor=actor, **params)
