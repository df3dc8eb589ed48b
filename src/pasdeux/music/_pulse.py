"""The beat: tracked beats, cleaned, and the choice between a tempo and its double."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from pasdeux.errors import InputError
from pasdeux.music._features import _BREAK_DB, _MAX_BPM, _frames, _window_max
from pasdeux.music._types import (
    EnergyCurve,
)

#: Danceable-beat check. Music puts clear activation peaks on the tracked beats and
#: almost none half way between them (contrast >= ~0.25 on real songs), and nearly all of
#: the activation's peaks fall on the tracked beats (>= ~85 %). Noise, steady tones and
#: silence give contrast <= ~0.05; speech-like sound has peaks all over (<= ~45 % on the
#: beat).
_MIN_BEATS = 8


_MIN_BEAT_STRENGTH = 0.15


_MIN_BEAT_CONTRAST = 0.15


_MIN_ON_GRID = 0.6


_PEAK_HEIGHT = 0.1


_ON_GRID_FRAMES = 5


#: Doubling a half-time track: the network fires half way between the beats too.
_DOUBLE_OFF_SHARE = 0.6


_DOUBLE_MIN_CONTRAST = 0.25


_DOUBLE_MIN_ON_GRID = 0.85


def _clean_beats(
    beats: NDArray[np.float64], energy: EnergyCurve, duration: float
) -> NDArray[np.float64]:
    """Drop beats outside the song, repeated ones, and those in leading or trailing silence."""
    db = np.asarray(energy.values_db)
    sounding = np.nonzero(db >= _BREAK_DB)[0]
    if sounding.size == 0:
        return np.zeros(0)
    first = sounding[0] * energy.hop_s - 0.05
    last = (sounding[-1] + 1) * energy.hop_s + 0.05
    b = beats[(beats >= max(0.0, first)) & (beats <= min(duration, last))]
    if b.size == 0:
        return np.asarray(b, dtype=float)
    keep = np.concatenate([[True], np.diff(b) > 1e-3])
    return np.asarray(b[keep], dtype=float)


@dataclass(frozen=True)
class BeatEvidence:
    """How strongly the beat network supports a grid of beat times.

    ``strength`` is the mean activation (max within ±30 ms) at the grid's beats, ``off``
    the same half way between them, ``contrast`` = ``strength - off``, and ``on_grid``
    the share of the activation's peaks (weighted by height) within ±50 ms of a beat.
    """

    strength: float
    off: float
    on_grid: float

    @property
    def contrast(self) -> float:
        """Activation at the beats minus activation half way between them."""
        return self.strength - self.off


def beat_evidence(beats: NDArray[np.float64], beat_act: NDArray[np.float64]) -> BeatEvidence:
    """Measure how well a grid of beat times matches the beat activation.

    Parameters
    ----------
    beats
        Beat times in seconds (at least two).
    beat_act
        Beat activation (beat + downbeat) at 100 frames per second.

    Returns
    -------
    BeatEvidence
        Strength at the beats, activation half way between them, share of peaks on the grid.
    """
    frames = _frames(beats)
    on = _window_max(beat_act, frames)
    off = _window_max(beat_act, _frames(0.5 * (beats[1:] + beats[:-1])))
    peaks, _ = find_peaks(beat_act, height=_PEAK_HEIGHT, distance=10)
    if peaks.size:
        pos = np.searchsorted(frames, peaks)
        left = np.abs(peaks - frames[np.clip(pos - 1, 0, frames.size - 1)])
        right = np.abs(frames[np.clip(pos, 0, frames.size - 1)] - peaks)
        near = np.minimum(left, right) <= _ON_GRID_FRAMES
        heights = beat_act[peaks]
        on_grid = float(heights[near].sum() / heights.sum())
    else:
        on_grid = 0.0
    return BeatEvidence(float(on.mean()), float(off.mean()), on_grid)


def _doubled(beats: NDArray[np.float64]) -> NDArray[np.float64]:
    mids = 0.5 * (beats[1:] + beats[:-1])
    return np.sort(np.concatenate([beats, mids]))


def _choose_pulse(
    beats: NDArray[np.float64], beat_act: NDArray[np.float64], path: str | None
) -> NDArray[np.float64]:
    """Check that there is a danceable beat; return the beats (doubled if the DBN halved them).

    Raises
    ------
    InputError
        Too few beats, or the activation does not support a regular beat.
    """
    if beats.size < _MIN_BEATS:
        raise InputError(
            path, f"no danceable beat found (only {beats.size} beats tracked; need {_MIN_BEATS})"
        )
    one = beat_evidence(beats, beat_act)
    ok_one = (
        one.strength >= _MIN_BEAT_STRENGTH
        and one.contrast >= _MIN_BEAT_CONTRAST
        and one.on_grid >= _MIN_ON_GRID
    )
    # The DBN sometimes tracks a fast song (200+ BPM) at half time: then the network fires
    # half way between the tracked beats as strongly as on them.
    two_beats = _doubled(beats)
    doubled_bpm = 60.0 / float(np.median(np.diff(two_beats)))
    two = beat_evidence(two_beats, beat_act)
    ok_two = (
        one.off >= _DOUBLE_OFF_SHARE * one.strength
        and two.strength >= _MIN_BEAT_STRENGTH
        and two.contrast >= _DOUBLE_MIN_CONTRAST
        and two.on_grid >= _DOUBLE_MIN_ON_GRID
    )
    if ok_two and doubled_bpm <= _MAX_BPM * 1.03:
        return two_beats
    if ok_one or ok_two:
        return beats
    raise InputError(
        path,
        f"no danceable beat found (beat strength {one.strength:.2f}, contrast "
        f"{one.contrast:.2f}, {100 * one.on_grid:.0f}% of onsets on the beat; music has "
        f">= {_MIN_BEAT_CONTRAST:.2f} and >= {100 * _MIN_ON_GRID:.0f}%: is it silence, noise, "
        "a steady tone or speech?)",
    )
