"""Accounts (organisers only): invite staff and creators, deactivate leavers."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking import access
from booking.errors import DomainError
from booking.models import StaffRole
from booking.services.accounts import staff_deactivate, staff_invite
from staff.forms import InviteForm
from staff.views.common import staff_required


def _organiser_only(user):
    if not access.is_organiser(user):
        raise PermissionDenied


@staff_required
def accounts(request):
    _organiser_only(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("En inbjudan har skickats till %(email)s.") % {"email": user.email})
            return redirect("staff:accounts")
    User = get_user_model()
    people = (
        User.objects.filter(staff_roles__isnull=False)
        .distinct()
        .prefetch_related("staff_roles__library", "staff_roles__creator")
        .order_by("-is_active", "username")
    )
    return render(request, "staff/accounts.html", {"form": form, "people": people, "Role": StaffRole.Role})


@require_POST
@staff_required
def deactivate(request, pk: int):
    _organiser_only(request.user)
    user = get_object_or_404(get_user_model(), pk=pk)
    try:
        staff_deactivate(actor=request.user, user=user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s kan inte längre logga in.") % {"name": user.get_username()})
    return redirect("staff:accounts")
