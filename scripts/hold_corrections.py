"""List the largest per-step hold correction of every figure of the library.

Each figure is replayed from the ideal start of its position (as the library check does)
with the hold kept; the table gives, per dance and figure, the largest correction (m) the
hold made on one step, largest first. Usage: ``python scripts/hold_corrections.py [N]``
(N rows, default all).
"""

from __future__ import annotations

import math
import sys

from pasdeux.dances import ALIGNMENT_EIGHTHS, Figure, load_library
from pasdeux.dances.geometry import couple_start, replay_figure


def largest_correction_m(figure: Figure) -> float:
    """The largest per-step correction (m) of ``figure`` replayed from its ideal start."""
    facing = 0.0
    if figure.start_alignment != "any":
        facing = -ALIGNMENT_EIGHTHS[figure.start_alignment] * math.pi / 4
    leader, follower = couple_start((0.0, 0.0), facing, figure.start_position)
    steps = replay_figure(figure, leader, follower)
    return max((math.hypot(*rs.correction_xy_m) for rs in steps), default=0.0)


def main() -> None:
    """Print the table."""
    rows = [
        (largest_correction_m(fig), style.id, fig.id)
        for style in load_library()
        for fig in style.figures
    ]
    rows.sort(key=lambda r: -r[0])
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else len(rows)
    for size_m, dance, figure in rows[:limit]:
        print(f"{size_m:6.3f}  {dance:18s} {figure}")


if __name__ == "__main__":
    main()
