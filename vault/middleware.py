from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vault.scope import key_scope


class KeyCacheMiddleware:
    """Cache opened data keys for one request only, then drop them.

    Place it after ``audit.middleware.RequestIdMiddleware`` so that vault events written
    when the request ends still carry the request id. Streaming responses of sealed files
    keep the one key they need inside their own generator.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_scope():
            return self.get_response(request)
