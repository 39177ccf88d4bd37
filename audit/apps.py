from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from audit import checks  # noqa: F401  (registers the system checks)
        from audit.append_only import register_sqlite_functions

        # The append-only triggers call this function on SQLite (audit/append_only.py).
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="amparo-audit-sqlite-functions"
        )
