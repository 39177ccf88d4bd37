"""Helpers for the list and dashboard tests: bulk cases and counting queries."""

from __future__ import annotations

from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cases.demo import bulk_create_cases


def many_cases(owner, count: int) -> None:
    with override_settings(AMPARO_DEMO=True):
        bulk_create_cases(owners=[owner], count=count)


class AllQueries:
    """Queries on every database during the block, without test-only savepoints."""

    def __enter__(self) -> AllQueries:
        self._contexts = [
            CaptureQueriesContext(connections[alias]) for alias in ("default", "keys")
        ]
        for context in self._contexts:
            context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for context in self._contexts:
            context.__exit__(*exc)

    @property
    def statements(self) -> list[str]:
        return [
            query["sql"]
            for context in self._contexts
            for query in context.captured_queries
            if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]

    def __len__(self) -> int:
        return len(self.statements)
