"""Whether a page hides a refused form's error in a closed ``<details>``: the case page
folds its sections and its forms, and an error nobody can see is no answer at all."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements without an end tag: never on the stack of open elements.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}


class _Errors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, a closed <details>)
        self.shown: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if "error" in classes or values.get("aria-invalid") == "true":
            where = self.hidden if any(closed for _, closed in self.stack) else self.shown
            where.append(values.get("id") or values.get("name") or tag)
        if tag not in _VOID:
            self.stack.append((tag, tag == "details" and "open" not in values))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return


def form_errors(html: str) -> tuple[list[str], list[str]]:
    """(errors shown, errors inside a closed ``<details>``) of a page: each an error
    message (``class="error"``) or a field marked ``aria-invalid``."""
    parser = _Errors()
    parser.feed(html)
    parser.close()
    return parser.shown, parser.hidden
