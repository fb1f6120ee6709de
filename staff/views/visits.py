"""The request inbox: new requests, their transitions, and the creators directory."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking import access
from booking.api.people import CreatorFilter, creator_queryset
from booking.errors import DomainError
from booking.models import VisitRequest
from booking.services import availability
from booking.services import visit_requests as visits
from staff import selectors
from staff.forms import TRANSITION_FORMS, AcceptForm, ApproveForm, OfferForm, VisitRequestForm
from staff.views.common import add_domain_error, library_staff_required, staff_required


def _requests(user):
    return access.visible_visit_requests(
        user,
        VisitRequest.objects.select_related("library", "creator", "offered_creator", "chosen_date_option"),
    )


@staff_required
def inbox(request):
    wanted = request.GET.get("status", "")
    queryset = _requests(request.user).order_by("-created_at")
    if wanted in VisitRequest.Status.values:
        queryset = queryset.filter(status=wanted)
    return render(
        request,
        "staff/visits.html",
        {
            "requests": queryset[:200],
            "statuses": VisitRequest.Status.choices,
            "wanted": wanted,
            "may_create": access.is_staff_member(request.user),
        },
    )


@library_staff_required
def visit_new(request):
    libraries = selectors.managed_libraries(request.user)
    default_format = VisitRequestForm.base_fields["format"].choices[0][0]
    form = VisitRequestForm(
        request.POST or None,
        libraries=libraries,
        suggested_fee=visits.fee_suggest(format=default_format, duration_minutes=60),
    )
    suggested = None
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            created = visits.visit_request_create(
                actor=request.user, library=fields.pop("library"), format=fields.pop("format"), **fields
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Förfrågan är sparad som utkast. Skicka in den när den är klar."))
            return redirect("staff:visit", pk=created.pk)
    if form.is_bound and form.is_valid():
        suggested = visits.fee_suggest(
            format=form.cleaned_data["format"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            lessons=form.cleaned_data.get("lessons"),
        )
    fees = [
        (label, visits.fee_suggest(format=fmt, duration_minutes=60))
        for fmt, label in VisitRequest.Format.choices
    ]
    return render(
        request,
        "staff/visit_new.html",
        {"form": form, "suggested": suggested, "fees": fees, "fee_table": visits.author_fees()},
    )


def _transition_form(name, visit, suggested, data=None):
    form_class = TRANSITION_FORMS[name]
    if form_class is AcceptForm or form_class is OfferForm:
        return form_class(data, visit_request=visit, prefix=name)
    if form_class is ApproveForm:
        return form_class(data, visit_request=visit, suggested=suggested, prefix=name)
    return form_class(data, prefix=name)


def _suggested(visit):
    return visits.fee_suggest(
        format=visit.format, duration_minutes=visit.duration_minutes, lessons=visit.lessons
    )


def _visit(user, pk):
    visit = _requests(user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


@staff_required
def visit_detail(request, pk: int, forms=None):
    visit = _visit(request.user, pk)
    allowed = visits.allowed_transitions(visit_request=visit, user=request.user)
    suggested = _suggested(visit)
    forms = forms or {}
    transition_forms = []
    offer_warnings = []
    for name in allowed:
        form = forms.get(name) or _transition_form(name, visit, suggested)
        transition_forms.append((name, visits.transition_button(name), form))
        if name == "offer":
            chosen = form["creator"].value() if form.is_bound else form.fields["creator"].initial
            creator = (
                form.fields["creator"].queryset.filter(pk=chosen).first()
                if str(chosen or "").isdigit()
                else None
            )
            offer_warnings = visits.offer_warnings(visit_request=visit, creator=creator)
    as_creator = access.sees_visit_as_creator(request.user, visit)
    conflicts = {}
    if visit.status == VisitRequest.Status.OFFERED and visit.offered_creator_id:
        for option in visit.date_options.all():
            conflicts[option.pk] = availability.creator_conflicts(
                creator=visit.offered_creator,
                start=option.start,
                end=option.end,
                municipality=visit.library.municipality,
                digital=visit.format == VisitRequest.Format.DIGITAL,
            )
    history = visits.visit_history(visit_request=visit, show_offers=not as_creator)
    return render(
        request,
        "staff/visit.html",
        {
            "visit": visit,
            "transition_forms": transition_forms,
            "conflicts": conflicts,
            "history": history,
            "suggested": suggested,
            "offer_warnings": offer_warnings,
            "as_creator": as_creator,
            "show_money": not as_creator,
            "vat_applies": visits.visit_vat_applies(visit_request=visit),
        },
    )


@require_POST
@staff_required
def visit_transition(request, pk: int, transition: str):
    visit = _visit(request.user, pk)
    if transition not in visits.TRANSITIONS:
        raise Http404
    form = _transition_form(transition, visit, _suggested(visit), data=request.POST)
    if form.is_valid():
        params = dict(form.cleaned_data)
        if transition == "accept":
            params["date_option"] = int(params["date_option"])
        try:
            visits.visit_request_transition(
                visit_request=visit, actor=request.user, transition=transition, **params
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Klart: förfrågan är nu %(status)s.") % {"status": _visit_status(pk)})
            if access.visible_visit_requests(request.user).filter(pk=pk).exists():
                return redirect("staff:visit", pk=pk)
            return redirect("staff:visits")
    response = visit_detail(request, pk, forms={transition: form})
    response.status_code = 400
    return response


def _visit_status(pk) -> str:
    return VisitRequest.objects.get(pk=pk).get_status_display().lower()


@staff_required
def creators(request):
    queryset = creator_queryset(request.user)
    filterset = CreatorFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return render(
        request,
        "staff/creators.html",
        {
            "filter": filterset,
            "creators": results[:200],
            "show_private": access.can_see_creator_private(request.user),
        },
    )
