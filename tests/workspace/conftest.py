"""The homes are built on cases: they use the case tests' people (a teammate without a
share, another team's supervisor)."""

from tests.cases.conftest import other_supervisor, teammate

__all__ = ["other_supervisor", "teammate"]
