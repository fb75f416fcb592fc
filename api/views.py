"""Staff pages of the API tokens: make one (shown once), revoke one, see its uses."""

from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.permissions import staff_required

from . import services
from .forms import TokenForm
from .models import ApiToken

USES_SHOWN = 200


@staff_required
@never_cache
def tokens(request):
    form = TokenForm(request.POST or None)
    created = raw = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            day = form.cleaned_data["expires_on"]
            expires = timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))
            try:
                created, raw = services.token_create(
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=expires,
                    by=request.user,
                )
            except services.ApiTokenError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                form = TokenForm()  # the page shows the secret once, never again
        else:
            status = 400
    rows = ApiToken.objects.select_related("created_by", "revoked_by")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows, "created": created, "raw": raw, "now": timezone.now()},
        status=status,
    )


@staff_required
def token_detail(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("created_by", "revoked_by"), pk=pk)
    uses = token.uses.all()[:USES_SHOWN]
    return render(request, "api/token_detail.html", {"token": token, "uses": uses})


@staff_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        services.token_revoke(token=token, by=request.user)
    except services.ApiTokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    response = redirect("api_tokens:detail", pk=token.pk)
    response.status_code = 303
    return response
