"""`pip install .` carries every app: a new app left out of pyproject.toml's package list
would install a wheel that cannot start (the production-stack test would find it only
after building one)."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.architecture.test_import_direction import ROOT, project_packages


def test_every_app_and_the_project_folders_are_in_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    wanted = project_packages() | {"templates", "static", "locale"}
    missing = sorted(
        name for name in wanted if not any(fnmatch.fnmatch(name, p) for p in patterns)
    )
    assert not missing, f"add these to [tool.setuptools.packages.find] include: {missing}"
