"""A creator's own pages: their visits (coming and past) and their profile."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import access
from booking.errors import DomainError
from booking.selectors.creator_visits import creator_visits
from booking.services.creators import creator_profile_update
from staff.creator_forms import CreatorProfileForm
from staff.views.common import add_domain_error, staff_required


def _own_creator(request):
    creator = access.creator_for(request.user)
    if creator is None:
        raise PermissionDenied
    return creator


@staff_required
def my_visits(request):
    creator = _own_creator(request)
    upcoming, past = creator_visits(creator=creator, now=timezone.now())
    return render(request, "staff/my_visits.html", {"creator": creator, "upcoming": upcoming, "past": past})


@staff_required
def my_profile(request):
    creator = _own_creator(request)
    form = CreatorProfileForm(request.POST or None, initial=CreatorProfileForm.initial_for(creator))
    if request.method == "POST" and form.is_valid():
        try:
            creator_profile_update(creator=creator, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Din profil är sparad."))
            return redirect("staff:my-profile")
    return render(request, "staff/my_profile.html", {"creator": creator, "form": form})
