"""Sealed values opened for one person, as pages show them.

Not a view: the case page, its history and the referral pages all open values this way,
so it lives with the case's other readers. Opening leaves the access events the vault
records; after her key is shredded nothing opens and the page says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.formatting import local_date
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded


@dataclass(frozen=True)
class Opened:
    """A sealed value as the page shows it: its text, or why it cannot be shown."""

    text: str = ""
    shredded: bool = False
    unreadable: bool = False

    @property
    def problem(self) -> bool:
        return self.shredded or self.unreadable

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text) or self.problem


class Opener:
    """Opens sealed values for one person; after her key is shredded, opens nothing."""

    def __init__(self, actor, *, shredded: bool = False) -> None:
        self.actor = actor
        self.shredded = shredded

    def __call__(self, instance, field_name: str) -> Opened:
        if self.shredded:
            return Opened(shredded=True) if getattr(instance, field_name) is not None else Opened()
        try:
            value = vault.unseal(instance, field_name, actor=self.actor)
        except OwnerShredded:
            return Opened(shredded=True)
        except CannotOpen:
            return Opened(unreadable=True)
        return Opened(text=value or "")

    def date(self, instance, field_name: str) -> Opened:
        """A sealed date (kept as ISO text), written in the reader's language."""
        opened = self(instance, field_name)
        if opened.problem or not opened.text:
            return opened
        return Opened(text=local_date(opened.text))

    def json(self, instance, field_name: str) -> dict | Opened:
        opened = self(instance, field_name)
        if opened.problem:
            return opened
        try:
            return json.loads(opened.text) if opened.text else {}
        except ValueError:
            return Opened(unreadable=True)
