"""Parsing opened values defensively.

A sealed value opens to text; a page that needs a date, a number or a JSON object from
it must not fail when the text is not one (an old format, a bug, a hand-edited import).
Failing would answer 500 and write the parser's message, which quotes the value, to the
server log (``ValueError: Invalid isoformat string: '<her birth date>'``). These return
a fallback instead and never raise.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any


def as_date(text: str | bytes | None) -> date | None:
    """``date.fromisoformat(text)``, or None when the text is empty or not a date."""
    try:
        return date.fromisoformat(text) if text else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def as_int(text: str | bytes | None) -> int | None:
    try:
        return int(text) if text else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def as_json_object(text: str | bytes | None) -> dict[str, Any]:
    """The JSON object in ``text``; ``{}`` when it is empty, not JSON, or not an object."""
    try:
        data = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
