"""Small-cell suppression holds against an adversary who differences any two views
(issue 13, item 2; the design is in reports/suppression.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.suppression import band_width, publish
from tests.reports.adversary import View, World, recovered, recovered_exactly


def amparo_bands(count: int, k: int) -> tuple[int, int]:
    band = publish(count, k)
    return band.low, band.high


def exact_above_threshold(count: int, k: int) -> tuple[int, int]:
    """What most systems do: hide small cells, show the others exactly."""
    return (0, k - 1) if count < k else (count, count)


def rounded_to_tens(count: int, k: int) -> tuple[int, int]:
    low = (count // 10) * 10
    return (0, k - 1) if count < k else (low, low + 9)


@st.composite
def worlds(draw, max_months: int = 4, max_count: int = 14) -> World:
    months = draw(st.integers(1, max_months))
    teams = draw(st.integers(1, 2))
    services = draw(st.integers(1, 2))
    categories = draw(st.integers(1, 3))
    shape = World(months, teams, services, categories, {})
    counts = {b: draw(st.integers(0, max_count)) for b in shape.blocks()}
    return World(months, teams, services, categories, counts)


@st.composite
def views(draw, world: World) -> View:
    first = draw(st.integers(0, world.months - 1))
    last = draw(st.integers(first, world.months - 1))
    team = draw(st.none() | st.integers(0, world.teams - 1))
    service = draw(st.none() | st.integers(0, world.services - 1))
    return View(first, last, team, service)


@st.composite
def worlds_and_two_views(draw, **kwargs):
    world = draw(worlds(**kwargs))
    return world, draw(views(world)), draw(views(world))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=worlds_and_two_views(), k=st.sampled_from([5, 6, 7, 10, 11, 12]))
def test_no_two_views_give_away_a_count_under_the_threshold(case, k):
    world, first, second = case
    assert recovered(world, [first, second], amparo_bands, k) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=worlds_and_two_views(max_count=30))
def test_larger_counts_do_not_help_the_adversary_either(case):
    world, first, second = case
    assert recovered(world, [first, second], amparo_bands, 10) == []


def test_the_adversary_recovers_overlapping_periods_when_counts_are_exact_above_ten():
    """The adversary has teeth: January–February 23 and February 20 give January 3."""
    world = World(2, 1, 1, 1, {(0, 0, 0, 0): 3, (1, 0, 0, 0): 20})
    both, february = View(0, 1, None, None), View(1, 1, None, None)
    assert recovered(world, [both, february], exact_above_threshold, 10)
    assert recovered(world, [both, february], amparo_bands, 10) == []


def test_the_adversary_recovers_a_cell_from_its_total_when_counts_are_exact_above_ten():
    world = World(1, 1, 1, 2, {(0, 0, 0, 0): 4, (0, 0, 0, 1): 30})
    view = View(0, 0, None, None)
    assert recovered(world, [view], exact_above_threshold, 10)
    assert recovered(world, [view], amparo_bands, 10) == []


def test_rounding_to_tens_gives_cells_away_when_they_all_sit_at_the_top_of_their_band():
    """Ten cells of 9 under a total of 90: every cell is exactly 9. Amparo's bands have
    tops and bottoms in different residues, so this corner cannot happen."""
    world = World(1, 1, 1, 10, {(0, 0, 0, c): 9 for c in range(10)})
    view = View(0, 0, None, None)
    assert recovered(world, [view], rounded_to_tens, 10)
    assert recovered(world, [view], amparo_bands, 10) == []


def test_a_team_and_all_teams_give_nothing_away():
    world = World(1, 2, 1, 2, {(0, 0, 0, 0): 12, (0, 0, 0, 1): 1,
                                (0, 1, 0, 0): 7, (0, 1, 0, 1): 20})
    assert recovered(world, [View(0, 0, None, None), View(0, 0, 0, None)], amparo_bands, 10) == []
    assert recovered(
        world, [View(0, 0, None, None), View(0, 0, 0, None)], exact_above_threshold, 10
    )


def test_every_band_top_and_bottom_keep_their_residues():
    for k in range(5, 40):
        width = band_width(k)
        assert width >= 3 and (k - 1) % width == 0
        for count in range(0, 200):
            band = publish(count, k)
            assert band.low <= count <= band.high
            assert band.high % width == 0 or band.high == k - 1
            assert band.low == 0 or band.low % width == 1 % width


def test_small_counts_and_zero_look_the_same():
    assert {publish(n, 10).label for n in range(10)} == {"<10"}
    assert publish(10, 10).label == "10–12"
    assert publish(14, 10).label == "13–15"


@st.composite
def small_worlds_and_two_views(draw):
    """Four blocks at most, so that the complete adversary can enumerate them."""
    months, teams, categories = draw(st.sampled_from([(1, 2, 2), (2, 1, 2), (2, 2, 1),
                                                       (1, 1, 3), (3, 1, 1), (1, 1, 4)]))
    shape = World(months, teams, 1, categories, {})
    counts = {b: draw(st.integers(0, 13)) for b in shape.blocks()}
    world = World(months, teams, 1, categories, counts)
    return world, draw(views(world)), draw(views(world))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=small_worlds_and_two_views(), k=st.sampled_from([5, 7, 10, 11]))
def test_even_the_complete_adversary_recovers_nothing_from_two_views(case, k):
    world, first, second = case
    assert recovered_exactly(world, [first, second], amparo_bands, k) == []


def test_the_complete_adversary_has_teeth():
    world = World(2, 1, 1, 1, {(0, 0, 0, 0): 3, (1, 0, 0, 0): 20})
    both, february = View(0, 1, None, None), View(1, 1, None, None)
    assert recovered_exactly(world, [both, february], exact_above_threshold, 10)
