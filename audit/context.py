"""The request an audit event belongs to, carried in a context variable.

Services take an ``actor``, not a request; the request id and source address still
reach their events through this context, set by ``RequestIdMiddleware``.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    source_address: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "amparo_request_context", default=None
)


def current() -> RequestContext | None:
    return _current.get()


def bind(context: RequestContext) -> contextvars.Token:
    return _current.set(context)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)
