from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .health import run_checks


@never_cache
def healthz_live(request):
    """Liveness: the process answers requests. It checks nothing else, so that an orchestrator
    restarts a stuck process, not every process when the database or the mail is down."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz(request):
    """Readiness, for load balancers, docker compose and monitoring: the database, the cache and
    the broker answer, and no e-mail has waited too long (core/health.py); 503 otherwise."""
    healthy, body = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503
    )
