"""The floor of bench/load.py: the same pages, minus opening sealed values and events.

A request to ``/bench-floor/<path>`` is served as ``/<path>`` (the same URL pattern,
view, scoped queries, forms, services, template and session work), with three things
switched off for that request only:

- opening a sealed value (``vault.services.unseal_value``: the data key's query in the
  keys database, its unwrapping and the decryption; a fixed stand-in is shown instead)
  and the batch of data keys a list page fetches (``vault.services.preload_data_keys``);
- writing access events (``audit.services._insert`` and ``_insert_many``, the one
  writer's two INSERTs: an event gets a made-up id and no row);
- sealing them into the hash chain (``audit.chain.schedule_seal(s)``).

Sealing new values on a write (a note, an intake) still happens: the floor stores the
same rows. gunicorn runs sync workers (one request at a time per process), and the switch
is a context variable, so a floor request never changes a real one running beside it.
Mounted only by bench/load_settings.py; the product never imports this module.
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PREFIX = "/bench-floor"
_floor = contextvars.ContextVar("bench_floor", default=False)
_made_up_ids = itertools.count(-1, -1)  # never a real event's id


def _stand_in(binding) -> str:
    """A value of the shape the page expects, without opening anything."""
    name = binding.field_name
    if name in ("guardian", "packet"):
        return "{}"
    if "date" in name:
        return "2000-01-01"
    return "—"


def install() -> Callable[[], None]:
    """Put the switches in place (idempotent); returns what puts the originals back."""
    import audit.chain
    from audit import services as audit_services
    from vault import services as vault_services

    if getattr(vault_services, "_bench_floor_undo", None):
        return vault_services._bench_floor_undo
    real_unseal, real_preload = vault_services.unseal_value, vault_services.preload_data_keys
    real_insert, real_insert_many = audit_services._insert, audit_services._insert_many
    real_seal, real_seals = audit.chain.schedule_seal, audit.chain.schedule_seals

    def unseal_value(owner_id, binding, sealed, *, actor=None):
        if _floor.get():
            return _stand_in(binding)
        return real_unseal(owner_id, binding, sealed, actor=actor)

    def preload_data_keys(*args, **kwargs):
        if _floor.get():
            return None
        return real_preload(*args, **kwargs)

    def insert(connection, fields, row):
        if _floor.get():
            return next(_made_up_ids)
        return real_insert(connection, fields, row)

    def insert_many(connection, fields, rows):
        if _floor.get():
            return sorted(next(_made_up_ids) for _ in rows)
        return real_insert_many(connection, fields, rows)

    def schedule_seal(event_id, **kwargs):
        if not _floor.get():
            real_seal(event_id, **kwargs)

    def schedule_seals(event_ids, **kwargs):
        if not _floor.get():
            real_seals(event_ids, **kwargs)

    # Module attributes, looked up at every call (``vault.unseal_value``, ``chain.…``).
    vault_services.unseal_value = unseal_value
    vault_services.preload_data_keys = preload_data_keys
    audit_services._insert, audit_services._insert_many = insert, insert_many
    audit.chain.schedule_seal, audit.chain.schedule_seals = schedule_seal, schedule_seals

    def undo() -> None:
        vault_services.unseal_value = real_unseal
        vault_services.preload_data_keys = real_preload
        audit_services._insert, audit_services._insert_many = real_insert, real_insert_many
        audit.chain.schedule_seal, audit.chain.schedule_seals = real_seal, real_seals
        vault_services._bench_floor_undo = None

    vault_services._bench_floor_undo = undo
    return undo


class FloorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        install()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX + "/"):
            return self.get_response(request)
        request.path_info = request.path_info[len(PREFIX) :]
        request.path = request.path[len(PREFIX) :]
        token = _floor.set(True)
        try:
            return self.get_response(request)
        finally:
            _floor.reset(token)
