"""Send the wrapped data keys to their own database alias, ``keys``.

Keeping them apart lets an operator give the key database a short backup retention:
once a survivor's key is shredded, no backup of the main database can be read for her.

A small deployment may point ``keys`` at the very database of ``default`` (PostgreSQL
only: two SQLite connections on one file would lock each other, check vault.E003). The
key table is then created by the ordinary ``migrate``; the ``keys`` alias still gets its
own connection, so keys commit independently of the main transaction either way.
"""

from __future__ import annotations

from typing import Any

KEYS_ALIAS = "keys"
_KEY_MODELS = {"datakey"}


def _is_key_model(app_label: str, model_name: str | None) -> bool:
    return app_label == "vault" and (model_name or "").lower() in _KEY_MODELS


def _is_keys_database(db: str) -> bool:
    """Whether alias ``db`` is the keys alias or the same physical database."""
    from django.db import connections

    if db == KEYS_ALIAS:
        return True
    ours, keys = connections[db].settings_dict, connections[KEYS_ALIAS].settings_dict
    # While the test runner builds ``default``'s test database, ``keys`` still carries its
    # production name, so its test name counts as the same database too.
    keys_test_name = (keys.get("TEST") or {}).get("NAME") or f"test_{keys['NAME']}"
    keys_names = {str(keys["NAME"]), str(keys_test_name)}
    return (
        ours["ENGINE"] == keys["ENGINE"]
        and all(str(ours.get(part) or "") == str(keys.get(part) or "") for part in ("HOST", "PORT"))
        and str(ours["NAME"]) in keys_names
    )


class KeysRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _is_key_model(model._meta.app_label, model._meta.model_name):
            return KEYS_ALIAS
        return None

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        if _is_key_model(app_label, model_name):
            return _is_keys_database(db)
        return db != KEYS_ALIAS
