"""Form helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: each message on its field when the form has
    one of that name, on the whole form otherwise. Services name fields by the names of
    their own arguments, which the forms reuse."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
