"""The error summary every page shows above its content when a form on it was refused.

Views render their forms in many shapes (a page of one form, a case page with a refused
step's form among several, a formset), and a refusal used to appear wherever the form
sat, often a phone's screens below the top. Instead of every template repeating a
summary, base.html asks this tag for every bound form with errors in the context and
shows them together at the top of the main content (as the GOV.UK Design System does),
each message a link to its field; error-summary.js moves focus there on load.

A refusal that redirects (a withdrawn step, a close refused after the fact) has no form to
show again: it leaves a ``messages.error``. Such a message joins the same summary, so that
every refusal, whichever way it arrives, is the first thing on the page and takes focus;
other messages (a step done) are a quiet ``role="status"`` notice (``page_notices``).
A page shown again for a refused step whose form is gone (someone else moved the referral
first) names the refusal in its context as ``refusal``, and it joins the summary too,
a link to ``refusal_target`` (the id of the choices that answer it) when the page gives one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django import forms, template
from django.contrib.messages import constants as message_levels
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class ErrorLink:
    """One message of the summary; ``target`` is the id of its field, or "" when the
    message belongs to no field a person could go to (then it is shown without a link)."""

    message: str
    target: str
    # The field's label, said before the message ("Reason: This field is required."), so
    # that a list of several refused fields says which is which. Two links are the same
    # message whatever their label.
    label: str = field(default="", compare=False)


def _first_visible_id(form: forms.BaseForm) -> str:
    for visible in form.visible_fields():
        return visible.auto_id or ""
    return ""


def _form_errors(form: forms.BaseForm) -> Iterator[ErrorLink]:
    if not form.is_bound or not form.errors:
        return
    # A message about the whole form leads to its first field: that is where a person
    # starts correcting it.
    for message in form.non_field_errors():
        yield ErrorLink(str(message), _first_visible_id(form))
    for bound in form:
        if bound.is_hidden:
            # A hidden field's message cannot be corrected by the person: it is shown,
            # but leads nowhere.
            for message in bound.errors:
                yield ErrorLink(str(message), "")
            continue
        for message in bound.errors:
            yield ErrorLink(str(message), bound.auto_id or "", str(bound.label or ""))


def _formset_errors(formset: BaseFormSet) -> Iterator[ErrorLink]:
    if not formset.is_bound:
        return
    first = _first_visible_id(formset.forms[0]) if formset.forms else ""
    for message in formset.non_form_errors():
        yield ErrorLink(str(message), first)
    for form in formset.forms:
        yield from _form_errors(form)


# How deep a view may nest its forms in the context ({"bound": {"goal": form}}, a list of
# formsets); deeper than this is data, not forms, and is not walked.
_NESTING = 3


def _walk(value: object, depth: int, seen: set[int], links: list[ErrorLink]) -> None:
    if id(value) in seen:
        return
    if isinstance(value, BaseFormSet):
        seen.add(id(value))
        seen.update(id(form) for form in value.forms)
        links.extend(_formset_errors(value))
    elif isinstance(value, forms.BaseForm):
        seen.add(id(value))
        links.extend(_form_errors(value))
    elif depth < _NESTING and isinstance(value, dict | list | tuple):
        # Only plain containers: a queryset or a paginator page would run a query.
        seen.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            _walk(item, depth + 1, seen, links)


def collect_errors(values: Iterable[object]) -> list[ErrorLink]:
    """Every refused form's messages among ``values`` (forms, formsets, and plain lists,
    tuples and dicts holding them), each form once, in context order."""
    seen: set[int] = set()
    links: list[ErrorLink] = []
    for value in values:
        _walk(value, 1, seen, links)
    # The same message on two forms (or twice on one) is said once.
    unique: dict[ErrorLink, None] = dict.fromkeys(links)
    return list(unique)


@register.simple_tag(takes_context=True)
def page_errors(context: template.Context) -> list[ErrorLink]:
    """``{% page_errors as errors %}``: the messages of every refused form on the page."""
    links = collect_errors(context.flatten().values())
    # The messages of a refusal that redirected come first: they say why the last step
    # was not taken, before anything on this page's own forms.
    refusals = [ErrorLink(str(message), "") for message in _messages(context)
                if message.level >= message_levels.ERROR]
    if refusal := context.get("refusal"):
        # ``refusal_target``: the id of what answers it (a list of choices), if any.
        refusals.append(ErrorLink(str(refusal), str(context.get("refusal_target") or "")))
    return list(dict.fromkeys([*refusals, *links]))


@register.simple_tag(takes_context=True)
def page_notices(context: template.Context) -> list[object]:
    """``{% page_notices as notices %}``: the messages that are not refusals (a step done,
    a warning), shown as a ``role="status"`` notice under the summary."""
    return [message for message in _messages(context) if message.level < message_levels.ERROR]


def _messages(context: template.Context) -> list[object]:
    # Iterating the storage marks its messages as shown; both tags read the same list.
    storage = context.get("messages")
    return list(storage) if storage is not None else []
