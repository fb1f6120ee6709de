"""Changing an event's sessions: cancel one meeting, move one meeting, cancel the whole event.
Each is a confirmation page with a form (no JavaScript); the events services decide and tell
the bookers through the outbox."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from booking.errors import DomainError
from booking.models import Event, Session
from booking.services.events import event_cancel, session_cancel, session_move
from staff.session_forms import CancelReasonForm, SessionMoveForm
from staff.views.common import add_domain_error, library_staff_required, manageable_or_404
from staff.views.sessions import _session


@library_staff_required
def session_cancel_page(request, pk: int):
    session = _session(request.user, pk)
    if session.status == Session.Status.CANCELLED or session.event.status == Event.Status.CANCELLED:
        messages.info(request, _("Tillfället är redan inställt."))
        return redirect("staff:participants", pk=session.pk)
    form = CancelReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Tillfället är inställt och alla som bokat har fått besked."))
            return redirect("staff:event", pk=session.event_id)
    return render(request, "staff/session_cancel.html", {"session": session, "form": form})


@library_staff_required
def session_move_page(request, pk: int):
    session = _session(request.user, pk)
    if session.status == Session.Status.CANCELLED or session.event.status == Event.Status.CANCELLED:
        messages.error(request, _("Tillfället är inställt och kan inte flyttas."))
        return redirect("staff:participants", pk=session.pk)
    form = SessionMoveForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            moved = session_move(session=session, actor=request.user, **form.move_arguments())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if moved.sequence != session.sequence:
                messages.success(request, _("Tillfället är flyttat och alla som bokat har fått besked."))
            else:
                messages.success(request, _("Ändringarna är sparade."))
            return redirect("staff:event", pk=session.event_id)
    return render(request, "staff/session_move.html", {"session": session, "form": form})


@library_staff_required
def event_cancel_page(request, pk: int):
    event = manageable_or_404(
        request.user, get_object_or_404(Event.objects.select_related("library", "room"), pk=pk)
    )
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("Evenemanget är redan inställt."))
        return redirect("staff:event", pk=event.pk)
    form = CancelReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event_cancel(event=event, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Evenemanget är inställt och alla som bokat har fått besked."))
            return redirect("staff:event", pk=event.pk)
    sessions = event.sessions.filter(status=Session.Status.SCHEDULED).order_by("start")
    return render(
        request,
        "staff/event_cancel.html",
        {"event": event, "form": form, "sessions": sessions},
    )
