"""What the providers call (delivery receipts, replies) and the reader's one-click stop. The
providers' calls are refused with 403 unless signed as each provider documents."""

import json
import logging

import phonenumbers
from django.conf import settings
from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import receipts
from .services import inbound_record, phone_stop, receipt_record

logger = logging.getLogger(__name__)


def _e164(raw: str) -> str:
    """A provider's number (``22670123456`` or ``+22670123456``) in E.164, or ""."""
    try:
        number = phonenumbers.parse("+" + raw.strip().lstrip("+"))
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request):
    """Meta's WhatsApp webhook: the subscription's check (GET), then statuses and messages."""
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and constant_time_compare(request.GET.get("hub.verify_token", ""), token)
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden(_("This webhook's verify token is wrong."))
    body = request.body
    if not receipts.meta_signature_ok(body, request.headers.get("X-Hub-Signature-256", "")):
        logger.warning("WhatsApp webhook refused: bad signature")
        return HttpResponseForbidden(_("The signature of this request is wrong."))
    try:
        statuses, messages = receipts.meta_events(json.loads(body))
    except ValueError:
        return HttpResponseBadRequest(_("This request is not a WhatsApp webhook."))
    for status in statuses:
        if state := receipts.META_STATES.get(status.get("status")):
            receipt_record(
                provider="meta",
                provider_id=str(status.get("id", ""))[:200],
                state=state,
                reason=receipts.meta_reason(status),
            )
    for message in messages:
        if number := _e164(str(message.get("from", ""))):
            inbound_record(number=number, text=receipts.meta_text(message), source="whatsapp")
    return HttpResponse("ok", content_type="text/plain")


def _twilio_checked(request) -> dict | None:
    """The POST parameters if Twilio signed them for the URL it called (our SITE_URL's)."""
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    params = {key: request.POST.get(key, "") for key in request.POST}
    if not receipts.twilio_signature_ok(url, params, request.headers.get("X-Twilio-Signature", "")):
        logger.warning("Twilio webhook refused: bad signature")
        return None
    return params


@csrf_exempt
@require_http_methods(["POST"])
def twilio_status(request):
    """Twilio's status callback of an SMS we sent."""
    params = _twilio_checked(request)
    if params is None:
        return HttpResponseForbidden(_("The signature of this request is wrong."))
    if state := receipts.TWILIO_STATES.get(params.get("MessageStatus", "")):
        code = params.get("ErrorCode", "")
        receipt_record(
            provider="twilio",
            provider_id=params.get("MessageSid", "")[:200],
            state=state,
            reason=f"SMS {params.get('MessageStatus')} {code}".strip(),
        )
    return HttpResponse(status=204)


@csrf_exempt
@require_http_methods(["POST"])
def twilio_inbound(request):
    """An SMS a reader sent to our number (a STOP, most often). Answers empty TwiML: Twilio's own
    opt-out handling confirms a STOP to the reader."""
    params = _twilio_checked(request)
    if params is None:
        return HttpResponseForbidden(_("The signature of this request is wrong."))
    if number := _e164(params.get("From", "")):
        inbound_record(number=number, text=params.get("Body", ""), source="sms")
    return HttpResponse("<Response/>", content_type="text/xml")


@require_http_methods(["GET", "POST"])
def stop(request, token: str):
    """The link at the end of each WhatsApp message or SMS: one click (the page's button, since
    a link preview opens the page by itself) stops them all."""
    try:
        number = signing.loads(token, salt="outbox.stop")
    except signing.BadSignature:
        return render(request, "outbox/stop.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        phone_stop(number=number, source="link")
        done = True
    masked = number[:4] + "•" * max(len(number) - 6, 0) + number[-2:]
    return render(request, "outbox/stop.html", {"number": masked, "done": done})
