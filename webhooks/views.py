"""Staff pages of the webhooks: subscribe a URL to events, follow and resend deliveries."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.permissions import staff_required

from . import selectors, services
from .forms import EndpointForm
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _see_other(to, *args):
    response = redirect(to, *args)
    response.status_code = 303
    return response


@staff_required
@never_cache
def endpoints(request):
    form = EndpointForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = services.endpoint_create(
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                    by=request.user,
                )
            except services.WebhookError as exc:
                form.add_error("url", str(exc))
                status = 400
            else:
                form = EndpointForm()
        else:
            status = 400
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "form": form,
            "endpoints": selectors.endpoints(),
            "created": created,
            "secret": secret,
        },
        status=status,
    )


@staff_required
def endpoint_detail(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    status = request.GET.get("status", "")
    page = Paginator(selectors.endpoint_deliveries(endpoint=endpoint, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "page": page, "statuses": DeliveryStatus.choices, "status": status},
    )


@staff_required
@require_POST
def endpoint_toggle(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoint = services.endpoint_active_set(endpoint=endpoint, active=not endpoint.active)
    if endpoint.active:
        messages.success(request, _("The endpoint receives events again."))
    else:
        messages.success(request, _("The endpoint is paused: it receives no new event."))
    return _see_other("webhooks:endpoint", endpoint.pk)


@staff_required
@require_POST
def delivery_retry(request, pk):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        services.delivery_retry(delivery=delivery)
    except services.WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The event is queued again."))
    return _see_other("webhooks:endpoint", delivery.endpoint_id)
