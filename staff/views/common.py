"""Shared pieces of the staff views: who may enter, and domain errors onto forms."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from booking import access
from booking.errors import DomainError


def staff_required(view):
    """Logged in, with a role (organiser, library staff or creator); else 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (access.is_staff_member(request.user) or access.creator_for(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def library_staff_required(view):
    """Organisers and library staff only (not creators)."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def manageable_or_404(user, event):
    """Another library's objects answer 404: their existence is not ours to tell."""
    if not access.can_manage_event(user, event):
        raise Http404
    return event


def add_domain_error(form, error: DomainError) -> None:
    """Put a service's refusal on the form: on the field a pointer names, else on top."""
    placed = False
    for item in error.errors or []:
        name = (item.get("pointer") or "/").strip("/").split("/")[0]
        if name in form.fields:
            form.add_error(name, item.get("detail") or str(error))
            placed = True
    if not placed:
        form.add_error(None, str(error))
