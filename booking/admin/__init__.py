"""The Django admin, for regional organisers: every model, in Swedish, with filters, search and
inlines. Events and sessions save through the events services (booking.admin.event_saves), so
an edit here gets the API's checks, messages and audit entry; other writes that must go through
the domain rules (seats, state machines, notifications) are read-only here and done on the staff
pages or through the API instead."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booking.admin import audit, bookings, codes, events, people, places, queue, visits  # noqa: F401

admin.site.site_header = _("Läsrum – administration")
admin.site.site_title = _("Läsrum")
admin.site.index_title = _("Administration")
