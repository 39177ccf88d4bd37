"""The PostgreSQL databases a benchmark makes for itself, and Django set up on them.

Each benchmark names its own pair (the application's and the keys'), creates them at the
start and drops them at the end, so that it never touches a developer's data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def create_databases(names: tuple[str, str]) -> None:
    for name in names:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin(f"CREATE DATABASE {name}")


def drop_databases(names: tuple[str, str]) -> None:
    from django.db import connections

    connections.close_all()
    for name in names:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def configure(folder: Path, names: tuple[str, str]) -> None:
    """Django on the bench's databases, development mode, keys under ``folder``.

    Development (DEBUG=1) rather than the demo: the demo refuses any database but SQLite
    under its folder (config/guards.py), and DEBUG also lets the demo helpers seed.
    """
    os.environ.pop("AMPARO_DEMO", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "AMPARO_VAR_DIR": str(folder),
            "DATABASE_URL": f"{SERVER}/{names[0]}",
            "KEYS_DATABASE_URL": f"{SERVER}/{names[1]}",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
