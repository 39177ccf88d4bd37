"""Every form renders its fields through one include (templates/includes/field.html):
label, hint and error tied to the input by ids, ``aria-invalid`` on error, and groups of
choices as a fieldset an error summary can link to. No database needed."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As she wants to be called.")
    urgency = forms.ChoiceField(
        label="Urgency", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect,
        help_text="How soon.",
    )
    agree = forms.BooleanField(label="She agrees", required=False)
    note = forms.CharField(label="Note", required=False)


def _field(html: str, name: str) -> str:
    """The markup of one field's block."""
    blocks = re.findall(r'<div class="field.*?\n</div>', html, re.S)
    return next(block for block in blocks if f"id_{name}" in block)


def test_a_valid_field_ties_its_hint_and_nothing_else():
    html = render_to_string("includes/form.html", {"form": SampleForm()})
    name = _field(html, "name")

    assert '<label for="id_name">Name</label>' in name
    assert 'id="id_name_helptext"' in name
    assert 'aria-describedby="id_name_helptext"' in name
    assert "aria-invalid" not in name and "_error" not in name


def test_an_invalid_field_ties_its_error_and_says_it_is_invalid():
    form = SampleForm({"note": "x"})
    form.is_valid()
    html = render_to_string("includes/form.html", {"form": form})

    name = _field(html, "name")
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert 'aria-invalid="true"' in name
    assert '<div id="id_name_error"><p class="error">' in name
    # The error is met before the input.
    assert name.index('id="id_name_error"') < name.index("<input")


def test_a_group_of_choices_is_a_described_fieldset_with_the_fields_id():
    form = SampleForm({"name": "x"})
    form.is_valid()
    urgency = _field(render_to_string("includes/form.html", {"form": form}), "urgency")

    assert re.search(
        r'<fieldset id="id_urgency" tabindex="-1" '
        r'aria-describedby="id_urgency_helptext id_urgency_error">', urgency
    )
    assert "<legend>Urgency</legend>" in urgency
    assert 'id="id_urgency_error"' in urgency


def test_required_fields_are_marked_only_where_the_page_asks():
    form = SampleForm()
    plain = render_to_string("includes/field.html", {"field": form["name"]})
    marked = render_to_string("includes/field.html", {"field": form["name"],
                                                      "mark_required": True})
    optional = render_to_string("includes/field.html", {"field": form["note"],
                                                        "mark_required": True})

    assert "(required)" not in plain
    assert "(required)" in marked
    assert "(required)" not in optional


def test_no_page_renders_fields_through_another_template():
    templates = Path(settings.BASE_DIR) / "templates"
    gone = ("cases/case/includes/fields.html", "cases/manage/fields.html",
            "cases/intake/_field.html")
    for path in templates.rglob("*.html"):
        text = path.read_text()
        for old in gone:
            assert old not in text, path
    for old in gone:
        assert not (templates / old).exists()
