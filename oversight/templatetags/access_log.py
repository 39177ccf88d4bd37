"""How the auditor's pages name what an event stores as a code.

An event keeps the actor's role as the code it was then (``audit`` knows nothing of
``accounts``); the label in the reader's language is found here, above both.
"""

from __future__ import annotations

from django import template

from accounts.models import Role
from oversight import purposes

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The role's name in the reader's language; a code no longer known, as stored."""
    try:
        return str(Role(code).label)
    except ValueError:
        return code


@register.filter
def purpose_label(code: str) -> str:
    """What an event's stored purpose code means, in the reader's language."""
    return purposes.purpose_label(code)
