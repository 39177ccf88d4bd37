from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from operations.health import healthy, run_checks

logger = logging.getLogger("amparo.health")


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """200 "ok" or 503 "unavailable" for the proxy and monitoring; the why goes to the log
    (and ``amparo health``), never to the public."""
    checks = run_checks()
    if healthy(checks):
        return HttpResponse("ok\n", content_type="text/plain")
    failing = ", ".join(f"{c.name}: {c.detail or 'failing'}" for c in checks if not c.ok)
    logger.warning("health check failing: %s", failing)
    return HttpResponse("unavailable\n", status=503, content_type="text/plain")
