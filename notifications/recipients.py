"""Who hears of what, apart from the booker: a library's staff, the region's organisers, a
creator. Addresses of active accounts only."""

from booking.models import StaffRole


def library_emails(library) -> set[str]:
    """The library's own address and its staff's."""
    emails = {library.email} if library.email else set()
    emails |= set(
        StaffRole.objects.filter(role=StaffRole.Role.LIBRARY_STAFF, library=library, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return emails


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
