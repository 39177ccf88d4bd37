"""The label of a coded value, in the reader's language, for pages, packets and forms.

Coded values (a risk level, a service type, a packet item) are stored as codes and shown
by the label of their vocabulary's choices. A code the vocabulary no longer knows (one
retired since it was recorded) is shown as the code itself rather than hidden: the page
stays true to what is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ChoicesLike = Any  # a ``models.Choices`` class, or (code, label) pairs


def _known(choices: ChoicesLike) -> dict[Any, Any]:
    return dict(getattr(choices, "choices", choices))


def label(value: Any, choices: ChoicesLike) -> str:
    """The label of ``value`` in ``choices``; "" for no value."""
    if value in (None, ""):
        return ""
    return str(_known(choices).get(value, value))


def labels(values: Iterable[Any] | None, choices: ChoicesLike) -> list[str]:
    """The labels of ``values``, in their order; [] for none."""
    known = _known(choices)
    return [str(known.get(value, value)) for value in values or []]
