"""Imports run one way: each package imports only packages of a lower layer.

The layers are read from the table in docs/architecture.md, so the document and the code
cannot drift apart: moving a package means changing the document, and an import against
the direction fails here with the file and line that made it. Tests, benchmarks and
migrations are not read (they may reach across layers on purpose); imports under
``if TYPE_CHECKING:`` are type hints, never run, and are not counted.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "architecture.md"
NOT_READ = {"tests", "bench", "migrations", ".venv", "var", "build", "docs", "deploy"}

# A row of the layer table: "| 3 | `accounts` | ... |" (several packages per row allowed).
ROW = re.compile(r"^\|\s*(\d+)\s*\|([^|]*)\|")


def read_layers(text: str) -> dict[str, int]:
    layers: dict[str, int] = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            for package in re.findall(r"`([a-z_]+)/?`", match.group(2)):
                layers[package] = int(match.group(1))
    return layers


def project_packages() -> set[str]:
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_READ
    }


@dataclass(frozen=True)
class Import:
    file: Path
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}: {self.importer} imports {self.imported}"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                hidden.update(id(n) for n in ast.walk(child))
    return hidden


def imports_of(package: str, packages: set[str]) -> list[Import]:
    found: list[Import] = []
    for file in sorted((ROOT / package).rglob("*.py")):
        if NOT_READ & set(file.relative_to(ROOT).parts):
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        hidden = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in packages and top != package:
                    found.append(Import(file, node.lineno, package, top))
    return found


def violations(layers: dict[str, int], packages: set[str]) -> list[str]:
    wrong = []
    for package in sorted(packages):
        for edge in imports_of(package, packages):
            if layers[edge.imported] >= layers[edge.importer]:
                wrong.append(str(edge))
    return wrong


def test_every_package_has_a_layer_in_the_document():
    layers = read_layers(DOCUMENT.read_text(encoding="utf-8"))
    missing = sorted(project_packages() - set(layers))
    assert not missing, (
        f"packages without a layer in docs/architecture.md: {missing}; add each to the "
        "layer table (which layer it sits on decides what it may import)"
    )
    gone = sorted(set(layers) - project_packages())
    assert not gone, f"docs/architecture.md names packages that do not exist: {gone}"


def test_imports_run_from_higher_layers_to_lower_ones_only():
    layers = read_layers(DOCUMENT.read_text(encoding="utf-8"))
    packages = project_packages()
    wrong = violations(layers, packages & set(layers))
    assert not wrong, "imports against the direction of docs/architecture.md:\n" + "\n".join(
        wrong
    )


def test_config_is_imported_by_no_package():
    packages = project_packages()
    importers = [
        str(edge)
        for package in sorted(packages - {"config"})
        for edge in imports_of(package, packages)
        if edge.imported == "config"
    ]
    assert not importers, "apps read settings through django.conf:\n" + "\n".join(importers)


# --- the check itself can fail -------------------------------------------------------


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for name in ("low", "high"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    return tmp_path


def test_an_upward_import_is_named_with_its_file_and_line(tree):
    (tree / "low" / "rules.py").write_text("import os\n\nfrom high.pages import thing\n")
    wrong = violations({"low": 0, "high": 1}, {"low", "high"})
    assert wrong == ["low/rules.py:3: low imports high"]


def test_an_import_inside_a_function_counts_too(tree):
    (tree / "low" / "rules.py").write_text("def f():\n    import high.pages\n")
    assert violations({"low": 0, "high": 1}, {"low", "high"}) == [
        "low/rules.py:2: low imports high"
    ]


def test_type_hints_and_downward_imports_are_allowed(tree):
    (tree / "low" / "rules.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from high import pages\n"
    )
    (tree / "high" / "pages.py").write_text("from low import rules\n")
    assert violations({"low": 0, "high": 1}, {"low", "high"}) == []


def test_two_packages_of_one_layer_may_not_import_each_other(tree):
    (tree / "high" / "pages.py").write_text("from low import rules\n")
    assert violations({"low": 1, "high": 1}, {"low", "high"}) == [
        "high/pages.py:1: high imports low"
    ]


def test_the_layer_table_is_read_from_its_rows():
    text = "| layer | packages |\n|---|---|\n| 0 | `core` |\n| 7 | `workspace`, `oversight` |\n"
    assert read_layers(text) == {"core": 0, "workspace": 7, "oversight": 7}
