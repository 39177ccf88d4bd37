from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import context

request_logger = logging.getLogger("amparo.request")


class RequestIdMiddleware:
    """Give every request an id that its audit events and the response both carry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = context.bind(
            context.RequestContext(
                request_id=request_id, source_address=request.META.get("REMOTE_ADDR") or None
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.unbind(token)
        response["X-Request-ID"] = request_id
        # One line per request, naming the page by its URL pattern, never the path as
        # sent: a query string may hold what someone typed into a search box (a name), and
        # a path may hold a one-time secret (an invitation link's token). A path that
        # matched no page is not repeated either.
        match = getattr(request, "resolver_match", None)
        page = f"/{match.route}" if match is not None else "(no page)"
        request_logger.info(
            "%s %s %s %s %.0fms", request_id, request.method, page,
            response.status_code, (time.monotonic() - started) * 1000,
        )
        return response
