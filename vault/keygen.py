"""Print new keys for an operator: ``python -m vault.keygen [key-id]``.

Prints a master key line (``key-id:base64``) and an index key. Put the first in the file
named by ``AMPARO_MASTER_KEY_FILE`` (as the first line, when rotating), the second in
``AMPARO_INDEX_KEY_FILE``. Needs no Django settings, so it runs before anything is set up.
"""

from __future__ import annotations

import base64
import datetime
import os
import sys


def main(argv: list[str]) -> None:
    key_id = argv[1] if len(argv) > 1 else datetime.date.today().strftime("%Y-%m-%d")
    master = base64.b64encode(os.urandom(32)).decode("ascii")
    index = base64.b64encode(os.urandom(32)).decode("ascii")
    print(f"# master key line (AMPARO_MASTER_KEY_FILE / AMPARO_MASTER_KEYS):\n{key_id}:{master}")
    print(f"# index key (AMPARO_INDEX_KEY_FILE / AMPARO_INDEX_KEY):\n{index}")


if __name__ == "__main__":
    main(sys.argv)
