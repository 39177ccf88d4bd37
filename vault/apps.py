from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Vault")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vault import checks, keyring  # noqa: F401 - registers the system checks

        # Here rather than in a system check: ready() runs in every process (gunicorn,
        # workers, every command), checks only in some. Without keys, production stops
        # with ImproperlyConfigured saying what to set.
        keyring.load()
        connection_created.connect(_secure_delete_on_keys_database)


def _secure_delete_on_keys_database(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Zero deleted bytes in the SQLite keys file, so shredded keys leave no trace there."""
    from vault.routers import KEYS_ALIAS

    if connection.alias == KEYS_ALIAS and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
