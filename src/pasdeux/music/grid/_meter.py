"""Bars and meter: a Viterbi over the beats whose states are (meter, position in bar), so that
the meter may change along a song; then the 2/4 and 6/8 readings.

Evidence, beat by beat:

- the downbeat network (madmom's RNN): the share of the beat activation that is downbeat;
- harmonic change: chords change on downbeats far more often than elsewhere;
- the rhythm's period: the pattern of onsets within a beat (three bands, six points a beat)
  repeats every bar, so the meter whose length it repeats at is favoured (this is what
  finds a waltz whose downbeats are soft);
- once for the song, how the tune repeats: a phrase of 2 to 16 bars of 2 or 4 recurs
  after 4 to 32 beats, which no whole number of bars of 3 lasts (a bare melody's bars).

Each beat's evidence is taken relative to the song's average beat (the network's log-odds
and the harmonic change less their means): a beat that says nothing weighs nothing, so
that flat accents do not favour the longest bar.

2/4 against 4/4 is a choice the downbeat network cannot make for us: it learnt from dance
recordings annotated in 4 (Samba and Paso Doble included), and fires on whichever beat of
a 2/4 pair is heavier. It is made afterwards, from an alternating bass (a bass note on
every beat, the same note every other beat: the root-fifth oom-pah of marches, polkas,
samba and merengue) weighed with the dances' tempo prior; the bar then starts on the
bass's root (the note whose fifth it alternates with) and on harmonic change. Where no
bass alternates, a stretch of 4/4 is read in 2 when nothing tells its third beat from its
first: no accent of the network on beat 1, and the harmony changing on beat 3 as on beat 1
but by chance (a bare fife march; a jig read in dotted quarters, 6/8 and not 12/8). A
compound beat (each beat split in three, 6/8) lifts the bias against two-beat bars, since
6/8 is counted in two.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.music._params import ListenParams
from pasdeux.music.frontend import (
    FPS,
    Onsets,
    beat_bass_notes,
    frame_index,
    frame_max,
    pitch_change,
    window_max,
)
from pasdeux.music.grid._tempo_prior import TempoPrior

#: Bar model: the meters (their per-bar prior, mildly against 2, the probability of a meter
#: change at a bar line, and the pseudo-count that pulls a weak beat's downbeat probability
#: towards a prior are ``ListenParams.meter_two_prior``, ``meter_switch_prob``,
#: ``downbeat_pseudo`` and ``downbeat_prior``).
_METERS = (2, 3, 4)


#: ``ListenParams.downbeat_pseudo`` (0.05).


#: ``ListenParams.downbeat_prior`` (0.3).


#: Log-odds of a downbeat added per robust z-score of harmonic change (clipped).
#: ``ListenParams.harmony_gain`` (0.8).


#: ``ListenParams.harmony_z_clip`` ((-2.0, 4.0)).


#: Log evidence per beat per unit of rhythm self-similarity at the meter's lag (above the
#: mean over the meters).
#: ``ListenParams.period_gain`` (8.0).


#: Points of a beat at which the rhythm pattern is sampled.
#: ``ListenParams.pattern_points`` (6).


#: Compound beat: the onsets at a third and two thirds of the beat both exceed that half
#: way by this factor.
#: ``ListenParams.ternary_ratio`` (1.4).


#: 2/4: log-likelihood ratio per unit of bass alternation (the share of beats with the same
#: bass note two beats later, less that with the same note on the next beat), the
#: alternation at which the audio is neutral, the weight of the tempo prior's
#: 2-against-4 log odds, and the fewest bars to decide on.
#: ``ListenParams.alternation_gain`` (12.0).


#: ``ListenParams.alternation_neutral`` (0.33).


#: ``ListenParams.two_four_prior_weight`` (0.3).


#: ``ListenParams.min_two_four_bars`` (4).


#: Which beat starts a 2/4 bar: weight of the network's log-odds against one z-score of
#: harmonic change.
#: ``ListenParams.two_four_network_weight`` (0.3).


#: ... and of one bass root (a note with its fifth on the next or the previous beat).
#: ``ListenParams.root_vote`` (1.0).


_FIFTH = 7


def _downbeat_probability(
    act: NDArray[np.float64], beats: NDArray[np.float64], params: ListenParams
) -> NDArray[Any]:
    """q = d / (b + d) at each beat (max over ±3 frames), pulled to a prior when both are weak."""
    frames = frame_index(beats)
    b = frame_max(act[:, 0], frames)
    d = frame_max(act[:, 1], frames)
    q = (d + params.downbeat_pseudo * params.downbeat_prior) / (b + d + params.downbeat_pseudo)
    return np.clip(q, 1e-3, 1.0 - 1e-3)


def bar_viterbi(
    q: NDArray[np.float64],
    *,
    params: ListenParams,
    down_bonus: NDArray[np.float64] | None = None,
    meter_evidence: NDArray[np.float64] | None = None,
    meter_log_prior: dict[int, float] | None = None,
    song_evidence: dict[int, float] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Most likely meter and position in bar of every beat, allowing meter changes.

    States are (meter m in {2, 3, 4}, position p in 1..m). Within a bar p moves to p + 1;
    after the last beat of a bar the next bar starts in the same meter, or (at a cost of
    ``switch_log_prob``) in another one. A beat's emission is ``log q`` on a downbeat and
    ``log(1 - q)`` elsewhere. The song may start anywhere in a bar (a pickup).
    The cost of a change is ``params.meter_switch_prob``.

    Parameters
    ----------
    q
        Probability that each beat is a downbeat.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).
    down_bonus
        Extra log-odds that each beat is a downbeat (half added on a downbeat, half taken
        off elsewhere); None for none.
    meter_evidence
        ``(beats, 3)``: log evidence at each beat for meters 2, 3 and 4, whatever the
        position; None for none.
    meter_log_prior
        Log prior per bar of each meter; None for the default (``params.meter_two_prior``
        for a two-beat bar).
    song_evidence
        Log evidence for each meter from the song as a whole (:func:`repetition_evidence`),
        counted once where the meter starts (at the first beat, or at a change into it),
        not bar by bar; None for none.

    Returns
    -------
    meters : numpy.ndarray
        The meter of the bar each beat belongs to.
    positions : numpy.ndarray
        Each beat's position in its bar (1 = downbeat).
    """
    prior = _meter_log_prior(params) if meter_log_prior is None else meter_log_prior
    once = dict.fromkeys(_METERS, 0.0) if song_evidence is None else song_evidence
    switch_log_prob = math.log(params.meter_switch_prob)
    states = [(m, p) for m in _METERS for p in range(1, m + 1)]
    index = {s: k for k, s in enumerate(states)}
    n_states = len(states)
    trans = np.full((n_states, n_states), -np.inf)
    n_other = len(_METERS) - 1
    for k, (m, p) in enumerate(states):
        if p < m:
            trans[k, index[(m, p + 1)]] = 0.0
            continue
        for m2 in _METERS:
            stay = math.log1p(-math.exp(switch_log_prob))
            base = stay if m2 == m else switch_log_prob - math.log(n_other) + once[m2]
            trans[k, index[(m2, 1)]] = base + prior[m2]
    is_down = np.array([p == 1 for _, p in states])
    qq = np.asarray(q, dtype=float)
    n = qq.size
    bonus = np.zeros(n) if down_bonus is None else np.asarray(down_bonus, dtype=float)
    up = np.log1p(-qq) - 0.5 * bonus
    down = np.log(qq) + 0.5 * bonus
    emis = np.where(is_down[None, :], down[:, None], up[:, None])
    if meter_evidence is not None:
        column = {m: k for k, m in enumerate(_METERS)}
        ev = np.asarray(meter_evidence, dtype=float)
        emis = emis + ev[:, [column[m] for m, _ in states]]
    init = np.array([prior[m] + once[m] - math.log(m) for m, _ in states])
    back = np.zeros((n, n_states), dtype=np.int64)
    delta = init + emis[0]
    for i in range(1, n):
        cand = delta[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], np.arange(n_states)] + emis[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    meters = np.array([states[k][0] for k in path], dtype=np.int64)
    positions = np.array([states[k][1] for k in path], dtype=np.int64)
    if not np.any(positions == 1):  # too few beats to finish a bar: call the first a downbeat
        positions = np.arange(n, dtype=np.int64) % meters[0] + 1
    return meters, positions


# --------------------------------------------------------------------------- beat features


def _spans(beats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Length of each beat (to the next; the last repeats the one before)."""
    ibi = np.diff(beats)
    return np.append(ibi, ibi[-1]) if ibi.size else np.ones(1)


def beat_patterns(
    beats: NDArray[np.float64], onsets: Onsets, *, params: ListenParams
) -> NDArray[np.float64]:
    """The onset pattern of every beat: three bands at six points of the beat, flattened.

    Parameters
    ----------
    beats
        Beat times (s).
    onsets
        Band onsets of the song.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    numpy.ndarray
        ``(beats, 18)``.
    """
    span = _spans(beats)
    points = (
        beats[:, None]
        + span[:, None] * np.arange(params.pattern_points)[None, :] / params.pattern_points
    )
    sampled = window_max(onsets.bands, points.ravel(), half=2)  # (beats * points, 3)
    return np.asarray(
        sampled.reshape(beats.size, params.pattern_points, 3)
        .transpose(0, 2, 1)
        .reshape(beats.size, -1),
        dtype=float,
    )


def _unit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.where(norm > 1e-12, norm, 1.0), dtype=float)


def lag_similarity(vectors: NDArray[np.float64], lag: int) -> NDArray[np.float64]:
    """Cosine similarity of each beat's vector with those ``lag`` beats before and after.

    Parameters
    ----------
    vectors
        ``(beats, d)``.
    lag
        Distance in beats.

    Returns
    -------
    numpy.ndarray
        ``(beats,)``: the mean of the (at most two) similarities; 0 where neither exists.
    """
    u = _unit(vectors)
    n = u.shape[0]
    total = np.zeros(n)
    count = np.zeros(n)
    if n > lag:
        s = np.sum(u[lag:] * u[:-lag], axis=1)
        total[lag:] += s
        count[lag:] += 1
        total[:-lag] += s
        count[:-lag] += 1
    return np.asarray(np.where(count > 0, total / np.maximum(count, 1), 0.0), dtype=float)


def period_evidence(
    beats: NDArray[np.float64], onsets: Onsets, *, params: ListenParams
) -> NDArray[np.float64]:
    """Log evidence at each beat for bars of 2, 3 and 4 from the rhythm's period.

    The onset pattern of a beat resembles that of the same beat in the bar before and
    after. The similarity at each meter's lag, above the mean over the meters and
    smoothed over a few beats, times ``params.period_gain``. Bars of 2 and of 4 both take
    the mean of the similarities at lags 2 and 4: the rhythm's period says 3 or not 3,
    and 2 against 4 is decided elsewhere. (The mean, not the better of the two: the
    better of two noisy similarities beats a single one by chance, which on an even
    rhythm, a hymn in quarter notes, outvoted a soft 3/4 in every bar.)

    Parameters
    ----------
    beats
        Beat times (s).
    onsets
        Band onsets of the song.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    numpy.ndarray
        ``(beats, 3)`` for meters 2, 3 and 4.
    """
    patterns = beat_patterns(beats, onsets, params=params)
    s3 = lag_similarity(patterns, 3)
    s24 = 0.5 * (lag_similarity(patterns, 2) + lag_similarity(patterns, 4))
    sims = np.stack([s24, s3, s24], axis=1)
    kernel = np.ones(5) / 5.0
    smooth = np.stack(
        [np.convolve(np.pad(c, 2, mode="edge"), kernel, mode="valid") for c in sims.T], axis=1
    )
    return np.asarray(
        params.period_gain * (smooth - smooth.mean(axis=1, keepdims=True)), dtype=float
    )


def repetition_evidence(
    beat_chroma: NDArray[np.float64], *, params: ListenParams
) -> dict[int, float]:
    """Log evidence, once for the song, against bars of 3 from how the tune repeats.

    A tune repeats by phrases, and a phrase lasts a whole number of bars, mostly 2, 4, 8
    or 16: a tune in 2 or 4 recurs after 4, 8, 16 or 32 beats, which no whole number of
    bars of 3 lasts; one in 3 after 6, 12, 24 or 48. The chroma of
    ``params.repetition_window_beats`` beats at a time (less the song's mean chroma, so
    that the key is no likeness) is compared with that one lag later (cosine, the mean
    over the song). The evidence for 3 is ``params.repetition_gain`` times the best of
    the triple lags less the best of the duple ones, when that is below 0 (0 for 2 and 4:
    the phrase does not tell 2 from 4). A triple lag of 12 beats or more counts less the
    likeness at a third of it (a strain of 16 beats played three times recurs after 48).
    Never for 3: 12, 24 and 48 beats are whole bars of 4 too (a chorale's strains).
    This is what tells 3 from 4 in a bare melody, whose accents are flat and whose rhythm
    repeats at no clear bar length: a fife tune's 8-bar strains.

    Parameters
    ----------
    beat_chroma
        ``(beats, 12)``: the mean chroma of each beat.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    dict
        Log evidence for meters 2, 3 and 4; all 0 when the song is too short to compare
        a lag of each kind.
    """
    chroma = _unit(beat_chroma)
    chroma = _unit(chroma - chroma.mean(axis=0, keepdims=True))
    width = params.repetition_window_beats
    n = chroma.shape[0] - width + 1
    none = dict.fromkeys(_METERS, 0.0)
    if n < params.repetition_min_pairs + 4:
        return none
    windows = _unit(np.concatenate([chroma[k : k + n] for k in range(width)], axis=1))

    sims: dict[int, float] = {}
    for lag in (4, 6, 8, 12, 16, 24, 32, 48):
        if lag <= params.repetition_max_lag_beats and n - lag >= params.repetition_min_pairs:
            sims[lag] = float(np.mean(np.sum(windows[lag:] * windows[:-lag], axis=1)))
    duple = [sims[lag] for lag in (4, 8, 16, 32) if lag in sims]
    # a tune that recurs after 8 beats recurs after 24 too: a triple lag counts only for
    # what the duple lag a third of it (4, 8, 16 beats) does not explain
    triple = [
        sims[lag] - max(0.0, sims.get(lag // 3, 0.0)) if lag > 6 else sims[lag]
        for lag in (6, 12, 24, 48)
        if lag in sims
    ]
    if not triple or not duple:
        return none
    # only against 3: no whole number of bars of 3 lasts 4, 8, 16 or 32 beats, but 12, 24
    # or 48 beats are 3, 6 or 12 bars of 4 as well (a chorale's strains, a tune's 6-bar
    # phrases), which only the assumption of 2, 4, 8 or 16-bar phrases reads as 3
    return {2: 0.0, 3: params.repetition_gain * min(0.0, max(triple) - max(duple)), 4: 0.0}


def _beat_means(x: NDArray[np.float64], beats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean of frame features ``x`` over each beat's span."""
    span = _spans(beats)
    starts = np.clip(np.round(beats * FPS).astype(int), 0, x.shape[0] - 1)
    ends = np.clip(np.round((beats + span) * FPS).astype(int), starts + 1, x.shape[0])
    csum = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    return np.asarray((csum[ends] - csum[starts]) / (ends - starts)[:, None], dtype=float)


def harmonic_change(
    beats: NDArray[np.float64], onsets: Onsets, width: int = 2, *, params: ListenParams
) -> NDArray[np.float64]:
    """How much the harmony changes at each beat, as a robust z-score.

    The chroma of the ``width`` beats before is compared with that of the ``width`` beats
    from this one (cosine distance); the distances are centred on their median and scaled
    by their median absolute deviation.

    Parameters
    ----------
    beats
        Beat times (s).
    onsets
        Band onsets and chroma of the song.
    width
        Beats on either side.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    numpy.ndarray
        ``(beats,)``, clipped to [-2, 4].
    """
    return _change_from_chroma(_beat_means(onsets.chroma, beats), width, params)


def _change_from_chroma(
    beat_chroma: NDArray[np.float64], width: int, params: ListenParams
) -> NDArray[np.float64]:
    """:func:`harmonic_change` from the mean chroma of each beat."""
    c = _unit(beat_chroma)
    n = c.shape[0]
    if n < 2 * width:
        return np.zeros(n)
    padded = np.concatenate([np.repeat(c[:1], width, axis=0), c, np.repeat(c[-1:], width, axis=0)])
    before = np.zeros_like(c)
    after = np.zeros_like(c)
    for k in range(width):
        before += padded[k : k + n]
        after += padded[width + k : width + k + n]
    dist = 1.0 - np.sum(_unit(before) * _unit(after), axis=1)
    dist[:width] = np.median(dist)  # nothing before the song to compare with
    med = float(np.median(dist))
    mad = 1.4826 * float(np.median(np.abs(dist - med)))
    z = (dist - med) / max(mad, 1e-3)
    return np.asarray(np.clip(z, *params.harmony_z_clip), dtype=float)


def harmony_clarity(change: NDArray[np.float64], *, params: ListenParams) -> float:
    """How far the harmonic change can be trusted to mark the bar lines, in [0, 1].

    Chords change on bar lines; a melody alone (a fiddle tune, a bare line) changes the
    chroma on every note, and its "harmonic change" is noise that would drag the bar
    lines about wherever the downbeat network is unsure. The clarity is the largest
    contrast, over bars of 2, 3 and 4 and their phases, between the mean change on the
    bar lines and elsewhere, over ``params.harmony_clear_contrast`` (capped at 1).

    Parameters
    ----------
    change
        Harmonic change at each beat (:func:`harmonic_change`, z-scores).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    float
        1 for harmony that changes clearly with the bars, down to 0 for none.
    """
    best = 0.0
    for m in _METERS:
        n = change.size // m * m
        if n < 4 * m:
            continue
        folded = change[:n].reshape(-1, m)
        for phase in range(m):
            on = float(folded[:, phase].mean())
            off = float(np.delete(folded, phase, axis=1).mean())
            best = max(best, on - off)
    return min(1.0, best / params.harmony_clear_contrast)


def local_harmony_clarity(
    change: NDArray[np.float64], *, params: ListenParams
) -> NDArray[np.float64]:
    """:func:`harmony_clarity` at each beat, over blocks of ``params.harmony_clarity_beats``
    beats (a shorter last block joins the one before), so that a medley, whose songs put
    their bar lines at other phases, is judged song by song.

    Parameters
    ----------
    change
        Harmonic change at each beat (:func:`harmonic_change`, z-scores).
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    numpy.ndarray
        ``(beats,)`` in [0, 1].
    """
    size = params.harmony_clarity_beats
    n = change.size
    edges = [*range(0, n, size), n]
    if len(edges) > 2 and edges[-1] - edges[-2] < size // 2:
        del edges[-2]
    out = np.zeros(n)
    for a, b in itertools.pairwise(edges):
        out[a:b] = harmony_clarity(change[a:b], params=params)
    return out


def bass_alternation(beats: NDArray[np.float64], onsets: Onsets) -> float:
    """How much the bass alternates beat by beat.

    The share of beats whose bass note (:func:`pasdeux.music.frontend.beat_bass_notes`, as
    a pitch class) is the same two beats later, minus the share where it is the same on
    the next beat. An oom-pah bass (root and fifth on successive beats: marches, polkas,
    samba, merengue) scores ~0.45-0.75; a bass held through the bar, walking, or moving
    once or twice a bar scores ~-0.3-0.25.

    Parameters
    ----------
    beats
        Beat times (s) of one stretch of the song.
    onsets
        The song's features.

    Returns
    -------
    float
        The alternation (0 with fewer than eight beats with a bass note).
    """
    if beats.size < 8:
        return 0.0
    return _alternation(beat_bass_notes(onsets, beats))


def _alternation(notes: NDArray[np.int64]) -> float:
    pc = np.where(notes >= 0, notes % 12, -1)
    one_ok = (pc[1:] >= 0) & (pc[:-1] >= 0)
    two_ok = (pc[2:] >= 0) & (pc[:-2] >= 0)
    if np.count_nonzero(one_ok) < 8 or np.count_nonzero(two_ok) < 8:
        return 0.0
    one = float(np.mean(pc[1:][one_ok] == pc[:-1][one_ok]))
    two = float(np.mean(pc[2:][two_ok] == pc[:-2][two_ok]))
    return two - one


def is_compound(beats: NDArray[np.float64], onsets: Onsets, *, params: ListenParams) -> bool:
    """Whether each beat divides in three (6/8, 12/8) rather than in two.

    Parameters
    ----------
    beats
        Beat times (s).
    onsets
        Band onsets and chroma of the song.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    bool
        True when the onsets at both a third and two thirds of the beat are stronger
        than half way by ``params.ternary_ratio`` (swung eighths strike only two thirds),
        or the pitch changes there are by ``params.ternary_pitch_ratio`` (a legato fife
        slurs its eighths: it changes pitch on them without an onset).
    """
    if beats.size < 4:
        return False
    return _thirds_over_half(beats, onsets.total) >= params.ternary_ratio or (
        _thirds_over_half(beats, pitch_change(onsets.chroma)) >= params.ternary_pitch_ratio
    )


def _thirds_over_half(beats: NDArray[np.float64], x: NDArray[np.float64]) -> float:
    """The weaker of ``x`` (frames) at a third and two thirds of the beats, over ``x`` half
    way (means over the beats of the maxima within ±2 frames)."""
    span = np.diff(beats)
    start = beats[:-1]

    def at(frac: float) -> float:
        return float(np.mean(window_max(x, start + frac * span, half=2)))

    return min(at(1.0 / 3.0), at(2.0 / 3.0)) / max(at(0.5), 1e-9)


# --------------------------------------------------------------------------- bars


def find_bars(
    act: NDArray[np.float64],
    beats: NDArray[np.float64],
    onsets: Onsets,
    prior: TempoPrior,
    *,
    params: ListenParams,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Meter and position in bar of every beat.

    Parameters
    ----------
    act
        Beat and downbeat activations ``(frames, 2)`` at 100 frames per second.
    beats
        Beat times (s).
    onsets
        Band onsets, chroma and bass chroma of the song.
    prior
        Tempo prior of the dances.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    meters : numpy.ndarray
        The meter of the bar each beat belongs to.
    positions : numpy.ndarray
        Each beat's position in its bar (1 = downbeat).
    """
    q = _downbeat_probability(act, beats, params)
    beat_chroma = _beat_means(onsets.chroma, beats)
    change = _change_from_chroma(beat_chroma, params.harmony_width_beats, params)
    clarity = local_harmony_clarity(change, params=params)
    bonus = _neutral_bonus(q, change, clarity, params)
    evidence = period_evidence(beats, onsets, params=params)
    log_prior = _meter_log_prior(params)
    if is_compound(beats, onsets, params=params):
        log_prior[2] = 0.0
        log_prior[3] = math.log(params.compound_three_prior)
    meters, positions = bar_viterbi(
        q,
        params=params,
        down_bonus=bonus,
        meter_evidence=evidence,
        meter_log_prior=log_prior,
        song_evidence=repetition_evidence(beat_chroma, params=params),
    )
    # which beat of a 2/4 pair starts the bar: the chord of the beats before against that
    # of the beats from here, two a side (beat by beat, an oom-pah's root and fifth differ)
    pair_change = _change_from_chroma(beat_chroma, params.pair_harmony_width_beats, params)
    return _two_four(beats, meters, positions, onsets, prior, q, pair_change, params)


def _neutral_bonus(
    q: NDArray[np.float64],
    change: NDArray[np.float64],
    clarity: NDArray[np.float64],
    params: ListenParams,
) -> NDArray[np.float64]:
    """Log-odds of a downbeat at each beat, beyond ``log q``, such that a beat that says
    nothing about the bar lines weighs nothing.

    The network's log-odds are taken relative to their mean over the song (its level
    varies from one piece to the next; a beat it hears as no more a downbeat than the
    average beat is no evidence), and the harmonic change relative to its mean, weighed by
    the harmony's clarity. Taken raw, both are mostly below 0 on the beats without
    evidence, so every bar line cost and the longest bar won wherever the accents are flat
    (a 3/4 hymn, a 6/8 jig in 4).
    """
    logit = np.log(q) - np.log1p(-q)
    centred = change - float(np.mean(change))
    return np.asarray(params.harmony_gain * clarity * centred - float(np.mean(logit)), dtype=float)


def _meter_log_prior(params: ListenParams) -> dict[int, float]:
    """Log prior per bar of each meter."""
    return {2: math.log(params.meter_two_prior), 3: 0.0, 4: 0.0}


def _runs(meters: NDArray[np.int64], meter: int) -> list[range]:
    """Maximal stretches of beats in bars of ``meter``."""
    out = []
    i = 0
    n = meters.size
    while i < n:
        if meters[i] != meter:
            i += 1
            continue
        j = i
        while j + 1 < n and meters[j + 1] == meter:
            j += 1
        out.append(range(i, j + 1))
        i = j + 1
    return out


def _root_votes(notes: NDArray[np.int64]) -> NDArray[np.float64]:
    """+1 for each beat whose bass note has its fifth on a neighbouring beat (a root on the
    downbeat, the fifth on the upbeat: root-fifth up a fifth, or down a fourth)."""
    votes = np.zeros(notes.size)
    ok = (notes[1:] >= 0) & (notes[:-1] >= 0)
    step = (notes[1:] - notes[:-1]) % 12
    votes[:-1] += ok & (step == _FIFTH)  # this beat's fifth follows
    votes[1:] += ok & (step == 12 - _FIFTH)  # the beat before was this one's fifth
    return votes


def _two_four(
    beats: NDArray[np.float64],
    meters: NDArray[np.int64],
    positions: NDArray[np.int64],
    onsets: Onsets,
    prior: TempoPrior,
    q: NDArray[np.float64],
    change: NDArray[np.float64],
    params: ListenParams,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split stretches of 4/4 into 2/4 where the bass alternates and the tempo allows it.

    ``change`` is the harmonic change at each beat (z-scores).
    """
    meters = meters.copy()
    positions = positions.copy()
    # The network learnt 2/4 dances as 4/4 and fires on the heavier beat of the pair (the
    # samba's surdo on 2); which beat starts the bar is read mostly from the bass, which
    # plays the root on the downbeat and its fifth on the upbeat, and from harmonic change.
    net = np.log(q) - np.log1p(-q)
    logit = params.two_four_network_weight * net + change
    notes = beat_bass_notes(onsets, beats)
    for run in _runs(meters, 4):
        idx = np.arange(run.start, run.stop)
        if idx.size < 4 * params.min_two_four_bars:
            continue
        bpm = 60.0 / float(np.median(np.diff(beats[idx])))
        alternation = _alternation(notes[idx])
        llr = params.alternation_gain * (alternation - params.alternation_neutral)
        llr += params.two_four_prior_weight * prior.meter_log_odds(bpm, 2, 4)
        parity = np.arange(idx.size) % 2
        if llr > 0:
            # which of the two alternating beats starts the 2/4 bar
            evidence = logit[idx] + params.root_vote * _root_votes(notes[idx])
            score = [float(np.sum(evidence[parity == k])) for k in (0, 1)]
            first = 0 if score[0] >= score[1] else 1
        elif _flat_half_bars(net[idx], change[idx], positions[idx], params):
            # no bass to read: the bars of 4 already start where the evidence put them
            first = int(np.nonzero(positions[idx] == 1)[0][0] % 2)
        else:
            continue
        meters[idx] = 2
        positions[idx] = np.where(parity == first, 1, 2)
    return meters, positions


def _flat_half_bars(
    net: NDArray[np.float64],
    change: NDArray[np.float64],
    positions: NDArray[np.int64],
    params: ListenParams,
) -> bool:
    """Whether a stretch read in 4/4 is two bars of 2: nothing marks its third beat off
    from its first.

    A bar of four is heard only where something tells its first beat from its third: an
    accent (the downbeat network firing on 1 more than on 2 and 4) or the harmony (the
    chord changing on 1 more than on 3). A bare melody, a fife march or a jig in 6/8 read
    at the dotted quarter, has neither: the network hears no bar accent (its log-odds on
    beat 1 exceed those on beats 2 and 4 by less than ``params.flat_accent_max``), and
    the chord of the two beats from beat 3 differs from that of the two before no less
    than at beat 1 but by chance (Welch's t of the pair change on beat 1 against beat 3
    below ``params.half_bar_harmony_t``): the harmony's period, and the bar, is two
    beats. (A t, not the difference: the bars of four were placed where the harmony
    changes most, which on a two-beat harmony makes beat 1 beat 3 by chance, the more so
    the clearer the harmony.) Dance music with a kit does not pass: its network accents
    beat 1 by 0.9 log-odds or more, samba and paso doble too (the network learnt them in
    4), so 2/4 there stays the bass's choice.

    Parameters
    ----------
    net
        The downbeat network's log-odds at each beat of the stretch.
    change
        Harmonic change (two beats a side, z-scores) at each beat of the stretch.
    positions
        Each beat's position in its bar of 4.
    params
        The tunables (:class:`pasdeux.music.ListenParams`).

    Returns
    -------
    bool
        True when neither the accents nor the harmony mark a bar of four.
    """
    one, three = change[positions == 1], change[positions == 3]
    weak = (positions == 2) | (positions == 4)
    if one.size < 2 or three.size < 2 or not weak.any():
        return False
    accent = float(net[positions == 1].mean() - net[weak].mean())
    spread = math.sqrt(float(one.var(ddof=1)) / one.size + float(three.var(ddof=1)) / three.size)
    t = float(one.mean() - three.mean()) / max(spread, 1e-9)
    return accent < params.flat_accent_max and t < params.half_bar_harmony_t
