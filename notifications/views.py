"""Twilio's webhooks. Both are POST, CSRF-exempt (Twilio cannot send a token) and signed: the
X-Twilio-Signature is checked with twilio's RequestValidator against exactly
PUBLIC_BASE_URL + path + query string (the URL Twilio was given), so a forged or missing
signature is a 403. Behind a proxy, PUBLIC_BASE_URL must be the public https address."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import inbound, services
from notifications.sms.twilio_backend import signature_valid

logger = logging.getLogger("notifications.webhooks")


def _signed(request) -> bool:
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    return signature_valid(url, request.POST, request.headers.get("X-Twilio-Signature", ""))


def _twiml(message: str = "") -> HttpResponse:
    from xml.sax.saxutils import escape

    body = f"<Message>{escape(message)}</Message>" if message else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', content_type="text/xml"
    )


@csrf_exempt
@require_POST
def twilio_inbound(request):
    if not _signed(request):
        return HttpResponseForbidden("invalid signature")
    reply = inbound.inbound_sms_handle(
        phone=request.POST.get("From", ""),
        body=request.POST.get("Body", ""),
        opt_out_type=request.POST.get("OptOutType", ""),
    )
    return _twiml(reply)


@csrf_exempt
@require_POST
def twilio_status(request):
    if not _signed(request):
        return HttpResponseForbidden("invalid signature")
    raw_id = request.GET.get("n", "")
    services.delivery_report_apply(
        notification_id=int(raw_id) if raw_id.isdigit() else None,
        provider_id=request.POST.get("MessageSid", "") or request.POST.get("SmsSid", ""),
        provider_status=request.POST.get("MessageStatus", "") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
