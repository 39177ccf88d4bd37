"""Small-cell suppression that holds against differencing (issue 13, DESIGN §9).

The rule: no published figure lets anyone learn that between 1 and k−1 women (k =
``AMPARO_STATISTICS_MIN_CELL``, 10 by default, never below 5) share some combination of
period, team, service and coded trait, neither from one table nor from any two views the
statistics page and the monthly report offer.

Why hiding small cells is not enough: a page that shows "<10" for small counts but exact
counts above it gives the count away by subtraction. Two overlapping periods (January–
March: 25, February–March: 22 → January: 3), a team and "all teams", or a row total
minus the other cells each recover a hidden cell. Complementary suppression (hiding a
second cell so that the first cannot be subtracted out) only holds for one fixed table;
a page that lets the reader choose periods and filters produces unlimited overlapping
tables, and no choice of extra hidden cells protects them all.

The design, therefore, is that **no count is ever published exactly**. Every count —
cells, totals, every figure of every view — is published as a *band*:

- a count under k is published as the band ``[0, k−1]`` ("<10"); zero too, so that an
  empty cell is not told apart from a small one;
- a count of k or more is published as the band ``[k + w·j, k + w·j + w − 1]`` that
  holds it ("10–12", "13–15", …), where the width ``w`` is the smallest divisor of k−1
  that is at least 3 (3 for k = 10, 5 for k = 11).

The bands are a fixed function of the true count, the same in every view, so asking
again or asking differently yields nothing new. Why this resists differencing:

1. *Two views.* The difference of two bands never pins a count: the difference of two
   figures is known only to within the sum of their widths, and a difference of zero
   would need one band's top to equal another band's bottom, which the residues below
   rule out.
2. *Totals.* A total pins its cells only when every cell sits at the top of its band and
   the total at the bottom of its band (the cells' tops then add up exactly to the
   total's bottom). Every band's top is ≡ 0 (mod w) — k−1 is a multiple of w, and
   k + w·j + w − 1 ≡ k − 1 ≡ 0 — while every band's bottom above the first is ≡ 1
   (mod w), since k ≡ 1. A sum of tops is ≡ 0 and can never equal a bottom ≡ 1, so a
   total never pins a small cell at its top. The opposite corner (every cell at the
   bottom of its band, the total at its top) can only pin cells to 0 or to counts of k
   or more, which are not small counts of women.
3. *The offered views* are whole months only (a period is a first and a last month),
   all of one's teams or one team, all service types or one. Every figure is therefore
   a sum over whole (month, team, service) blocks, and two views differ by whole blocks,
   which are themselves published only as bands.

``tests/reports/test_suppression_adversary.py`` plays the adversary with Hypothesis: it
draws a population, requests any two views, subtracts every figure from every other it
contains, propagates the bounds to a fixpoint, and fails if any count between 1 and k−1
comes out exact; on populations of a few blocks a complete adversary enumerates every
population that agrees with both views. The same tests show that exact publication, and
rounding to tens, do give counts away to the same adversaries.

Shares (percentages), medians and other derived numbers are not published: they would
be computed from exact counts and undo the bands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _

MIN_THRESHOLD = 5


@cache
def band_width(threshold: int) -> int:
    """The smallest divisor of ``threshold − 1`` that is at least 3 (see the docstring)."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The small-cell threshold may not be below {MIN_THRESHOLD}.")
    return next(w for w in range(3, threshold) if (threshold - 1) % w == 0)


def threshold() -> int:
    value = settings.AMPARO_STATISTICS_MIN_CELL
    if value < MIN_THRESHOLD:  # settings refuse this too; a test may override settings
        raise ValueError(f"AMPARO_STATISTICS_MIN_CELL may not be below {MIN_THRESHOLD}.")
    return value


@dataclass(frozen=True)
class Band:
    """What is published of one count: it lies between ``low`` and ``high``."""

    low: int
    high: int
    threshold: int

    @property
    def is_small(self) -> bool:
        return self.high < self.threshold

    @property
    def label(self) -> str:
        if self.is_small:
            return f"<{self.threshold}"
        return f"{self.low}–{self.high}"

    @property
    def spoken(self) -> str:
        """The band as a screen reader should say it."""
        if self.is_small:
            return _("fewer than %(n)s") % {"n": self.threshold}
        return _("between %(low)s and %(high)s") % {"low": self.low, "high": self.high}

    def __str__(self) -> str:
        return self.label


def publish(count: int, k: int | None = None) -> Band:
    """The band that is published for a true ``count`` (never the count itself)."""
    k = threshold() if k is None else k
    if count < 0:
        raise ValueError("A count cannot be negative.")
    if count < k:
        return Band(0, k - 1, k)
    width = band_width(k)
    low = k + ((count - k) // width) * width
    return Band(low, low + width - 1, k)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    band: Band


@dataclass(frozen=True)
class Table:
    """One published figure: rows of bands, and the total's band when the rows are
    exclusive (each case in exactly one row). Rows of a multi-valued trait (a case may
    have several types of exploitation) have no total: it would not be their sum."""

    rows: tuple[Row, ...]
    total: Band | None

    @property
    def is_empty(self) -> bool:
        return not self.rows


def publish_table(
    counts: Mapping[str, int],
    labels: Iterable[tuple[str, str]],
    *,
    total: int | None = None,
    k: int | None = None,
) -> Table:
    """Publish every row of ``labels`` (code, label) — rows without cases too, so that the
    set of rows says nothing — and the total when one is given."""
    k = threshold() if k is None else k
    rows = tuple(Row(code, str(label), publish(counts.get(code, 0), k)) for code, label in labels)
    return Table(rows=rows, total=publish(total, k) if total is not None else None)
