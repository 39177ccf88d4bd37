"""Deployment checks (``amparo check --deploy``): errors, because each one breaks a
promise of a real deployment rather than a nicety."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@register(deploy=True)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    try:
        from audit.checkpoints import signing_key

        signing_key()
    except ImproperlyConfigured as error:
        errors.append(Error(
            f"The access log cannot be checkpointed: {error}",
            hint="amparo audit_checkpoint --new-key > /etc/amparo/audit-signing-key.pem",
            id="amparo.E101",
        ))
    if not settings.AMPARO_SITE_URL.startswith("https://"):
        errors.append(Error(
            "AMPARO_SITE_URL is empty or not https: links in invitations and notifications "
            "would not reach the site.",
            hint="AMPARO_SITE_URL=https://amparo.example.org", id="amparo.E102",
        ))
    smtp = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    if smtp and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL) and (
        settings.EMAIL_HOST not in LOOPBACK
    ):
        errors.append(Error(
            f"Mail to {settings.EMAIL_HOST} would travel without TLS.",
            hint="Set EMAIL_USE_TLS=1 (STARTTLS) or EMAIL_USE_SSL=1, or relay through a mail "
                 "server on this machine (EMAIL_HOST=localhost).", id="amparo.E103",
        ))
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        errors.append(Error("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.", id="amparo.E104"))
    return errors
