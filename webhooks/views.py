"""Staff pages of the webhooks: subscribe a URL to events, edit it, replace its secret, follow
and resend deliveries."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.permissions import staff_required

from . import selectors, services
from .forms import EndpointEditForm, EndpointForm, SecretRotateForm
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


def _edit_form(endpoint, data=None) -> EndpointEditForm:
    fields = ("url", "events", "description", "active")
    return EndpointEditForm(data, initial={name: getattr(endpoint, name) for name in fields})


def _edit_page(request, endpoint, *, form=None, rotate_form=None, secret=None, status=200):
    return render(
        request,
        "webhooks/endpoint_edit.html",
        {
            "endpoint": endpoint,
            "form": form or _edit_form(endpoint),
            "rotate_form": rotate_form or SecretRotateForm(),
            "secret": secret,
        },
        status=status,
    )


@staff_required
@never_cache
def endpoint_edit(request, pk):
    """Staff change the address, the events, the description or the state of an endpoint; the
    same page replaces its signing secret (``endpoint_secret_rotate``)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = _edit_form(endpoint, request.POST or None)
    if request.method != "POST":
        return _edit_page(request, endpoint, form=form)
    if form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except services.WebhookError as exc:
            form.add_error("url", str(exc))
        else:
            messages.success(request, _("The endpoint is saved."))
            return _see_other("webhooks:endpoint", endpoint.pk)
    return _edit_page(request, endpoint, form=form, status=400)


@staff_required
@never_cache
@require_POST
def endpoint_secret_rotate(request, pk):
    """A new signing secret, shown once on the page that answers (never in a redirect)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    rotate_form = SecretRotateForm(request.POST)
    if rotate_form.is_valid():
        grace = timedelta(seconds=rotate_form.cleaned_data["grace"])
        try:
            endpoint, secret = services.endpoint_secret_rotate(endpoint=endpoint, grace=grace)
        except services.WebhookError as exc:
            rotate_form.add_error("grace", str(exc))
        else:
            return _edit_page(request, endpoint, secret=secret)
    return _edit_page(request, endpoint, rotate_form=rotate_form, status=400)


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
