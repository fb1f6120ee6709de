"""The library page: a library's own staff (and the region's organisers) keep its address,
contact, opening hours, accessibility in words and rooms. Staff of another library, and
creators, are refused (403). Every save goes through booking.services.libraries or
booking.services.rooms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking import access
from booking.errors import DomainError
from booking.models import Library, Room
from booking.selectors.places import place_of
from booking.services.libraries import library_address_confirm, library_update, may_verify_address
from booking.services.room_edits import room_create, room_update
from staff import selectors
from staff.library_forms import LibraryForm, RoomForm, add_pointer_errors
from staff.views.common import library_staff_required


def _library_or_403(user, pk: int) -> Library:
    library = get_object_or_404(Library.objects.select_related("municipality", "address_verified_by"), pk=pk)
    if not access.can_manage_library(user, library.pk):
        raise PermissionDenied
    return library


@library_staff_required
def library_list(request):
    libraries = list(selectors.managed_libraries(request.user))
    if len(libraries) == 1:
        return redirect("staff:library", pk=libraries[0].pk)
    return render(request, "staff/libraries.html", {"libraries": libraries})


def _initial(library: Library) -> dict:
    names = ("street_address", "postal_code", "city", "email", "phone", "opening_hours_url")
    return {
        **{name: getattr(library, name) for name in names},
        "accessibility_description": library.accessibility_description,
    }


@library_staff_required
def library_edit(request, pk: int):
    library = _library_or_403(request.user, pk)
    form = LibraryForm(request.POST or None, initial=_initial(library))
    if request.method == "POST" and form.is_valid():
        try:
            library_update(library=library, actor=request.user, **form.service_fields())
        except DomainError as error:
            add_pointer_errors(form, error)
        else:
            messages.success(request, _("Bibliotekets uppgifter är sparade."))
            return redirect("staff:library", pk=library.pk)
    rooms = library.rooms.prefetch_related("accessibility_features").order_by("-is_active", "name")
    context = {
        "library": library,
        "form": form,
        "rooms": rooms,
        "staff_place": place_of(library, for_staff=True),
        "may_confirm": may_verify_address(request.user, library),
    }
    return render(request, "staff/library.html", context)


@require_POST
@library_staff_required
def library_confirm(request, pk: int):
    library = _library_or_403(request.user, pk)
    try:
        library_address_confirm(library=library, actor=request.user)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, str(error.errors[0]["detail"] if error.errors else error))
    else:
        messages.success(request, _("Adressen är bekräftad. Nu visas den på evenemangens sidor."))
    return redirect("staff:library", pk=library.pk)


def _room_initial(room: Room) -> dict:
    return {
        "name": room.name,
        "capacity": room.capacity,
        "accessibility_features": list(room.accessibility_features.all()),
        "accessibility_description": room.accessibility_description,
        "accessibility_url": room.accessibility_url,
    }


@library_staff_required
def room_edit(request, pk: int, room_id: int | None = None):
    library = _library_or_403(request.user, pk)
    room = get_object_or_404(Room, pk=room_id, library=library) if room_id is not None else None
    form = RoomForm(request.POST or None, initial=_room_initial(room) if room else None)
    if request.method == "POST" and form.is_valid():
        try:
            if room is None:
                room_create(library=library, actor=request.user, **form.service_fields())
            else:
                room_update(room=room, actor=request.user, **form.service_fields())
        except DomainError as error:
            add_pointer_errors(form, error)
        else:
            messages.success(request, _("Lokalen är sparad."))
            return redirect("staff:library", pk=library.pk)
    return render(request, "staff/room_form.html", {"library": library, "room": room, "form": form})


__all__ = ["library_confirm", "library_edit", "library_list", "room_edit"]
