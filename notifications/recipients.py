"""Who hears of what, apart from the booker: a library's staff, the region's organisers, a
creator. Addresses of active accounts only."""

from django.db.models import FilteredRelation, Q

from booking.models import Library, StaffRole


def library_emails(library) -> set[str]:
    """The library's own address and its staff's."""
    return library_name_and_emails(library.pk)[1]


def library_name_and_emails(library_id) -> tuple[str, set[str]]:
    """The library's name, and its own address and its active staff's, in one query (the
    library LEFT JOINed to its staff, so a library without staff still gives its own)."""
    rows = (
        Library.objects.filter(pk=library_id)
        .annotate(
            staff=FilteredRelation("staff_roles", condition=Q(staff_roles__role=StaffRole.Role.LIBRARY_STAFF))
        )
        .order_by()
        .values_list("name", "email", "staff__user__email", "staff__user__is_active")
    )
    name, emails = "", set()
    for library_name, library_email, staff_email, active in rows:
        name = library_name
        if library_email:
            emails.add(library_email)
        if staff_email and active:
            emails.add(staff_email)
    return name, emails


def organiser_emails() -> set[str]:
    return set(
        StaffRole.objects.filter(role=StaffRole.Role.REGIONAL_ORGANISER, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def creator_emails(creator) -> set[str]:
    if creator is None:
        return set()
    if creator.email:
        return {creator.email}
    if creator.user_id and creator.user.email:
        return {creator.user.email}
    return set()


def visit_parties(visit_request, transition: str) -> set[str]:
    """The addresses told of an author-visit request's transition."""
    library = library_emails(visit_request.library)
    organisers = organiser_emails()
    creator = creator_emails(visit_request.offered_creator or visit_request.creator)
    parties = {
        "submit": organisers,
        "approve": library,
        "decline": library,
        "offer": creator,
        "accept": library | organisers,
        "refuse": organisers | library,
        "withdraw": organisers | (creator if visit_request.offered_creator_id else set()),
        "cancel": library | organisers | creator,
        "complete": organisers,
    }
    return parties.get(transition, library | organisers)
