"""The ranges of the user's options, checked before any work.

Kept out of the stage packages so that the command line can quote them in its help
without importing numpy; :mod:`pasdeux.choreo` re-exports them and checks them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["FLOOR_SIDE_RANGE_M", "HEIGHT_RANGE_M", "SEED_MAX", "check_within"]

#: The floor sizes accepted, each side in metres: a couple needs room to dance, and a
#: floor beyond a sports hall is a typo (the viewer draws a grid line a metre).
FLOOR_SIDE_RANGE_M = (3.0, 100.0)
#: The largest seed (the seeds numpy's generators take as one 32-bit word).
SEED_MAX = 2**32 - 1
#: The dancers' heights accepted, in metres: from a child of ten to a very tall adult (the
#: holds are made for partners of about the same size; a typo such as 180 is refused).
HEIGHT_RANGE_M = (1.2, 2.2)


def check_within(
    owner: object,
    names: Iterable[str],
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Refuse the first of ``owner``'s attributes ``names`` outside ``low``-``high`` (each
    end included unless ``low_open`` / ``high_open``; NaN is never within).

    Raises
    ------
    ValueError
        Naming the attribute, the range and the value.
    """
    for name in names:
        value = getattr(owner, name)
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below):
            raise ValueError(
                f"{name} must be {_range_words(low, high, low_open, high_open)}, got {value}"
            )


def _range_words(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high):
        if low == 0.0:
            return "positive" if low_open else "not negative"
        return f"above {low:g}" if low_open else f"at least {low:g}"
    if low_open or high_open:
        return f"within {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    return f"within {low:g}-{high:g}"
