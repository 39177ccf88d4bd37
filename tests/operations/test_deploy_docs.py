"""Every environment variable that the settings read is documented in docs/deploy.md
(issue 11 found 14 that were not), and the README points at both guides."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = [ROOT / "config" / "settings.py", ROOT / "config" / "env.py"]
# env_str("NAME", …), env_int(…), env_bool(…), env_list(…), env_secret(…), os.environ reads.
READ = re.compile(
    r"""(?:env_(?P<kind>str|int|bool|list|secret)\(\s*|os\.environ(?:\.get)?[\[(]\s*|getenv\(\s*)"""
    r"""["'](?P<name>[A-Z][A-Z0-9_]+)["']""",
    re.S,
)


def variables_read_by_the_settings() -> set[str]:
    names = set()
    for path in SETTINGS:
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            names.add(match["name"])
            if match["kind"] == "secret":  # a secret may also come from NAME_FILE
                names.add(f"{match['name']}_FILE")
    return names


def test_the_scan_finds_what_it_should():
    names = variables_read_by_the_settings()
    # One of each way of reading, multi-line calls and the nested PORT included.
    assert {"DATABASE_URL", "EMAIL_BACKEND", "SECRET_KEY_FILE", "PORT",
            "AMPARO_TRUSTED_PROXIES", "EMAIL_TIMEOUT"} <= names


def test_every_environment_variable_is_documented_in_deploy_md():
    documented = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")

    missing = sorted(n for n in variables_read_by_the_settings() if f"`{n}`" not in documented)

    assert missing == [], f"not in docs/deploy.md: {', '.join(missing)}"


def test_the_readme_points_at_the_deployment_and_operations_guides():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "docs/deploy.md" in readme and "docs/operations.md" in readme
    assert "A first deployment:" not in readme
