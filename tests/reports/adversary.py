"""An adversary who differences published statistics (used by the suppression tests).

The world is a grid of *blocks*: cases counted by (month, team, service type, coded
category). A *view* is what the statistics page offers: a first and a last whole month,
all teams or one, all service types or one. Each view publishes, as the page does, one
table by category, one by month and one by team, each with the view's total.

The adversary knows how bands are made and sees the published bands of any two views.
She writes every published figure as "the sum of these blocks lies in [low, high]",
subtracts every figure from every other figure whose blocks contain it and adds up
figures over disjoint blocks (differencing: overlapping periods, a team and all teams, a
total and its cells), then tightens the bounds of every block to a fixpoint. She has
recovered a count when some figure, derived figure or block that truly holds between 1
and k−1 cases comes out with equal lower and upper bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations, product

Publish = Callable[[int, int], tuple[int, int]]
Block = tuple[int, int, int, int]  # month, team, service, category


@dataclass(frozen=True)
class World:
    months: int
    teams: int
    services: int
    categories: int
    counts: dict[Block, int]

    def blocks(self) -> list[Block]:
        return list(
            product(range(self.months), range(self.teams), range(self.services),
                    range(self.categories))
        )


@dataclass(frozen=True)
class View:
    first_month: int
    last_month: int
    team: int | None
    service: int | None

    def holds(self, block: Block) -> bool:
        month, team, service, _ = block
        return (
            self.first_month <= month <= self.last_month
            and (self.team is None or team == self.team)
            and (self.service is None or service == self.service)
        )


def figures(world: World, view: View) -> list[frozenset[Block]]:
    """The block sets of every figure the view publishes: by category, month, team, total."""
    inside = [b for b in world.blocks() if view.holds(b)]
    sets: list[frozenset[Block]] = [frozenset(inside)]
    for axis, size in ((3, world.categories), (0, world.months), (1, world.teams)):
        for value in range(size):
            sets.append(frozenset(b for b in inside if b[axis] == value))
    return [s for s in sets if s]


def published(world: World, views: Iterable[View], publish: Publish, k: int):
    seen: dict[frozenset[Block], tuple[int, int]] = {}
    for view in views:
        for blocks in figures(world, view):
            seen[blocks] = publish(sum(world.counts[b] for b in blocks), k)
    return seen


def recovered(world: World, views: Iterable[View], publish: Publish, k: int) -> list[str]:
    """What the adversary learns exactly among counts of 1..k−1 (empty: nothing)."""
    facts = published(world, views, publish, k)
    # Differencing: a figure minus a figure it contains; figures over disjoint blocks added.
    derived = dict(facts)
    items = list(facts.items())
    for (big, (low_b, high_b)), (small, (low_s, high_s)) in product(items, items):
        if small < big:
            rest = big - small
            _tighten(derived, rest, max(0, low_b - high_s), high_b - low_s)
        elif not (big & small) and big is not small:
            _tighten(derived, big | small, low_b + low_s, high_b + high_s)
    low = {b: 0 for b in world.blocks()}
    high = {b: sum(world.counts.values()) + 10 * k for b in world.blocks()}
    changed = True
    while changed:
        changed = False
        for blocks, (lo, hi) in derived.items():
            sum_low = sum(low[b] for b in blocks)
            sum_high = sum(high[b] for b in blocks)
            for b in blocks:
                new_high = min(high[b], hi - (sum_low - low[b]))
                new_low = max(low[b], lo - (sum_high - high[b]))
                if (new_low, new_high) != (low[b], high[b]):
                    sum_low += new_low - low[b]
                    sum_high += new_high - high[b]
                    low[b], high[b] = new_low, new_high
                    changed = True
    found = []
    targets = list(derived.items()) + [(frozenset([b]), (0, high[b])) for b in world.blocks()]
    for blocks, (lo, hi) in targets:
        lo = max(lo, sum(low[b] for b in blocks))
        hi = min(hi, sum(high[b] for b in blocks))
        true = sum(world.counts[b] for b in blocks)
        assert lo <= true <= hi, "the adversary's reasoning must stay sound"
        if lo == hi and 1 <= true < k:
            found.append(f"{sorted(blocks)} = {true}")
    return found


def _tighten(facts: dict, blocks: frozenset, low: int, high: int) -> None:
    if blocks in facts:
        old_low, old_high = facts[blocks]
        facts[blocks] = (max(old_low, low), min(old_high, high))
    else:
        facts[blocks] = (low, high)


def recovered_exactly(world: World, views: Iterable[View], publish: Publish, k: int) -> list[str]:
    """The complete adversary, for worlds of a few blocks: every assignment of counts to
    the blocks that agrees with every published band is enumerated, and any group of
    blocks whose total is the same in all of them — and truly between 1 and k−1 — is
    recovered. Nothing cleverer can learn more from the same two views."""
    facts = published(world, views, publish, k)
    seen = sorted({b for blocks in facts for b in blocks})
    index = {b: i for i, b in enumerate(seen)}
    limits = [min(hi for blocks, (_lo, hi) in facts.items() if b in blocks) for b in seen]
    constraints = [([index[b] for b in blocks], lo, hi) for blocks, (lo, hi) in facts.items()]
    possible = [
        counts for counts in product(*(range(limit + 1) for limit in limits))
        if all(lo <= sum(counts[i] for i in members) <= hi for members, lo, hi in constraints)
    ]
    truth = tuple(world.counts[b] for b in seen)
    assert truth in possible, "the enumeration must hold the truth"
    found = []
    for size in range(1, len(seen) + 1):
        for group in combinations(range(len(seen)), size):
            true = sum(truth[i] for i in group)
            if 1 <= true < k and all(sum(c[i] for i in group) == true for c in possible):
                found.append(f"{[seen[i] for i in group]} = {true}")
    return found
