"""Refusals the settings make at start-up, as plain functions that tests can call.

Each returns the message to raise with ``ImproperlyConfigured``, or ``None`` when the
configuration is acceptable. Plain Python: the settings module calls them before Django
is set up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def demo_refusal(
    databases: Mapping[str, Mapping[str, Any]], var_dir: Path, allowed_hosts: Iterable[str]
) -> str | None:
    """The demo (published passwords, no HTTPS) runs only on one's own machine.

    Its databases must be SQLite files under VAR_DIR and every allowed host a loopback
    name, so that ``AMPARO_DEMO=1`` left in a server's environment cannot serve real data
    or serve anyone else.
    """
    root = Path(var_dir).resolve()
    for alias, database in databases.items():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            return (
                f"AMPARO_DEMO=1 refuses the {alias!r} database: the demo runs on SQLite under "
                "VAR_DIR only. Unset DATABASE_URL and KEYS_DATABASE_URL, or unset AMPARO_DEMO."
            )
        name = Path(str(database["NAME"])).resolve()
        if root not in name.parents:
            return (
                f"AMPARO_DEMO=1 refuses the {alias!r} database at {name}: the demo's "
                f"databases live under VAR_DIR ({root})."
            )
    outside = [host for host in allowed_hosts if host.lower() not in LOOPBACK_HOSTS]
    if outside:
        return (
            f"AMPARO_DEMO=1 serves this machine only, but ALLOWED_HOSTS names "
            f"{', '.join(outside)}. The demo has published passwords and no HTTPS: never "
            "serve it to a network."
        )
    return None


def production_database_refusal(
    database_url: str, keys_database_url: str, databases: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """Production names both databases, and the keys database is not the main one.

    Without ``KEYS_DATABASE_URL`` each application server would keep its own SQLite keys
    file; with the keys in the main database, every backup of the main database would hold
    the wrapped keys, and shredding would no longer reach old backups.
    """
    missing = [
        name for name, value in (("DATABASE_URL", database_url),
                                 ("KEYS_DATABASE_URL", keys_database_url)) if not value
    ]
    if missing:
        return (
            f"Set {' and '.join(missing)}: production keeps the main data and the wrapped "
            "survivor keys in two databases named by URL (docs/deploy.md)."
        )
    if same_database(databases["default"], databases["keys"]):
        return (
            "KEYS_DATABASE_URL names the main database. The wrapped survivor keys must live "
            "in a database of their own (another database name, ideally with short backup "
            "retention), or every backup of the main database carries them."
        )
    return None


def same_database(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    def where(db: Mapping[str, Any]) -> tuple[str, str, str, str]:
        host = str(db.get("HOST") or "localhost")
        if host in {"127.0.0.1", "::1"}:
            host = "localhost"
        name = str(db.get("NAME") or "")
        if db["ENGINE"] == "django.db.backends.sqlite3":
            name, host = str(Path(name).resolve()), ""
        return db["ENGINE"], host, str(db.get("PORT") or ""), name

    return where(first) == where(second)


def parse_trusted_proxies(
    entries: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``AMPARO_TRUSTED_PROXIES``: addresses or networks (``127.0.0.1``, ``10.0.0.0/8``)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"AMPARO_TRUSTED_PROXIES: {entry!r} is not an address or network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)."
            ) from None
    return tuple(networks)
