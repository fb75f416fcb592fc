from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language

from accounts.services import user_set_language

from .health import run_checks


@never_cache
def healthz(request):
    """Liveness and readiness for load balancers, docker compose and monitoring: the database
    and the cache answer, and no e-mail has waited too long (core/health.py); 503 otherwise."""
    healthy, body = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503
    )


def language_set(request):
    """Django's set_language, plus the choice is kept on the account of a signed-in user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return set_language(request)
