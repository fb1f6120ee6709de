"""Forms for changing an event's sessions from the staff workspace: cancel one session, move
one session, cancel the whole event. The services decide; these only carry the input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Room, Session
from staff.forms.common import _datetime_field


class CancelReasonForm(forms.Form):
    """The reason goes to every booker in the message that the meeting is off."""

    reason = forms.CharField(
        label=_("Skäl"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet står i meddelandet till alla som har bokat."),
    )


class SessionMoveForm(forms.Form):
    """A session's new time and room (of the event's library); capacity only if it changes."""

    start = _datetime_field(_("Börjar"), required=True)
    end = _datetime_field(_("Slutar"), required=True)
    room = forms.ModelChoiceField(label=_("Lokal"), queryset=Room.objects.none(), required=False)
    capacity = forms.IntegerField(
        label=_("Antal platser"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("Lämna tomt för att behålla antalet platser."),
    )

    def __init__(self, *args, session: Session, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "start": timezone.localtime(session.start),
                "end": timezone.localtime(session.end),
                "room": session.room_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["room"].queryset = Room.objects.filter(
            library_id=session.event.library_id, is_active=True
        ).order_by("name")

    def move_arguments(self) -> dict:
        """Keyword arguments for session_move: only what the form changes."""
        data = self.cleaned_data
        arguments = {"start": data["start"], "end": data["end"]}
        if data.get("room") is not None:
            arguments["room"] = data["room"]
        else:
            arguments["clear_room"] = self.session.room_id is not None
        if data.get("capacity") is not None and data["capacity"] != self.session.capacity:
            arguments["capacity"] = data["capacity"]
        return arguments
