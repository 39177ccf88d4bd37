"""The Spanish catalogue is complete: every string of the code has a Spanish translation.

These fail while the catalogue is being written, and should: a string without a
translation shows in English to a Spanish-speaking caseworker. To fix: run
``manage.py makemessages -l es``, translate the new entries in
locale/es/LC_MESSAGES/django.po, then ``manage.py compilemessages``.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from django.utils import translation
from django.utils.translation.template import templatize

from accounts.models import OrganizationKind, Role
from audit.models import Action, Outcome
from tests.accounts.translation import BASE_DIR, MO_FILE, PO_FILE, catalogue, spelled_the_same

KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _areas() -> list[str]:
    """Amparo's own apps (every folder with an apps.py), its settings, and each folder
    of templates, so that a failure names where the untranslated string lives."""
    apps = {path.parent.name for path in BASE_DIR.glob("*/apps.py")} | {"config"}
    templates = {
        f"templates/{path.relative_to(BASE_DIR / 'templates').parts[0]}"
        if path.parent != BASE_DIR / "templates" else "templates"
        for path in (BASE_DIR / "templates").rglob("*.html")
    }
    return sorted(apps | templates)


def _source_strings(area: str) -> set[str]:
    """Every translatable string in one area of Amparo's code or templates."""
    found: set[str] = set()

    def collect(handle) -> None:
        for _, message, _, _ in extract("python", handle, keywords=KEYWORDS):
            found.update(message if isinstance(message, tuple) else (message,))

    if area == "templates":
        templates = sorted((BASE_DIR / "templates").glob("*.html"))
    elif area.startswith("templates/"):
        templates = sorted((BASE_DIR / area).rglob("*.html"))
    else:
        templates = []
        for path in sorted((BASE_DIR / area).rglob("*.py")):
            if "migrations" not in path.parts:
                with path.open("rb") as handle:
                    collect(handle)
    for path in templates:
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        # templatize keeps the template's indentation, which Python's tokenizer refuses;
        # each translatable string sits on one line, so the indentation can go.
        code = "\n".join(line.lstrip() for line in code.splitlines())
        collect(BytesIO(code.encode("utf-8")))
    return {message for message in found if message}


def test_the_spanish_catalogue_exists_and_is_compiled():
    assert PO_FILE.exists(), f"{PO_FILE} is missing"
    assert MO_FILE.exists(), "run `manage.py compilemessages`"
    assert MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime, (
        "django.po is newer than django.mo: run `manage.py compilemessages`"
    )


def test_every_catalogue_entry_is_translated():
    missing = sorted(msgid for msgid, msgstr in catalogue().items() if not msgstr)

    assert not missing, "untranslated (or fuzzy) entries in django.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("area", _areas())
def test_every_string_in_the_code_is_in_the_catalogue(area):
    entries = catalogue()

    missing = sorted(s for s in _source_strings(area) if not entries.get(s))

    assert not missing, f"{area}: strings with no Spanish translation:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    "choices", [Role, OrganizationKind, Action, Outcome], ids=lambda c: c.__name__
)
def test_every_choice_label_shows_in_spanish(choices):
    same = spelled_the_same()
    with translation.override("es"):
        untranslated = [
            str(label)
            for label in choices.labels
            if str(label) not in same and str(label) == _english(label)
        ]

    assert not untranslated, untranslated


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def test_the_catalogue_is_read_by_django():
    with translation.override("es"):
        assert translation.gettext("Sign in") != "Sign in"


def test_the_source_scan_finds_strings():
    """Guard against the scan above silently finding nothing."""
    assert {"accounts", "audit", "templates", "templates/accounts"} <= set(_areas())
    assert "Username" in _source_strings("accounts")
    assert "Sign in" in _source_strings("templates/accounts")
    assert "Demo — never enter real data" in _source_strings("templates")
