"""Django's {# #} comments end at the line: one that spans lines is shown on the page as
text (and in English on a Spanish page). Longer comments use {% comment %}."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OPEN_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$")


def test_no_template_comment_spans_lines():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OPEN_COMMENT.search(line)
    ]
    assert not found, f"{{# … #}} spanning lines (use {{% comment %}}): {found}"
