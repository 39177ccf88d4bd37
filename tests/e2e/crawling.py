"""The crawl: every page each demo role can reach, checked at two widths in both languages.

How it works (tests/e2e/test_crawl.py drives it):

1. *Discovery*, once per role, at desktop width in English: sign in, then follow every
   same-site link breadth-first. Each URL is reduced to its *kind of page*, the name of
   its URL pattern (``django.urls.resolve``), and only a few instances of each kind are
   visited, so a list of 40 cases costs what a list of 2 does. Sign-out, the language
   switch and Django's admin are never followed, nor is any form posted while
   discovering: a link (GET) changes nothing, a form might.
2. *Checks*: one instance of every kind at every width and language (the discovery
   pass, which checks every instance, counts as one of them): sideways scrolling,
   ``<html lang>``, the page's h1, focus hidden under a sticky bar while tabbing, and in
   Spanish any English interface string or raw vocabulary code; axe violations of any
   impact at each width and in each language once (``AXE_AT``); at phone width a page
   over three screens that is not paginated (``PHONE_SCREENS``, ``data-pagination``).
3. *Empty forms*: each POST form in ``main`` with a field to fill is submitted once per
   kind, emptied and without the browser's own validation. The refusal must not be a
   server error, and its error must be in the first screen with focus or an alert.
   This comes last, because an empty form the server accepts changes the demo's data.

Nothing here names a page: pages added later are crawled and checked as they appear.
Every problem is collected as a ``Finding`` (kind, URL, problem) and reported at once.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

# Kinds of page never followed: leaving the session, switching language (a POST in the
# header anyway) and Django's own admin, which is not Amparo's interface.
NEVER_FOLLOW = ("accounts:logout", "set_language")
NEVER_FOLLOW_PREFIXES = ("admin:",)
# How many instances of one kind of page are visited while discovering, and how many of
# those are checked again at the other widths and languages.
INSTANCES_PER_KIND = 2
INSTANCES_RECHECKED = 1
# How many Tab presses are checked against sticky bars on each page.
TAB_STOPS = 25
WIDTHS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 800}}
LOCALES = {"en": "en-GB", "es": "es-PE"}
# Where axe runs: every width and every language once, not every pair. Its rules read the
# page and its layout; the layout changes with the width, the words with the language.
# English at 1280 px is the discovery (every instance visited); Spanish at 390 px has the
# narrowest screen and the longest words, where boxes overflow first. English at 390 px
# and Spanish at 1280 px still get every other check.
AXE_AT = {("en", 1280), ("es", 390)}
# Phone length: at this width a page longer than PHONE_SCREENS screens (its viewport
# height) is a finding unless it is paginated: it shows a list served a page at a time,
# marked ``data-pagination``, on the previous/next nav drawn when the list has other pages
# (``templates/oversight/_pagination.html`` and its kin) or on the summary line of such a
# list whose rows fit one page ("Cases 1–30 of 30"). Anything else that is long shows the
# first rows of each list with its count and a link to the rest, or folds its secondary
# parts in <details>.
PHONE_WIDTH = 390
PHONE_SCREENS = 3
# Kinds of page that may be longer than PHONE_SCREENS unpaginated. Each needs its reason.
# One form asked at once: a refused form comes back whole, with what she typed and its
# errors summarised and focused; folding its fields would put errors in closed folds.
_ONE_FORM = "one form asked at once (3.1 to 3.6 screens): its fields belong together"
LENGTH_ALLOW_LIST: dict[str, str] = {
    "cases:intake_start": _ONE_FORM + " (her first intake)",
    "cases:edit_section": _ONE_FORM + " (one intake section, e.g. identity)",
    "referrals:create": _ONE_FORM + " (a referral and its packet's choices)",
    "referrals:edit": _ONE_FORM + " (the same form, a returned draft)",
    "plans:final_review": _ONE_FORM + " (each goal's outcome and the closing)",
}

# Raw codes that may stand alone on a Spanish page because they are also what a reader
# expects there. Each needs its reason.
CODE_ALLOW_LIST: dict[str, str] = {}
# English catalogue strings that may stand on a Spanish page (same reason rule).
ENGLISH_ALLOW_LIST: dict[str, str] = {
    "Amparo": "the product's name",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.url}\n    {self.problem}"


@dataclass
class RoleCrawl:
    """What one role's crawl reached."""

    role: str
    username: str
    instances: dict[str, list[str]] = field(default_factory=dict)  # kind -> paths
    downloads: set[str] = field(default_factory=set)
    forms_submitted: list[tuple[str, str]] = field(default_factory=list)  # (kind, action)
    # Forms whose empty submission the server answered with a file (an export whose
    # fields all have defaults): an answer, not a page to check.
    form_downloads: set[tuple[str, str]] = field(default_factory=set)


def kind_of(path: str) -> str | None:
    """The kind of page a same-site path is: its URL pattern's name, or None if unknown."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _never_follow(kind: str) -> bool:
    return kind in NEVER_FOLLOW or kind.startswith(NEVER_FOLLOW_PREFIXES)


# --- what a Spanish page must not show ----------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def untranslated_english() -> set[str]:
    """The English interface strings whose Spanish differs: seen on a Spanish page, they
    are a string that was not translated. Strings with placeholders are left out (their
    rendered form cannot be compared), as are those Spanish writes the same way."""
    from babel.messages.pofile import read_po

    catalogue = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
    with catalogue.open("rb") as handle:
        messages = read_po(handle)
    english: set[str] = set()
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            if not msgid or not msgstr or "%" in msgid or "{" in msgid:
                continue
            if _normalise(msgid) != _normalise(msgstr):
                english.add(_normalise(msgid))
    return english - set(ENGLISH_ALLOW_LIST)


def vocabulary_codes() -> dict[str, str]:
    """Every stored code of every choices field of the project's models, with its Spanish
    label (only codes whose Spanish label differs from the code itself)."""
    from django.apps import apps
    from django.utils import translation

    codes: dict[str, str] = {}
    project = {
        "core",
        "audit",
        "vault",
        "accounts",
        "cases",
        "referrals",
        "plans",
        "oversight",
        "reports",
        "workspace",
        "operations",
    }
    with translation.override("es"):
        for model in apps.get_models():
            if model._meta.app_label not in project:
                continue
            for model_field in model._meta.get_fields():
                base = getattr(model_field, "base_field", None)
                choices = getattr(model_field, "flatchoices", None) or getattr(
                    base, "flatchoices", None
                )
                for code, text in choices or ():
                    if not isinstance(code, str) or not code or code.isdigit():
                        continue
                    if str(text) != code:
                        codes[code] = str(text)
    return {code: text for code, text in codes.items() if code not in CODE_ALLOW_LIST}


# --- the browser side -----------------------------------------------------------------

_TEXTS_JS = """(language) => {
    const texts = [];
    const inOtherLanguage = (element) => {
        const holder = element.closest('[lang]');
        return holder && !holder.lang.toLowerCase().startsWith(language);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style, noscript, template')) continue;
        if (inOtherLanguage(parent)) continue;
        const text = node.nodeValue.replace(/\\s+/g, ' ').trim();
        if (text) texts.push(text);
    }
    const attributes = ['aria-label', 'placeholder', 'title', 'alt'];
    for (const element of document.querySelectorAll('body *')) {
        if (inOtherLanguage(element)) continue;
        for (const name of attributes) {
            const value = element.getAttribute(name);
            if (value && value.trim()) texts.push(value.replace(/\\s+/g, ' ').trim());
        }
        if (element.matches('input[type=submit], input[type=button]') && element.value) {
            texts.push(element.value.trim());
        }
    }
    const title = document.title.replace(/\\s+/g, ' ').trim();
    if (title) texts.push(...title.split(' · '));
    return texts;
}"""

_LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), (a) => a.href)"""

_PAGE_FACTS_JS = """() => ({
    lang: document.documentElement.getAttribute('lang') || '',
    h1: Array.from(document.querySelectorAll('h1'),
                   (h) => h.innerText.replace(/\\s+/g, ' ').trim()),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    scrollHeight: document.documentElement.scrollHeight,
    paginated: document.querySelector('[data-pagination]') !== null,
})"""

# Marks every sticky or fixed element once; then, at each Tab stop, asks the browser what
# is drawn at the focused control's centre. A sticky bar there hides the focus.
_MARK_BARS_JS = """() => {
    let count = 0;
    for (const element of document.querySelectorAll('body *')) {
        const position = getComputedStyle(element).position;
        if (position === 'sticky' || position === 'fixed') {
            element.setAttribute('data-crawl-bar', '');
            count += 1;
        }
    }
    return count;
}"""

_FOCUS_HIDDEN_JS = """() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) return null;
    const box = focused.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return null;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) return null;
    const hit = document.elementFromPoint(x, y);
    if (!hit || focused.contains(hit) || hit.contains(focused)) return null;
    const bar = hit.closest('[data-crawl-bar]');
    if (!bar || bar.contains(focused)) return null;
    const describe = (element) => element.tagName.toLowerCase()
        + (element.id ? '#' + element.id : '')
        + (element.getAttribute('name') ? '[name=' + element.getAttribute('name') + ']' : '')
        + (element.className && typeof element.className === 'string'
            ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
    const text = (focused.innerText || focused.value || '')
        .replace(/\\s+/g, ' ').trim().slice(0, 40);
    return describe(focused) + (text ? ' "' + text + '"' : '') + ' under ' + describe(bar);
}"""

# The error a refused form shows first, and whether a reader meets it: drawn at all (not
# in a closed fold), in the first screen, and either focused or announced as an alert.
_REFUSAL_JS = """() => {
    const errors = Array.from(document.querySelectorAll(
        '.error-summary, [role=alert], .errorlist, .error, [aria-invalid=true]'));
    if (!errors.length) return {found: false};
    const describe = (element) => element.tagName.toLowerCase()
        + (element.className ? '.' + element.className : '');
    // An error inside a closed <details> (a folded section or form) is drawn nowhere.
    const error = errors.find((element) => element.checkVisibility());
    if (!error) return {found: true, hidden: true, what: describe(errors[0])};
    const box = error.getBoundingClientRect();
    const focused = document.activeElement;
    const announced = error.closest('[role=alert], [aria-live=assertive]') !== null;
    return {
        found: true,
        hidden: false,
        what: describe(error),
        inFirstScreen: box.top >= 0 && box.top < window.innerHeight,
        focusedOrAlert: announced
            || (focused && (error.contains(focused) || focused.contains(error))),
    };
}"""

# Empties every field a person fills in, and turns off the browser's own validation so
# that the server is the one that refuses.
_EMPTY_FORM_JS = """(form) => {
    form.noValidate = true;
    for (const control of form.elements) {
        const type = (control.type || '').toLowerCase();
        if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
        if (type === 'checkbox' || type === 'radio') { control.checked = false; continue; }
        if (control.tagName === 'SELECT') {
            const blank = Array.from(control.options).findIndex((o) => o.value === '');
            if (blank >= 0) control.selectedIndex = blank;
            else if (control.multiple) control.selectedIndex = -1;
            continue;
        }
        if (type === 'file') { control.value = ''; continue; }
        control.value = '';
    }
}"""

_FILLABLE = (
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]),"
    " select, textarea"
)


class Crawler:
    """Crawls as the demo's people; ``findings`` holds every problem found."""

    def __init__(self, browser, base_url: str, password: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.password = password
        self.findings: list[Finding] = []
        self.english = untranslated_english()
        self.codes = vocabulary_codes()
        # (language, h1) -> kinds that show it, across every role.
        self.headings: dict[tuple[str, str], set[str]] = {}
        self.timings: dict[str, float] = {}
        self.pages_checked = 0
        self.axe_runs = 0
        # (role, kind, path, language) -> height at PHONE_WIDTH, and whether paginated.
        self.heights: dict[tuple[str, str, str, str], tuple[int, bool]] = {}
        self.role = ""  # whose pages are being checked, for the heights' report

    # -- sessions --

    def _open(self, username: str, language: str, width: int):
        context = self.browser.new_context(locale=LOCALES[language], viewport=WIDTHS[width])
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(self.base_url + "/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(self.password)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        return context, page

    def _note(self, kind: str, url: str, problem: str) -> None:
        finding = Finding(kind, url, problem)
        if finding not in self.findings:
            self.findings.append(finding)

    def _path(self, url: str) -> str | None:
        url, _fragment = urldefrag(url)
        if not url.startswith(self.base_url + "/"):
            return None
        return url[len(self.base_url) :]

    def _goto(self, page, path: str, kind: str):
        """Opens ``path``; None (and a finding) for a download or an error answer."""
        try:
            response = page.goto(self.base_url + path)
        except Exception as error:  # noqa: BLE001 - Playwright raises plain Errors
            if "Download is starting" in str(error):
                return "download"
            self._note(kind, path, f"could not be opened: {str(error).splitlines()[0]}")
            return None
        if response is not None and response.status >= 400:
            self._note(kind, path, f"a link leads to an error page (HTTP {response.status})")
            return None
        return response

    # -- 1. discovery --

    def discover(self, role: str, username: str) -> RoleCrawl:
        started = time.monotonic()
        crawl = RoleCrawl(role=role, username=username)
        self.role = role
        context, page = self._open(username, "en", 1280)
        try:
            start = self._path(page.url) or "/"
            queue: deque[str] = deque([start])
            seen: set[str] = {start}
            while queue:
                path = queue.popleft()
                kind = kind_of(path)
                if kind is None:
                    self._note("(unknown)", path, "a link leads to a path no URL pattern knows")
                    continue
                result = self._goto(page, path, kind)
                if result == "download":
                    crawl.downloads.add(kind)
                    continue
                if result is None:
                    continue
                landed = self._path(page.url) or path
                landed_kind = kind_of(landed) or kind
                if landed != path and landed in seen and landed_kind != kind:
                    continue  # a redirect to a page already met
                crawl.instances.setdefault(landed_kind, [])
                if landed not in crawl.instances[landed_kind]:
                    crawl.instances[landed_kind].append(landed)
                self.check_page(page, landed_kind, landed, "en", 1280)
                for href in page.evaluate(_LINKS_JS):
                    target = self._path(href)
                    if target is None or target in seen:
                        continue
                    target_kind = kind_of(target)
                    if target_kind is not None and _never_follow(target_kind):
                        continue
                    known = crawl.instances.get(target_kind, [])
                    queued = sum(1 for p in queue if kind_of(p) == target_kind)
                    if target_kind is not None and len(known) + queued >= INSTANCES_PER_KIND:
                        continue
                    seen.add(target)
                    queue.append(target)
        finally:
            context.close()
        self.timings[f"discover {role}"] = time.monotonic() - started
        return crawl

    # -- 2. the checks of one page --

    def check_page(
        self, page, kind: str, path: str, language: str, width: int, *, length: bool = True
    ) -> None:
        """Every check of one page; ``length=False`` for the answer to an empty form, whose
        refusal is checked by its own rules (the error met at once), not as a page to read."""
        self.pages_checked += 1
        where = f"{language}, {width}px"
        facts = page.evaluate(_PAGE_FACTS_JS)
        if facts["lang"] != language:
            self._note(kind, path, f"<html lang={facts['lang']!r}> on a page in {language}")
        if facts["scrollWidth"] > facts["innerWidth"]:
            self._note(
                kind,
                path,
                f"scrolls sideways at {width}px ({language}): {facts['scrollWidth']}px wide",
            )
        if width == PHONE_WIDTH and length:
            self._check_length(kind, path, language, facts)
        if not facts["h1"]:
            self._note(kind, path, f"no h1 ({where})")
        for heading in facts["h1"]:
            self.headings.setdefault((language, heading), set()).add(kind)
        if (language, width) in AXE_AT:
            started = time.monotonic()
            for violation in self._axe(page):
                self._note(kind, path, f"axe ({where}): {violation}")
            self._spent("checks: axe", started)
            self.axe_runs += 1
        started = time.monotonic()
        hidden = self._focus_hidden(page)
        if hidden:
            self._note(kind, path, f"focus hidden under a sticky bar ({where}): {hidden}")
        self._spent("checks: focus under sticky bars", started)
        if language == "es":
            for text in page.evaluate(_TEXTS_JS, "es"):
                self._check_spanish_text(kind, path, text)

    def _check_length(self, kind: str, path: str, language: str, facts: dict) -> None:
        """A phone page longer than PHONE_SCREENS screens must be paginated."""
        height, paginated = facts["scrollHeight"], facts["paginated"]
        self.heights[(self.role, kind, path, language)] = (height, paginated)
        screen = WIDTHS[PHONE_WIDTH]["height"]
        excused = kind in LENGTH_ALLOW_LIST
        if height > PHONE_SCREENS * screen and not paginated and not excused:
            self._note(
                kind,
                path,
                f"{height}px long at {PHONE_WIDTH}px ({language}): "
                f"{height / screen:.1f} phone screens and not paginated "
                f"(at most {PHONE_SCREENS})",
            )

    def _spent(self, what: str, started: float) -> None:
        self.timings[what] = self.timings.get(what, 0.0) + time.monotonic() - started

    def _axe(self, page) -> list[str]:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(node["target"][0]) if node["target"] else "?" for node in v["nodes"])
            for v in results.response["violations"]
        ]

    def _focus_hidden(self, page) -> str | None:
        if not page.evaluate(_MARK_BARS_JS):
            return None
        page.evaluate("() => { window.scrollTo(0, 0); document.activeElement.blur(); }")
        for _ in range(TAB_STOPS):
            page.keyboard.press("Tab")
            hidden = page.evaluate(_FOCUS_HIDDEN_JS)
            if hidden:
                return hidden
        # Back again: Shift+Tab scrolls upwards, where a sticky bar waits.
        for _ in range(TAB_STOPS):
            page.keyboard.press("Shift+Tab")
            hidden = page.evaluate(_FOCUS_HIDDEN_JS)
            if hidden:
                return f"{hidden} (going back with Shift+Tab)"
        return None

    def _check_spanish_text(self, kind: str, path: str, text: str) -> None:
        bare = text.rstrip(":.·").strip()
        if text in self.english or bare in self.english:
            self._note(kind, path, f"English on the Spanish page: {text!r}")
            return
        if bare in self.codes:
            self._note(
                kind,
                path,
                f"raw code on the Spanish page: {bare!r} (its label: {self.codes[bare]!r})",
            )
            return
        for token in re.findall(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+", text):
            if token in self.codes:
                self._note(
                    kind,
                    path,
                    f"raw code on the Spanish page: {token!r} in {text[:60]!r} "
                    f"(its label: {self.codes[token]!r})",
                )

    def recheck(self, crawl: RoleCrawl) -> None:
        """Every kind the discovery found, at the other widths and languages."""
        started = time.monotonic()
        self.role = crawl.role
        for language, width in (("en", 390), ("es", 1280), ("es", 390)):
            context, page = self._open(crawl.username, language, width)
            try:
                for kind, paths in crawl.instances.items():
                    for path in paths[:INSTANCES_RECHECKED]:
                        result = self._goto(page, path, kind)
                        if result is None or result == "download":
                            continue
                        self.check_page(page, kind, path, language, width)
            finally:
                context.close()
        self.timings[f"recheck {crawl.role}"] = time.monotonic() - started

    def check_headings(self) -> None:
        """The same h1 on two kinds of page: a reader cannot tell where they are."""
        for (language, heading), kinds in sorted(self.headings.items()):
            if len(kinds) > 1:
                self._note(
                    ", ".join(sorted(kinds)),
                    "(several)",
                    f"the same h1 {heading!r} on {len(kinds)} kinds of page ({language})",
                )

    # -- 3. empty forms --

    def submit_empty_forms(self, crawl: RoleCrawl) -> None:
        """Each POST form with something to fill in, once per kind of page and action,
        emptied; at phone width in Spanish, where the first screen is smallest."""
        started = time.monotonic()
        context, page = self._open(crawl.username, "es", 390)
        done: set[tuple[str, str]] = set()
        try:
            for kind, paths in crawl.instances.items():
                path = paths[0]
                if self._goto(page, path, kind) in (None, "download"):
                    continue
                count = page.locator("main form").count()
                for index in range(count):
                    if index and self._goto(page, path, kind) in (None, "download"):
                        break
                    form = page.locator("main form").nth(index)
                    method = (form.get_attribute("method") or "get").lower()
                    action = self._path(form.evaluate("(f) => f.action")) or path
                    action_kind = kind_of(action) or "(unknown)"
                    if method != "post" or _never_follow(action_kind):
                        continue
                    if form.locator(_FILLABLE).count() == 0:
                        continue  # a button only: an action, not a form to fill
                    key = (kind, action_kind)
                    if key in done:
                        continue
                    done.add(key)
                    crawl.forms_submitted.append(key)
                    if self._submit_empty(page, form, kind, path, action_kind) == "download":
                        crawl.form_downloads.add(key)
        finally:
            context.close()
        self.timings[f"forms {crawl.role}"] = time.monotonic() - started

    def _submit_empty(self, page, form, kind: str, path: str, action_kind: str) -> str | None:
        """Submits ``form`` emptied and checks the answer; "download" when the answer was
        a file (the navigation is then aborted, which is not a failure to answer)."""
        label = f"the empty form ({action_kind})"
        form.evaluate(_EMPTY_FORM_JS)
        button = form.locator("button[type=submit], button:not([type]), input[type=submit]")
        downloads: list = []

        def on_download(download) -> None:  # Playwright wants a Python function here
            downloads.append(download)

        page.on("download", on_download)
        try:
            # Submitted by script: a form may sit in a closed <details>, where a click
            # could not reach its button, and the server's answer is what is checked.
            with page.expect_navigation(timeout=10_000) as navigation:
                if button.count():
                    button.first.evaluate("(b) => b.form.requestSubmit(b)")
                else:
                    form.evaluate("(f) => f.requestSubmit()")
            response = navigation.value
        except Exception as error:  # noqa: BLE001
            # A file answered: the browser aborts the navigation and starts a download,
            # whose event may come a moment after the abort.
            for _ in range(20):
                if downloads:
                    break
                page.wait_for_timeout(100)
            if downloads:
                downloads[0].cancel()
                return "download"
            self._note(kind, path, f"{label} did not answer: {str(error).splitlines()[0]}")
            return None
        finally:
            page.remove_listener("download", on_download)
        if response is not None and response.status >= 500:
            self._note(kind, path, f"{label} answers HTTP {response.status}")
            return None
        page.wait_for_load_state()
        refusal = page.evaluate(_REFUSAL_JS)
        if not refusal["found"]:
            return None  # accepted, or answered with a page of its own: checked below
        if refusal["hidden"]:
            self._note(kind, path, f"{label}: its error {refusal['what']} is hidden in a fold")
            return None
        if not refusal["inFirstScreen"]:
            self._note(
                kind, path, f"{label}: its error {refusal['what']} is below the first screen"
            )
        if not refusal["focusedOrAlert"]:
            self._note(
                kind,
                path,
                f"{label}: its error {refusal['what']} neither takes focus nor is an alert",
            )
        landed = self._path(page.url) or path
        self.check_page(page, kind_of(landed) or kind, landed, "es", 390, length=False)
        return None


def report(crawls: list[RoleCrawl], crawler: Crawler, all_kinds: set[str]) -> str:
    """What each role reached, what no role reached, and the time each phase took."""
    lines = ["Crawl report", ""]
    reached: set[str] = set()
    for crawl in crawls:
        kinds = sorted(crawl.instances)
        reached.update(kinds)
        reached.update(crawl.downloads)
        lines.append(f"{crawl.role} ({crawl.username}): {len(kinds)} kinds of page")
        lines.extend(f"    {kind}  ({len(crawl.instances[kind])} visited)" for kind in kinds)
        if crawl.downloads:
            downloads = ", ".join(sorted(crawl.downloads))
            lines.append(f"    downloads (not checked as pages): {downloads}")
        lines.append(f"    empty forms submitted: {len(crawl.forms_submitted)}")
        lines.extend(
            f"        {page} -> {action}"
            + ("  (answered with a file)" if (page, action) in crawl.form_downloads else "")
            for page, action in crawl.forms_submitted
        )
    lines.append("")
    screen = WIDTHS[PHONE_WIDTH]["height"]
    lines.append(
        f"longest pages at {PHONE_WIDTH}px (over {PHONE_SCREENS - 1} screens of {screen}px):"
    )
    longest = sorted(crawler.heights.items(), key=lambda item: -item[1][0])
    lines.extend(
        f"    {height}px  {height / screen:.1f} screens  {kind} {path} ({role}, {language})"
        + ("  paginated" if paginated else "")
        + ("  allowed" if kind in LENGTH_ALLOW_LIST else "")
        for (role, kind, path, language), (height, paginated) in longest
        if height > (PHONE_SCREENS - 1) * screen
    )
    unreached = sorted(all_kinds - reached)
    lines.append("")
    lines.append(f"kinds of page no role reached by a link ({len(unreached)}):")
    lines.extend(f"    {kind}" for kind in unreached)
    lines.append("")
    lines.append(f"pages checked: {crawler.pages_checked} (axe on {crawler.axe_runs})")
    lines.extend(f"{phase}: {seconds:.1f}s" for phase, seconds in crawler.timings.items())
    return "\n".join(lines)


def all_url_names() -> set[str]:
    """Every named URL pattern of the project (Django's admin aside)."""
    from django.urls import get_resolver

    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return {name for name in names if not _never_follow(name)}
