"""Send the wrapped data keys to their own database alias, ``keys``.

Keeping them apart lets an operator give the key database a short backup retention:
once a survivor's key is shredded, no backup of the main database can be read for her.
"""

from __future__ import annotations

from typing import Any

KEYS_ALIAS = "keys"
_KEY_MODELS = {"datakey"}


def _is_key_model(app_label: str, model_name: str | None) -> bool:
    return app_label == "vault" and (model_name or "").lower() in _KEY_MODELS


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
            return db == KEYS_ALIAS
        return db != KEYS_ALIAS
