"""Template filters for dates kept as ISO text and for money (``core.formatting``)."""

from __future__ import annotations

from typing import Any

from django import template

from core import formatting

register = template.Library()


@register.filter
def local_date(value: Any) -> str:
    """``{{ iso_text|local_date }}``: the date in the reader's language."""
    return formatting.local_date(value)


@register.filter
def money(amount: Any, currency: str) -> str:
    """``{{ amount|money:currency_code }}``: "US$ 3.900" in Spanish, "US$3,900" in English."""
    return formatting.money(amount, currency)
