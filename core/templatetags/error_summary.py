"""The error summary every page shows above its content when a form on it was refused.

Views render their forms in many shapes (a page of one form, a case page with a refused
step's form among several, a formset), and a refusal used to appear wherever the form
sat, often a phone's screens below the top. Instead of every template repeating a
summary, base.html asks this tag for every bound form with errors in the context and
shows them together at the top of the main content (as the GOV.UK Design System does),
each message a link to its field; error-summary.js moves focus there on load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class ErrorLink:
    """One message of the summary; ``target`` is the id of its field, or "" when the
    message belongs to no field a person could go to (then it is shown without a link)."""

    message: str
    target: str


def _first_visible_id(form: forms.BaseForm) -> str:
    for field in form.visible_fields():
        return field.auto_id or ""
    return ""


def _form_errors(form: forms.BaseForm) -> Iterator[ErrorLink]:
    if not form.is_bound or not form.errors:
        return
    # A message about the whole form leads to its first field: that is where a person
    # starts correcting it.
    for message in form.non_field_errors():
        yield ErrorLink(str(message), _first_visible_id(form))
    for field in form:
        if field.is_hidden:
            # A hidden field's message cannot be corrected by the person: it is shown,
            # but leads nowhere.
            for message in field.errors:
                yield ErrorLink(str(message), "")
            continue
        for message in field.errors:
            yield ErrorLink(str(message), field.auto_id or "")


def _formset_errors(formset: BaseFormSet) -> Iterator[ErrorLink]:
    if not formset.is_bound:
        return
    first = _first_visible_id(formset.forms[0]) if formset.forms else ""
    for message in formset.non_form_errors():
        yield ErrorLink(str(message), first)
    for form in formset.forms:
        yield from _form_errors(form)


def collect_errors(values: Iterable[object]) -> list[ErrorLink]:
    """Every refused form's messages among ``values``, each form once, in context order."""
    seen: set[int] = set()
    links: list[ErrorLink] = []
    for value in values:
        if id(value) in seen:
            continue
        if isinstance(value, BaseFormSet):
            seen.add(id(value))
            seen.update(id(form) for form in value.forms)
            links.extend(_formset_errors(value))
        elif isinstance(value, forms.BaseForm):
            seen.add(id(value))
            links.extend(_form_errors(value))
    # The same message on two forms (or twice on one) is said once.
    unique: dict[ErrorLink, None] = dict.fromkeys(links)
    return list(unique)


@register.simple_tag(takes_context=True)
def page_errors(context: template.Context) -> list[ErrorLink]:
    """``{% page_errors as errors %}``: the messages of every refused form on the page."""
    return collect_errors(context.flatten().values())
