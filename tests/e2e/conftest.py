"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

One browser per test session, a fresh context (cookies, language, viewport) per test.
People come from the shared fixtures in ``tests/conftest.py``; each gets a confirmed
authenticator so that sign-in goes through the real second step.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, current_code, enrol_totp

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Accept-Language per language under test; Django's LocaleMiddleware picks from it.
BROWSER_LOCALES = {"en": "en-GB", "es": "es-PE"}
ROLES = ["caseworker", "supervisor", "auditor", "partner", "org_admin"]
# How a heading only that role's home page shows begins (English; some end in a count).
ROLE_HEADINGS = {
    "caseworker": "Your open cases",
    "supervisor": "Cases per caseworker",
    "auditor": "Latest activity in your organisation",
    "partner": "Referral inbox",
    "org_admin": "Teams",
}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


def _chromium_executable() -> str | None:
    candidate = (
        os.environ.get("AMPARO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    return candidate if Path(candidate).is_file() else None


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where a skip would hide a broken setup."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium_executable()
    if executable is None:
        _unavailable(
            "Chromium not found: install Debian's chromium or set AMPARO_CHROMIUM to its path"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright package is not installed (pip install -e .[dev])")

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop. The test code does not share the loop
    # with anything, so the check may be lifted for the browser tests' lifetime.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Visit:
    """A page in its own browser context, with what its console said."""

    page: object
    base_url: str
    language: str
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))

    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[..., Visit]]:
    """``open_page(language="en", viewport=DESKTOP)`` gives a page in a fresh context."""
    contexts = []
    visits: list[Visit] = []

    def _open(language: str = "en", viewport: dict | None = None) -> Visit:
        context = browser.new_context(
            locale=BROWSER_LOCALES[language], viewport=viewport or DESKTOP
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page=page, base_url=live_server.url, language=language)
        visits.append(visit)
        page.on(
            "console",
            lambda message: message.type == "error" and visit.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
        return visit

    yield _open
    for context in contexts:
        context.close()
    # Whatever else a test checks, no page it opened may have tripped the CSP.
    violations = [m for visit in visits for m in visit.csp_violations()]
    assert violations == [], violations


@pytest.fixture
def person_with_phone(request) -> Callable[[str], tuple]:
    """``person_with_phone("auditor")``: that shared fixture's user, with an authenticator."""

    def _make(role: str) -> tuple:
        user = request.getfixturevalue(role)
        return user, enrol_totp(user)

    return _make


def submit_password(visit: Visit, username: str, password: str = TEST_PASSWORD) -> None:
    page = visit.page
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def submit_code(visit: Visit, device: TOTPDevice) -> None:
    page = visit.page
    device.refresh_from_db()
    page.locator("input[name=token]").fill(current_code(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def shoot(visit: Visit, name: str) -> None:
    """Full-page screenshots at desktop and phone width, then back to the old viewport.

    At phone width the page must also fit: nothing may scroll sideways.
    """
    page = visit.page
    folder = SCREENSHOT_DIR / visit.language
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        assert scroll_width(visit) <= viewport["width"], f"{name} scrolls sideways at {label}"
    page.set_viewport_size(original)


def scroll_width(visit: Visit) -> int:
    """The page's full width; wider than the viewport means it scrolls sideways."""
    return visit.page.evaluate("document.documentElement.scrollWidth")


def serious_axe_violations(visit: Visit) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def unfold_section(page, key: str) -> None:
    """Open a folded section of the case page as she would, by its summary (sections are
    folded by default; a redirect back opens the one she worked in)."""
    fold = page.locator(f"section#{key} details.case-fold").first
    if fold.get_attribute("open") is None:
        fold.locator("> summary").click()
