"""Shares: amounts → percentages rounded so that the column a reader adds up shows exactly 100%.

Rounding each share on its own can show 60.9% + 21.7% + 3.3% + 7% + 2.4% + 4.8% = 100.1%.
``largest_remainder`` (Hamilton's method) rounds every share down, then gives the tenths still
missing to the shares that lost the most, so the rounded shares always sum to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from math import floor


def largest_remainder(values: Sequence[Decimal | int], places: int = 1,
                      total: Decimal | int = 100) -> list[Decimal]:
    """Each value's share of their sum, in % to ``places`` decimals, summing exactly to ``total``.

    ``[840000, 300000, 45000, 96000, 33000, 66000]`` → ``60.9, 21.7, 3.3, 6.9, 2.4, 4.8`` (100.0,
    where rounding each gives 7.0 and 100.1). Exact arithmetic, no float. Ties in the remainder go
    to the larger value, then to the earlier line. All zero (or no values) → every share 0.
    Values must not be negative: a share of a sum is only meaningful for parts of a whole.
    """
    if any(v < 0 for v in values):
        raise ValueError(f"shares need non-negative values, got {list(values)}")
    step = Decimal(1).scaleb(-places)
    whole = sum((Fraction(v) for v in values), Fraction(0))
    if not whole:
        return [Decimal(0).quantize(step) for _ in values]
    units = Fraction(Decimal(total)) * 10 ** places            # e.g. 1000 tenths of a percent
    exact = [Fraction(v) * units / whole for v in values]
    counts = [floor(x) for x in exact]
    missing = int(units) - sum(counts)
    order = sorted(range(len(values)), key=lambda i: (-(exact[i] - counts[i]), -Fraction(values[i]), i))
    for i in order[:missing]:
        counts[i] += 1
    return [Decimal(n).scaleb(-places).quantize(step) for n in counts]
