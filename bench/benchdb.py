"""The PostgreSQL databases a benchmark makes for itself, Django set up on them, and many
cases seeded fast (``seed_cases``).

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
    """Django on the bench's databases, demo mode, keys under ``folder``."""
    # The demo refuses any database but SQLite under VAR_DIR (config/guards.py), so the
    # settings are read in development mode (development keys, PostgreSQL allowed), then
    # DEBUG is switched off before anything runs: Django would otherwise keep every query
    # in memory and slow the pages it times. The demo network is allowed by AMPARO_DEMO.
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
    os.environ.pop("AMPARO_DEMO", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False
    settings.AMPARO_DEMO = True


# --- many cases, fast (bench/case_list.py, bench/load.py) -------------------------------


def copy_cases(count: int) -> None:
    """``count`` more cases, copied in the database from the sealed ones already there.

    One INSERT … SELECT: new ids, codes and opening dates; each copy keeps the owner, team
    and survivor of the case it copies (as a survivor's later cases do).
    """
    from django.db import connection

    from cases.models import Case

    if count <= 0:
        return
    columns = [field.column for field in Case._meta.concrete_fields]
    copied = [column for column in columns if column not in ("id", "code", "opened_on")]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        sealed = cursor.fetchone()[0]
        if postgres:
            numbers = f"SELECT g FROM generate_series(1, {count}) AS g"
            new_id, day = "gen_random_uuid()", "c.opened_on - (n.g % 997)"
        else:
            numbers = (
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s "
                f"WHERE g < {count}) SELECT g FROM s"
            )
            new_id = "lower(hex(randomblob(16)))"
            day = "date(c.opened_on, '-' || (n.g % 997) || ' days')"
        cursor.execute(
            f"INSERT INTO cases_case (id, code, opened_on, {', '.join(copied)}) "
            f"SELECT {new_id}, 'PE-C' || n.g, {day}, "
            f"{', '.join('c.' + column for column in copied)} "
            f"FROM ({numbers}) AS n JOIN (SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, * "
            f"FROM cases_case) AS c ON c.k = n.g % {sealed}"
        )
        if postgres:
            cursor.execute("ANALYZE")


def seed_cases(owners: list, count: int, sealed: int) -> tuple[float, float]:
    """``count`` cases of ``owners`` (each in her first team): ``sealed`` of them with sealed
    names through ``cases.demo.bulk_create_cases`` (one data key per survivor, as a real
    intake makes), the rest copied from those by ``copy_cases``; follow-ups on one case in
    ten, some overdue. Returns the seconds of the sealed part and of the copy."""
    import logging
    import random
    import time
    from datetime import timedelta

    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone
    from tqdm import tqdm

    from cases.demo import bulk_create_cases
    from cases.models import Case, FollowUp

    logging.getLogger("amparo.vault").setLevel(logging.WARNING)  # one line per batch is noise
    sealed = min(sealed, count)
    started = time.perf_counter()
    with (
        override_settings(AMPARO_DEMO=True),
        tqdm(total=sealed, unit="case", desc="seeding", file=sys.stderr) as bar,
    ):
        bulk_create_cases(owners=owners, count=sealed, batch_size=1000, progress=bar.update)
    sealed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    copy_cases(count - sealed)
    copy_seconds = time.perf_counter() - started
    # Follow-ups on one case in ten, some overdue, so the "next follow-up" column works.
    rng = random.Random(1)
    today = timezone.localdate()
    rows = Case.objects.values_list("pk", "survivor_id", "owner_id")[: max(count // 10, 1)]
    rows = list(rows.iterator(chunk_size=10_000))
    with override_settings(AMPARO_DEMO=True):
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    case_id=pk,
                    survivor_id=survivor_id,
                    kind="check_in",
                    assignee_id=owner_id,
                    created_by_id=owner_id,
                    due_on=today + timedelta(days=rng.randint(-20, 40)),
                )
                for pk, survivor_id, owner_id in rows
            ],
            batch_size=5000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return sealed_seconds, copy_seconds
