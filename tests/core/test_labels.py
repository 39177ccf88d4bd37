"""One helper labels coded values everywhere (``core.labels``); no database needed."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cases import vocabularies as cv
from core.labels import label, labels


class Colour(models.TextChoices):
    RED = "red", _("Red")
    BLUE = "blue", "Blue"


def test_a_code_is_shown_by_its_label():
    assert label("red", Colour) == "Red"
    assert labels(["blue", "red"], Colour) == ["Blue", "Red"]


def test_pairs_work_as_well_as_a_choices_class():
    assert label("blue", Colour.choices) == "Blue"


def test_no_value_is_an_empty_label_and_no_values_an_empty_list():
    assert label("", Colour) == ""
    assert label(None, Colour) == ""
    assert labels(None, Colour) == []
    assert labels([], Colour) == []


def test_a_retired_code_is_shown_as_stored_rather_than_hidden():
    assert label("green", Colour) == "green"
    assert labels(["red", "green"], Colour) == ["Red", "green"]


def test_labels_follow_the_readers_language():
    with override("es"):
        spanish = label(cv.RiskLevel.HIGH, cv.RiskLevel)
    with override("en"):
        english = label(cv.RiskLevel.HIGH, cv.RiskLevel)
    assert spanish != english and spanish and english
