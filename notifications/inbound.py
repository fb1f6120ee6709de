"""Replies that reach us by SMS: opt-out, opt-in and help keywords, mirrored in our own records
whatever Twilio does itself.

Twilio handles the English keywords on its own (it blocks or unblocks the number and replies):
STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; START, YES, UNSTOP; HELP, INFO.
With Advanced Opt-Out on a Messaging Service it also handles the keywords configured there
(STOPP, AVSLUTA: see the README) and marks the webhook with OptOutType (STOP, START or HELP).
So: where Twilio has replied (an English keyword, or any OptOutType) we answer with an empty
TwiML <Response/>; where it has not (STOPP or AVSLUTA without Advanced Opt-Out) we reply in
Swedish. Like Twilio, only a message that is exactly the keyword counts ("Stopp!" does, "stopp
tack" does not).

Only START (or the manage page's opt-in) lifts an opt-out in our records (API.md). YES and
UNSTOP lift Twilio's own block but not ours: "yes" is too common a reply to mean consent.
"""

import logging

from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import OptOut
from notifications.services import sms_opt_in, sms_opt_out

logger = logging.getLogger("notifications.inbound")

TWILIO_OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
TWILIO_OPT_IN = {"START", "YES", "UNSTOP"}
TWILIO_HELP = {"HELP", "INFO"}
SWEDISH_OPT_OUT = {"STOPP", "AVSLUTA"}
SWEDISH_HELP = {"HJÄLP", "HJALP"}
LIFTS_OPT_OUT = {"START"}


def keyword(body: str) -> str:
    return " ".join(body.split()).strip(" .!").upper()


def inbound_sms_handle(*, phone: str, body: str, opt_out_type: str = "") -> str:
    """Record what the message means; return the reply to send ("" for none)."""
    word = keyword(body)
    marked = opt_out_type.strip().upper()
    twilio_replied = bool(marked) or word in TWILIO_OPT_OUT | TWILIO_OPT_IN | TWILIO_HELP
    if not phone:
        return ""
    with translation.override("sv"):
        if marked == "STOP" or word in TWILIO_OPT_OUT | SWEDISH_OPT_OUT:
            sms_opt_out(phone, OptOut.Source.SMS_KEYWORD)
            if twilio_replied:
                return ""
            return _("Du får inga fler sms från Läsrum. Skicka START om du vill få sms igen.")
        if word in LIFTS_OPT_OUT:
            sms_opt_in(phone, OptOut.Source.SMS_KEYWORD)
            return ""  # Twilio confirms START itself
        if marked == "START" or word in TWILIO_OPT_IN:
            logger.info("opt-in keyword %r from a number: only START lifts our opt-out", word)
            return ""
        if marked == "HELP" or word in TWILIO_HELP | SWEDISH_HELP:
            if twilio_replied:
                return ""
            return _(
                "Läsrum skickar bokningsbesked och påminnelser från biblioteken. Skicka STOPP för att "
                "sluta få sms. Frågor om en bokning: kontakta biblioteket."
            )
    return ""
