from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running Amparo: the worker and its periodic jobs, the health URL, backups, and the
    deployment checks. It sits at the top of the app stack (it may import any app)."""

    name = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from operations import checks  # noqa: F401 - registers the deployment checks
