"""What tempo and meter a song for partner dancing is likely to have, before listening.

The dances' own tempo ranges and meters (the dance library, and the competition table of
DANCES.md §1 for the dances the library does not have yet) make a prior over (meter,
tempo). The listen stage uses it only where the audio leaves a choice open: the octave of
the beat (a Quickstep at 204 BPM or a Rumba at 102, when the music has strong hits both on
and between the tracked beats) and 2/4 against 4/4.

The prior is a sum of bumps, one per dance: 1 inside the dance's range, falling off as a
Gaussian in log tempo outside it, plus a broad floor so that music for no listed dance
keeps a fair chance.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pasdeux.dances import DanceStyle
from pasdeux.music._params import ListenParams

__all__ = ["COMPETITION_TEMPOS", "TempoPrior", "default_prior"]

#: DANCES.md §1, the WDSF and WDO competition tempos (meter, lowest and highest BPM over
#: both tables), for the dances the library may lack. Library styles of the same name
#: replace these.
COMPETITION_TEMPOS: dict[str, tuple[tuple[int, float, float], ...]] = {
    "Waltz": ((3, 84.0, 90.0),),
    "Tango": ((4, 124.0, 136.0),),
    "Viennese Waltz": ((3, 168.0, 180.0),),
    "Slow Foxtrot": ((4, 112.0, 120.0),),
    "Quickstep": ((4, 192.0, 208.0),),
    "Samba": ((2, 100.0, 104.0),),
    "Cha Cha": ((4, 112.0, 128.0),),
    "Rumba": ((4, 100.0, 108.0),),
    "Paso Doble": ((2, 112.0, 124.0),),
    "Jive": ((4, 168.0, 176.0),),
}


# The prior's shape (the fall-off outside a range, the floor, the tempo limits) is
# ListenParams' ``prior_*`` fields.


def _bump(bpm: float, lo: float, hi: float, shoulder: float) -> float:
    if lo <= bpm <= hi:
        return 1.0
    d = math.log(lo / bpm) if bpm < lo else math.log(bpm / hi)
    return math.exp(-0.5 * (d / shoulder) ** 2)


@dataclass(frozen=True)
class TempoPrior:
    """A prior over (meter, tempo) from dance tempo ranges.

    Parameters
    ----------
    ranges
        ``(dance name, ((meter, bpm_min, bpm_max), ...))`` per dance.
    params
        Its shape (:class:`pasdeux.music.ListenParams`' ``prior_*`` fields).
    """

    ranges: tuple[tuple[str, tuple[tuple[int, float, float], ...]], ...]
    params: ListenParams

    @classmethod
    def from_styles(
        cls,
        styles: Iterable[DanceStyle],
        extra: dict[str, tuple[tuple[int, float, float], ...]],
        *,
        params: ListenParams,
    ) -> TempoPrior:
        """Build the prior from dance styles, completed with ``extra`` for missing names.

        Parameters
        ----------
        styles
            Dance styles; each contributes its ``tempos``.
        extra
            Further dances by name (e.g. :data:`COMPETITION_TEMPOS`), used when no style
            of that name is given.
        params
            The prior's shape (:class:`pasdeux.music.ListenParams`).

        Returns
        -------
        TempoPrior
            The prior.
        """
        table: dict[str, tuple[tuple[int, float, float], ...]] = {}
        for style in styles:
            table[_key(style.name)] = tuple(
                (r.meter, r.bpm_min, r.bpm_max) for r in style.tempos if r.bpm_max > 0
            )
        for name, ranges in extra.items():
            table.setdefault(_key(name), ranges)
        return cls(tuple(sorted(table.items())), params)

    def plausibility(self, bpm: float, meter: int | None = None) -> float:
        """How many dances suit ``bpm`` (in ``meter``, or in any meter), plus the floor.

        Parameters
        ----------
        bpm
            Tempo in beats per minute.
        meter
            Beats per bar, or None for any meter.

        Returns
        -------
        float
            A non-negative number: roughly the count of dances whose range holds the
            tempo (each at most 1), plus the floor; 0 outside ``prior_min_bpm`` to
            ``prior_max_bpm`` (40-240 BPM).
        """
        p = self.params
        if not p.prior_min_bpm <= bpm <= p.prior_max_bpm:
            return 0.0
        shoulder = math.log(p.prior_shoulder_ratio)
        total = 0.0
        for _, ranges in self.ranges:
            best = 0.0
            for m, lo, hi in ranges:
                if meter is None or m == meter:
                    best = max(best, _bump(bpm, lo, hi, shoulder))
            total += best
        shares = dict(zip((2, 3, 4), p.prior_floor_meter_shares))
        share = 1.0 if meter is None else shares.get(meter, 0.0)
        d = math.log(bpm / p.prior_floor_centre_bpm) / p.prior_floor_spread
        return total + p.prior_floor_height * share * math.exp(-0.5 * d * d)

    def log_prior(self, bpm: float, meter: int | None = None) -> float:
        """Natural log of :meth:`plausibility` (``-inf`` where it is 0)."""
        p = self.plausibility(bpm, meter)
        return math.log(p) if p > 0 else -math.inf

    def meter_log_odds(self, bpm: float, meter: int, other: int) -> float:
        """Log of how much more plausible ``bpm`` is in ``meter`` than in ``other``."""
        a = self.plausibility(bpm, meter)
        b = self.plausibility(bpm, other)
        if a <= 0 or b <= 0:
            return 0.0
        return math.log(a / b)

    def names(self) -> Sequence[str]:
        """The dances the prior knows (lower case)."""
        return [name for name, _ in self.ranges]


def _key(name: str) -> str:
    return " ".join(name.lower().split())


@functools.lru_cache(maxsize=4)
def default_prior(params: ListenParams) -> TempoPrior:
    """The prior from the whole dance library and DANCES.md's competition table, shaped by
    ``params`` (:class:`pasdeux.music.ListenParams`)."""
    from pasdeux.dances import load_library

    return TempoPrior.from_styles(load_library(), COMPETITION_TEMPOS, params=params)
