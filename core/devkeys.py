"""Development secrets made once under VAR_DIR, for the demo and DEBUG only.

Used by the settings (SECRET_KEY), the vault (master and index keys) and the audit
checkpoints (signing key). Plain Python, so the settings module can use it before Django
is set up; the warning goes to stderr because logging is not configured yet then.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


def create_once(
    path: Path, make_content: Callable[[], bytes], what: str, advice: str = ""
) -> None:
    """Write ``make_content()`` to ``path`` (mode 0600) unless it exists, and warn."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together must not write two different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(make_content())
    print(f"WARNING: Amparo generated {what} in {path}. {advice}".rstrip(), file=sys.stderr)
