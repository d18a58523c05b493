from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..health import check_all


@login_not_required
@never_cache
@require_GET
def health(request):
    """Public: database, cache, broker, worker heartbeat and beat's last run; 200 when
    all are fine, 503 otherwise. `?perimetre=web`: the first three only (for the load
    balancer's probe of the web processes)."""
    checks = check_all(web_only=request.GET.get("perimetre") == "web")
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
