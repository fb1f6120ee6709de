"""The one permission gate, shared by the API and the pages.

regional organiser: everything in the region. library staff: their own libraries' events,
sessions, participants and requests. creator: their own profile, offers and visits.
anonymous: public, published events only, and no personal data anywhere.
"""

from django.db.models import Q, QuerySet

from booking.models import Creator, Event, StaffRole
from booking.models.events import events_public_q


def _roles(user) -> list[StaffRole]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_lasrum_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user))
        user._lasrum_roles = cached
    return cached


def is_organiser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or any(
        role.role == StaffRole.Role.REGIONAL_ORGANISER for role in _roles(user)
    )


def is_staff_member(user) -> bool:
    """Organiser or staff of at least one library."""
    return is_organiser(user) or any(role.role == StaffRole.Role.LIBRARY_STAFF for role in _roles(user))


def staff_library_ids(user) -> set[int]:
    """The libraries this user works at (organisers: see is_organiser, they reach all)."""
    return {role.library_id for role in _roles(user) if role.role == StaffRole.Role.LIBRARY_STAFF}


def creator_for(user) -> Creator | None:
    if hasattr(user, "_lasrum_creator"):
        return user._lasrum_creator
    found = None
    for role in _roles(user):
        if role.role == StaffRole.Role.CREATOR and role.creator_id:
            found = Creator.objects.filter(pk=role.creator_id).first()
            break
    if getattr(user, "is_authenticated", False):
        user._lasrum_creator = found  # once per request, like the roles
    return found


def can_manage_library(user, library_id: int | None) -> bool:
    """May this user change the library's events and see its participants' personal data?"""
    return is_organiser(user) or (library_id is not None and library_id in staff_library_ids(user))


def can_manage_event(user, event: Event) -> bool:
    return can_manage_library(user, event.library_id)


def visible_events(user, queryset: QuerySet | None = None) -> QuerySet:
    """Events this user may read: the public programme, plus drafts and private events of the
    libraries they manage (all for organisers), plus a creator's own events."""
    queryset = queryset if queryset is not None else Event.objects.all()
    public = events_public_q()
    if is_organiser(user):
        return queryset
    condition = public
    libraries = staff_library_ids(user)
    if libraries:
        condition |= Q(library_id__in=libraries)
    creator = creator_for(user)
    if creator:
        condition |= Q(creators=creator)
    return queryset.filter(condition).distinct() if creator else queryset.filter(condition)


# --- Author-visit requests ------------------------------------------------------------------
# Who may take each transition. "library": staff of the request's library; "organiser": the
# region; "creator": the creator the request is offered to, and nobody else (API.md: "that
# creator") — an organiser may act for a library (a phone call) but never answers for a creator.
VISIT_TRANSITION_ROLES: dict[str, set[str]] = {
    "edit": {"library"},
    "submit": {"library"},
    "approve": {"organiser"},
    "decline": {"organiser"},
    "offer": {"organiser"},
    "accept": {"creator"},
    "refuse": {"creator"},
    "withdraw": {"library"},
    "cancel": {"library", "organiser"},
    "complete": {"library"},
}


def visible_visit_requests(user, queryset: QuerySet | None = None) -> QuerySet:
    """Requests this user may read: organisers all, library staff their libraries' requests,
    a creator those offered to them or that became their visits; nobody else any."""
    from booking.models import VisitRequest

    queryset = queryset if queryset is not None else VisitRequest.objects.all()
    if is_organiser(user):
        return queryset
    condition = Q(pk__in=[])
    libraries = staff_library_ids(user)
    if libraries:
        condition |= Q(library_id__in=libraries)
    creator = creator_for(user)
    if creator:
        condition |= Q(offered_creator=creator)
    return queryset.filter(condition)


def sees_visit_as_creator(user, visit_request) -> bool:
    """Does this user read the request only as its offered creator (not as staff)? They then
    see the visit, not the library's wishes, notes or budget."""
    return not (is_organiser(user) or visit_request.library_id in staff_library_ids(user))


def can_transition_visit_request(user, visit_request, transition: str) -> bool:
    """May this user take `transition` on this request (whatever its current state)?"""
    roles = VISIT_TRANSITION_ROLES.get(transition, set())
    if "creator" in roles:
        creator = creator_for(user)
        return creator is not None and visit_request.offered_creator_id == creator.pk
    if is_organiser(user):
        return True
    return "library" in roles and visit_request.library_id in staff_library_ids(user)


def can_create_visit_request(user, library_id: int | None) -> bool:
    return can_manage_library(user, library_id)


def can_see_creator_private(user) -> bool:
    """Fees, contact details and unavailable dates: staff (organisers and library staff)."""
    return is_staff_member(user)


def can_edit_creator(user, creator) -> bool:
    """A creator's profile: the creator themself, and the region's organisers."""
    if is_organiser(user):
        return True
    own = creator_for(user)
    return own is not None and creator is not None and own.pk == getattr(creator, "pk", creator)
