"""The public site's forms. Field names are the API's booking fields (API.md, "Pages"), so that
scripts and assistive tools can rely on them, and the booker's details are checked by the
same functions as the API's (booking.validation, booking.services.booking_details), so both
refuse the same things with the same words.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import validation
from booking.errors import InvalidInput
from booking.models import AccessibilityNeed, Booking, Event
from booking.selectors.booking_target import event_books_whole_series
from booking.services.booking_details import (
    booking_contact_errors,
    booking_needs_consent_errors,
    booking_party_errors,
    booking_phone_clean,
)
from booking.services.bookings import booking_window_refusal
from web.form_errors import pointer_errors_to_form
from web.form_messages import CHILDREN_MESSAGES, COMPANION_MESSAGES, NAME_MESSAGES, SEATS_MESSAGES

NOTE_MAX_LENGTH = 1000
SCHOOL_MAX_LENGTH = 120
GRADE_MAX_LENGTH = 20


def _validation_error(exc: InvalidInput) -> forms.ValidationError:
    return forms.ValidationError([str(error["detail"]) for error in exc.errors] or [str(exc)])


class BookingForm(forms.Form):
    """A booking of one session (or of the whole series: `event`).

    The form checks shapes and contact details; the rules about seats, windows and the
    waitlist are booking_create's, whose errors the view puts beside the fields they name.
    """

    # Rendered by the template as radio buttons with each session's seats left.
    session = forms.IntegerField(label=_("Tillfälle"), required=False, min_value=1)
    event = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seats = forms.IntegerField(
        label=_("Antal platser"),
        min_value=1,
        max_value=999,
        initial=1,
        help_text=_("Alla i sällskapet, ledsagare och barn inräknade."),
        error_messages=SEATS_MESSAGES,
    )
    companion_seats = forms.IntegerField(
        label=_("Varav ledsagare"),
        min_value=0,
        max_value=999,
        initial=0,
        required=False,
        help_text=_("Personlig assistent eller ledsagare. Kostar inget, men tar en plats."),
        error_messages=COMPANION_MESSAGES,
    )
    children = forms.IntegerField(
        label=_("Varav barn under 18 år"),
        min_value=0,
        max_value=999,
        initial=0,
        required=False,
        error_messages=CHILDREN_MESSAGES,
    )
    name = forms.CharField(
        label=_("Namn"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=NAME_MESSAGES,
    )
    email = forms.CharField(
        label=_("E-post"),
        required=False,
        max_length=500,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobilnummer"),
        required=False,
        max_length=100,
        help_text=_("Till exempel 070-123 45 67. Från andra länder: med landsnummer, +358 …"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    sms_consent = forms.BooleanField(
        label=_("Ja, skicka bekräftelse och påminnelse som sms till mitt mobilnummer."),
        required=False,
        help_text=_("Du kan när som helst stänga av sms genom att svara STOP."),
    )
    language = forms.ChoiceField(
        label=_("Vilket språk ska vi skriva till dig på?"),
        choices=Booking.Language.choices,
        widget=forms.RadioSelect,
        initial=Booking.Language.SV,
    )
    accessibility_needs = forms.MultipleChoiceField(
        label=_("Behov av tillgänglighet"), required=False, widget=forms.CheckboxSelectMultiple
    )
    accessibility_note = forms.CharField(
        label=_("Annat vi behöver veta för att du ska kunna delta"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accessibility_consent = forms.BooleanField(
        label=_("Jag samtycker till att biblioteket sparar mina behov för det här evenemanget."),
        required=False,
    )
    school = forms.CharField(
        label=_("Skola"),
        required=False,
        max_length=SCHOOL_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    grade = forms.CharField(label=_("Årskurs"), required=False, max_length=GRADE_MAX_LENGTH)
    # A one-time key, made when the form is shown: a second submit of the same form (a double
    # click, a reload) finds the first booking instead of making another.
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, event: Event, sessions, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_obj = event
        self.series = event_books_whole_series(event)
        self.sessions = list(sessions)
        if self.series:
            del self.fields["session"]
        elif len(self.sessions) == 1 and not self.is_bound:
            self.initial.setdefault("session", self.sessions[0].pk)
        needs = list(needs if needs is not None else AccessibilityNeed.objects.all())
        self.needs = needs
        self.fields["accessibility_needs"].choices = [(n.code, n.name) for n in needs]

    # --- field cleaning: the same functions as the API ---------------------------------------
    def clean_session(self):
        value = self.cleaned_data.get("session")
        if self.series:
            return None
        if not value:
            raise forms.ValidationError(_("Välj ett tillfälle."), code="required")
        session = self.event_obj.sessions.filter(pk=value).first()
        if session is None:
            raise forms.ValidationError(_("Välj ett av tillfällena i listan."), code="invalid_choice")
        # The service checks these again inside its transaction; here they save a round trip
        # and give the same words.
        refusal = booking_window_refusal(event=self.event_obj, sessions=[session], now=timezone.now())
        if refusal is not None:
            raise forms.ValidationError(str(refusal.message), code=refusal.code)
        return session

    def clean_name(self):
        try:
            return validation.name_clean(self.cleaned_data.get("name"))
        except InvalidInput as exc:
            raise _validation_error(exc) from None

    def clean_email(self):
        try:
            return validation.email_clean(self.cleaned_data.get("email"))
        except InvalidInput as exc:
            raise _validation_error(exc) from None

    def clean(self):
        """The booker's details by the service's own rules (booking.services.booking_details),
        each error beside its field: the same words as the API's, all shown at once."""
        data = super().clean()
        email = data.get("email") or ""
        sms_consent = bool(data.get("sms_consent"))
        if "phone" in data:
            try:
                data["phone"] = booking_phone_clean(data["phone"], email=email, sms_consent=sms_consent)
            except InvalidInput as exc:
                pointer_errors_to_form(self, exc.errors)
        errors = []
        if data.get("seats"):
            errors += booking_party_errors(
                seats=data["seats"],
                companion_seats=data.get("companion_seats") or 0,
                children=data.get("children") or 0,
                event=self.event_obj,
            )
        if "email" in data and "phone" in data:
            errors += booking_contact_errors(email=email, phone=data["phone"], sms_consent=sms_consent)
        needs_given = bool(data.get("accessibility_needs") or (data.get("accessibility_note") or "").strip())
        errors += booking_needs_consent_errors(
            needs_given=needs_given, consent=bool(data.get("accessibility_consent"))
        )
        pointer_errors_to_form(self, errors)
        return data

    def booking_kwargs(self) -> dict:
        """The cleaned data as booking_create's keyword arguments."""
        data = self.cleaned_data
        return {
            "seats": data["seats"],
            "companion_seats": data.get("companion_seats") or 0,
            "children": data.get("children") or 0,
            "name": data["name"],
            "email": data.get("email") or "",
            "phone": data.get("phone") or "",
            "sms_consent": bool(data.get("sms_consent")),
            "language": data.get("language") or Booking.Language.SV,
            "accessibility_needs": tuple(data.get("accessibility_needs") or ()),
            "accessibility_note": (data.get("accessibility_note") or "").strip(),
            "accessibility_consent": bool(data.get("accessibility_consent")),
            "school": (data.get("school") or "").strip(),
            "grade": (data.get("grade") or "").strip(),
        }

    def needs_by_group(self):
        """[(group label, [bound checkbox, ...]), ...] in the five groups' order."""
        bound = {str(choice.data["value"]): choice for choice in self["accessibility_needs"]}
        groups = []
        for value, label in AccessibilityNeed.Group.choices:
            members = [bound[n.code] for n in self.needs if n.group == value and n.code in bound]
            if members:
                groups.append((value, label, members))
        return groups


class SeatsChangeForm(forms.Form):
    seats = forms.IntegerField(
        label=_("Antal platser"), min_value=1, max_value=999, error_messages=SEATS_MESSAGES
    )
    companion_seats = forms.IntegerField(
        label=_("Varav ledsagare"),
        min_value=0,
        max_value=999,
        required=False,
        error_messages=COMPANION_MESSAGES,
    )
    children = forms.IntegerField(
        label=_("Varav barn under 18 år"),
        min_value=0,
        max_value=999,
        required=False,
        error_messages=CHILDREN_MESSAGES,
    )

    # Whether the party adds up (companions, children, the event's maximum for an increase) is
    # booking_change's rule: the manage view puts its errors beside these fields.


class LostLinkForm(forms.Form):
    contact = forms.CharField(
        label=_("E-postadress eller mobilnummer"),
        max_length=254,
        help_text=_("Den du angav när du bokade."),
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_contact(self):
        raw = self.cleaned_data["contact"].strip()
        if "@" in raw:
            try:
                return ("email", validation.email_clean(raw, pointer="/contact"))
            except InvalidInput as exc:
                raise _validation_error(exc) from None
        try:
            return ("phone", validation.phone_normalize(raw, for_sms=False, pointer="/contact"))
        except InvalidInput:
            raise forms.ValidationError(
                _("Skriv en e-postadress (namn@exempel.se) eller ett mobilnummer (070-123 45 67).")
            ) from None
