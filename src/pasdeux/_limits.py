"""The ranges of the user's options, checked before any work.

Kept out of the stage packages so that the command line can quote them in its help
without importing numpy; :mod:`pasdeux.choreo` re-exports them and checks them.
"""

from __future__ import annotations

__all__ = ["FLOOR_SIDE_RANGE_M", "HEIGHT_RANGE_M", "SEED_MAX"]

#: The floor sizes accepted, each side in metres: a couple needs room to dance, and a
#: floor beyond a sports hall is a typo (the viewer draws a grid line a metre).
FLOOR_SIDE_RANGE_M = (3.0, 100.0)
#: The largest seed (the seeds numpy's generators take as one 32-bit word).
SEED_MAX = 2**32 - 1
#: The dancers' heights accepted, in metres: from a child of ten to a very tall adult (the
#: holds are made for partners of about the same size; a typo such as 180 is refused).
HEIGHT_RANGE_M = (1.2, 2.2)
