"""The ``amparo`` console command: ``manage.py`` for an installed Amparo.

``pip install .`` puts ``amparo`` on the PATH of the environment it installs into, so every
management command runs from any directory with the production settings, e.g.
``amparo migrate``, ``amparo run_worker``, ``amparo backup --to /srv/backups``. The
environment (``docs/deploy.md``) says where the databases, keys and VAR_DIR are.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
