"""Whatever is typed or forged into the intake and its sections, the answer is a form
(200) or a save (302), never a server error."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.forms.intake import (
    DocumentForm,
    IdentityForm,
    IntakeForm,
    NeedsForm,
    ProfileForm,
    RouteStopForm,
    SafeContactForm,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e500", "-0", "NaN", "0x1F", "١٢", "2999-02-30", "1900-01-01", ""]),
)


def _choice_values(form_class) -> list[str]:
    values: list[str] = []
    for field in form_class.base_fields.values():
        if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.ModelChoiceField):
            continue
        for value, _label in field.choices:
            if isinstance(value, str):
                values.append(value)
    return values


def _values(form_class):
    one = st.one_of(texts, numbers, st.sampled_from(_choice_values(form_class) or [""]))
    return st.one_of(one, st.lists(one, max_size=3))


def _data(form_class, prefix: str | None = None, rows: int = 0):
    names = list(form_class.base_fields)
    if prefix:
        names = [f"{prefix}-{row}-{name}" for row in range(rows) for name in names]
    return st.dictionaries(st.sampled_from(names), _values(form_class), max_size=len(names))


def _management(prefix: str):
    count = st.one_of(st.integers(min_value=-3, max_value=10**9).map(str), texts)
    return st.fixed_dictionaries(
        {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count}
    )


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.status_code


def test_the_intake_never_fails(client_for, caseworker, team):
    client = client_for(caseworker)

    @given(data=_data(IntakeForm), with_team=st.booleans())
    @FUZZ
    def run(data, with_team):
        if with_team:
            data["team"] = str(team.pk)
        _post(client, reverse("cases:intake_start"), data)

    run()


@pytest.mark.parametrize(
    ("section", "form_class"),
    [
        ("identity", IdentityForm),
        ("safe-contact", SafeContactForm),
        ("profile", ProfileForm),
        ("narrative", NeedsForm),
    ],
)
def test_single_form_sections_never_fail(client_for, caseworker, case, section, form_class):
    client = client_for(caseworker)
    url = reverse("cases:edit_section", args=[case.pk, section])

    @given(data=_data(form_class))
    @FUZZ
    def run(data):
        _post(client, url, data)

    run()


@pytest.mark.parametrize(
    ("section", "form_class"), [("documents", DocumentForm), ("route", RouteStopForm)]
)
def test_row_sections_never_fail(client_for, caseworker, case, section, form_class):
    client = client_for(caseworker)
    url = reverse("cases:edit_section", args=[case.pk, section])

    @given(rows=_data(form_class, prefix=section, rows=3), management=_management(section))
    @FUZZ
    def run(rows, management):
        _post(client, url, {**management, **rows})

    run()
