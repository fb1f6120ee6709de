"""A creator's own visits: the ones offered to them that they accepted, coming and past."""

from datetime import datetime

from booking.models import VisitRequest


def creator_visits(*, creator, now: datetime) -> tuple[list[VisitRequest], list[VisitRequest]]:
    """(upcoming, past): scheduled, completed and cancelled visits of this creator, by date."""
    S = VisitRequest.Status
    visits = list(
        VisitRequest.objects.filter(
            offered_creator=creator,
            chosen_date_option__isnull=False,
            status__in=[S.SCHEDULED, S.COMPLETED, S.CANCELLED],
        )
        .select_related("library", "room", "chosen_date_option", "created_by")
        .order_by("chosen_date_option__start", "pk")
    )
    upcoming = [v for v in visits if v.chosen_date_option.end >= now and v.status == S.SCHEDULED]
    past = [v for v in visits if v not in upcoming]
    past.reverse()
    return upcoming, past
