"""Forms of the staff workspace, one module per area. Field names follow the API's where there is one."""

from staff.forms.bookings import MessageForm, StaffBookingForm
from staff.forms.events import EventForm
from staff.forms.statistics import STATISTICS_GROUPS, ReportYearForm, StatisticsForm
from staff.forms.visits import (
    TRANSITION_FORMS,
    AcceptForm,
    ApproveForm,
    CompleteForm,
    InviteForm,
    OfferForm,
    OptionalReasonForm,
    ReasonForm,
    RefuseForm,
    VisitRequestForm,
)

__all__ = [
    "STATISTICS_GROUPS",
    "TRANSITION_FORMS",
    "AcceptForm",
    "ApproveForm",
    "CompleteForm",
    "EventForm",
    "InviteForm",
    "MessageForm",
    "OfferForm",
    "OptionalReasonForm",
    "ReasonForm",
    "RefuseForm",
    "ReportYearForm",
    "StaffBookingForm",
    "StatisticsForm",
    "VisitRequestForm",
]
