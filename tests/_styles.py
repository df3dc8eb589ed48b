"""Dance styles for tests that need only tempo ranges (no figures, no rhythm table)."""

from __future__ import annotations

from pasdeux.dances import DanceStyle, TempoRange


def bare_style(name: str, *ranges: tuple[int, float, float]) -> DanceStyle:
    """A style named ``name`` with tempo ranges ``(meter, bpm_min, bpm_max)`` and nothing else.

    Parameters
    ----------
    name
        The dance's name (its id is the name in snake case).
    ranges
        Its tempo ranges.

    Returns
    -------
    DanceStyle
        The style.
    """
    return DanceStyle(
        id=name.lower().replace(" ", "_"),
        name=name,
        kind="standard",
        progressive=True,
        tempos=tuple(TempoRange(m, lo, hi) for m, lo, hi in ranges),
        counting="",
        character="",
        sources=(),
        figures=(),
        start_figures=(),
    )
