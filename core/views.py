from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .health import run_checks


@never_cache
def healthz(request):
    """Liveness and readiness for load balancers, docker compose and monitoring: the database
    and the cache answer, and no e-mail has waited too long (core/health.py); 503 otherwise."""
    healthy, body = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503
    )
