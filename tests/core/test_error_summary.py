"""The error summary: every refused form's messages, at the top of the page, as links to
their fields, and "Error:" in the page title in both languages."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from core.templatetags.error_summary import ErrorLink, collect_errors


class StepForm(forms.Form):
    reason = forms.CharField(label="Reason")
    choice = forms.ChoiceField(
        label="Choice", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    case_id = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The step cannot be taken now.")


def test_each_field_message_links_to_its_field_and_a_form_message_to_the_first_field():
    form = StepForm(data={"case_id": "x"})
    links = collect_errors([form])
    assert ErrorLink("The step cannot be taken now.", "id_reason") in links
    assert ErrorLink("This field is required.", "id_reason") in links
    assert ErrorLink("This field is required.", "id_choice") in links
    # A hidden field's message is shown, but leads nowhere a person could correct it.
    assert ErrorLink("Enter a whole number.", "") in links


def test_unbound_and_valid_forms_give_no_summary():
    class Plain(forms.Form):
        name = forms.CharField()

    valid = Plain(data={"name": "x"})
    assert valid.is_valid()
    assert collect_errors([Plain(), valid, "text", None]) == []


def test_a_form_seen_twice_in_the_context_is_summarised_once():
    form = StepForm(data={})
    assert collect_errors([form, form]) == collect_errors([form])


def test_a_formset_gives_its_forms_messages_with_their_prefixed_ids():
    class Row(forms.Form):
        name = forms.CharField()

    rows = forms.formset_factory(Row, extra=0, min_num=1, validate_min=True)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    )
    assert ErrorLink("This field is required.", "id_form-0-name") in collect_errors([rows])


def _page(form, language: str) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        return render_to_string("base.html", {"form": form, "request": request})


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_form_puts_the_summary_first_in_main_and_error_in_the_title(language):
    html = _page(StepForm(data={}), language)
    assert re.search(r"<title>Error: ", html)
    main = html.split('<main id="main" tabindex="-1">', 1)[1]
    # The summary comes before anything else of the main content, focusable by script.
    assert main.lstrip().startswith('<div class="error-summary" id="error-summary" tabindex="-1"')
    assert '<a href="#id_reason">' in main
    assert "js/error-summary.js" in html
    heading = "There is a problem" if language == "en" else "Hay un problema"
    assert heading in main


def test_a_page_without_refused_form_has_no_summary_and_no_error_title():
    html = _page(StepForm(), "en")
    assert "error-summary" not in html
    assert "Error:" not in html


def test_the_summary_escapes_what_a_message_repeats_from_the_input():
    class Echo(forms.Form):
        name = forms.CharField()

        def clean_name(self):
            raise forms.ValidationError("No <b>%(value)s</b>", params={"value": "<script>"})

    html = _page(Echo(data={"name": "<script>"}), "en")
    assert "<script>" not in html.split("<main", 1)[1]


def test_the_summary_tag_reads_forms_from_any_template():
    template = Template("{% load error_summary %}{% page_errors as e %}{{ e|length }}")
    assert template.render(Context({"step": StepForm(data={})})) != "0"


def test_forms_nested_in_dicts_and_lists_are_summarised():
    class Row(forms.Form):
        name = forms.CharField(label="Name")

    rows = forms.formset_factory(Row, extra=0, min_num=1, validate_min=True)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    )
    context = {"bound": {"goal": StepForm(data={}), "review": None}, "tables": [(rows,)]}
    links = collect_errors(context.values())
    assert ErrorLink("The step cannot be taken now.", "id_reason") in links
    assert ErrorLink("This field is required.", "id_form-0-name") in links


def test_a_formsets_own_message_leads_to_its_first_row():
    class Row(forms.Form):
        name = forms.CharField()

    rows = forms.formset_factory(Row, extra=0, max_num=1, validate_max=True)(
        data={"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
              "form-0-name": "a", "form-1-name": "b"}
    )
    assert [link.target for link in collect_errors([rows])] == ["id_form-0-name"]


def test_each_link_names_its_field():
    html = _page(StepForm(data={"choice": "a", "case_id": "1"}), "en")
    assert '<a href="#id_reason">Reason: This field is required.</a>' in html


def _page_with_messages(language: str, *sent: tuple[int, str]) -> str:
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}
    storage = FallbackStorage(request)
    for level, text in sent:
        storage.add(level, text)
    with translation.override(language):
        return render_to_string("base.html", {"request": request, "messages": storage})


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refusal_that_redirected_leads_the_page_as_the_error_summary(language):
    from django.contrib.messages import ERROR, SUCCESS

    html = _page_with_messages(
        language, (SUCCESS, "Draft saved."), (ERROR, "The referral can no longer be withdrawn.")
    )
    assert html.split("<title>", 1)[1].startswith("Error: ")
    main = html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()
    assert main.startswith('<div class="error-summary" id="error-summary" tabindex="-1"')
    summary, rest = main.split("</div>", 1)
    assert "data-focus-on-load" in summary
    assert "<li>The referral can no longer be withdrawn.</li>" in summary
    assert "Draft saved." not in summary
    # What went well is a quiet notice under it, the refusal not said twice.
    assert '<div class="messages" role="status">' in rest and "Draft saved." in rest
    assert "can no longer be withdrawn" not in rest
    assert "js/error-summary.js" in html


def test_a_success_alone_is_a_status_notice_without_summary():
    from django.contrib.messages import SUCCESS

    html = _page_with_messages("en", (SUCCESS, "Draft saved."))
    assert "error-summary" not in html
    assert "<title>Error:" not in html
    assert '<div class="messages" role="status">' in html and "Draft saved." in html


def test_a_refusal_without_a_form_links_to_what_answers_it_when_the_page_names_it():
    from core.templatetags.error_summary import page_errors

    linked = page_errors(Context({"refusal": "Choose another service.",
                                  "refusal_target": "service-choices"}))
    alone = page_errors(Context({"refusal": "This case is closed."}))

    assert linked == [ErrorLink("Choose another service.", "service-choices")]
    assert alone == [ErrorLink("This case is closed.", "")]
