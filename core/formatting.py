"""Dates, numbers and money written the way the reader's language writes them.

Pages, mails, the packet and the print form hold some dates as ISO text (a sealed birth
date, a packet's "assessed on") and money as an amount and a currency code. Shown as
stored they read as "2026-12-05" and "3900,00 Dólares estadounidenses"; these helpers
write them in the active language instead ("05/12/2026", "US$ 3.900").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, translation

# How each currency the intake offers is written before an amount; "other" has none.
CURRENCY_SYMBOLS = {"USD": "US$", "PEN": "S/", "VES": "Bs.", "COP": "COL$"}

# Languages that put a space between the currency symbol and the amount.
SPACED_SYMBOL_LANGUAGES = {"es"}


def as_date(value: Any) -> date | None:
    """A date from a date or its ISO text; None for anything else."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def local_date(value: Any, format_name: str = "SHORT_DATE_FORMAT") -> str:
    """A date (or ISO date text) in the active language; other text unchanged."""
    day = as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return formats.date_format(day, format_name)


def number(value: Any) -> str:
    """A number with the active language's separators; whole amounts without decimals."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def money(amount: Any, currency: str) -> str:
    """An amount with its currency as the active language writes it: "US$ 3.900"."""
    if amount in (None, ""):
        return ""
    text = number(amount)
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    if not symbol:
        return text
    language = (translation.get_language() or "").split("-")[0]
    separator = "\N{NO-BREAK SPACE}" if language in SPACED_SYMBOL_LANGUAGES else ""
    return f"{symbol}{separator}{text}"
