"""Listen: audio → ``MusicMap`` (beats, bars with meter changes, sections, phrases, accents).

The beat and downbeat activations come from madmom's RNN ensemble (Böck, Krebs and
Widmer, ISMIR 2016; here as ONNX). Beats are tracked with madmom's DBN. Bars are found
with our own Viterbi over the tracked beats, whose states are (meter, position in bar),
so that a song may change meter (a ballad that turns into a waltz).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from pasdeux.dances import DanceStyle
from pasdeux.errors import InputError
from pasdeux.music._params import ListenParams
from pasdeux.music._types import Accent, MusicMap
from pasdeux.music.fit import RhythmProfile, rank_dances, rhythm_profile
from pasdeux.music.frontend import (
    SAMPLE_RATE_HZ,
    AudioLimits,
    BandEnvelopes,
    BandFrames,
    Features,
    FeatureStream,
    Onsets,
    OnsetStream,
    RhythmStream,
    as_mono,
    check_length,
    open_audio,
    sample_blocks,
)
from pasdeux.music.grid import (
    choose_level,
    default_prior,
    find_bars,
    main_meter,
    section_ibis,
    tempo_curve,
    track_beats,
)
from pasdeux.music.structure import (
    final_chord,
    find_accents,
    find_phrases,
    find_sections,
    texture,
)

__all__ = ["listen"]

Progress = Callable[[str], None]


def listen(
    source: str | Path | NDArray[Any],
    sr: int | None = None,
    *,
    progress: Progress | None = None,
    styles: Sequence[DanceStyle] | None = None,
    limits: AudioLimits | None = None,
    params: ListenParams | None = None,
) -> MusicMap:
    """Analyse a song: beats, bars and meter (changes too), sections, phrases, accents, dances.

    Parameters
    ----------
    source
        An audio file, or samples (mono ``(n,)`` or ``(n, channels)``) with ``sr``.
    sr
        Sample rate of ``source`` when it is samples; ignored for a file.
    progress
        Called with a short message as each step starts (e.g. ``"finding beats…"``), and
        with a ``"warning: FILE: …"`` line for each problem found in the file (a truncated
        file); without it, those are issued as ``UserWarning``.
    styles
        Dance styles to rank; by default the whole library
        (:func:`pasdeux.dances.load_library`).
    limits
        Duration and sample-rate budgets for a file (default :class:`AudioLimits`: 8 to
        192 kHz, up to an hour), checked from its header before decoding and against the
        decoded samples while decoding.
    params
        How the beat and the bars are decided (default :class:`ListenParams`).

    Returns
    -------
    MusicMap
        The song's map. ``sections`` cover the song from 0 to its end; inner section
        boundaries fall on downbeats.

    Raises
    ------
    InputError
        The file cannot be read as audio, is over a budget of ``limits``, is shorter than
        5 s (or truncated to less), or has no danceable beat.

    Warns
    -----
    UserWarning
        The file is truncated or corrupt (only without ``progress``).
    """
    say: Progress = progress if progress is not None else _quiet
    # One BLAS thread: the front end's many small products stall waiting for a second
    # thread on a loaded machine (and give the same numbers on one).
    with threadpool_limits(limits=1, user_api="blas"):
        heard = _hear(source, sr, limits, say, progress)
        params = params or ListenParams()
        beats, positions, meters, final = _grid(heard, say, params)
        say("sections, phrases, accents…")
        library = tuple(styles) if styles is not None else _library()
        return _music_map(heard, beats, positions, meters, final, library, params)


@dataclass(frozen=True)
class _Heard:
    """What the front end heard in a song: the features every later step reads."""

    path: str | None
    duration_s: float
    features: Features
    beat_act: NDArray[np.float64]
    onsets: Onsets
    bands: NDArray[np.float32]
    bands_fps: float
    rhythm: BandEnvelopes


def _hear(
    source: str | Path | NDArray[Any],
    sr: int | None,
    limits: AudioLimits | None,
    say: Progress,
    progress: Progress | None,
) -> _Heard:
    """Decode the song and stream it through the front end (see :func:`listen`)."""
    # The front end streams: blocks of decoded samples go straight into the features
    # (activations, energy, onset flux), so memory stays bounded however long the song.
    path: str | None
    blocks: Iterator[NDArray[np.float32]]
    notes: list[str] = []
    if isinstance(source, (str, Path)):
        path = str(source)
        reader = open_audio(source, limits)
        say("decoding…")
        rate, blocks, notes = reader.sample_rate, reader.blocks(), reader.notes
    else:
        say("decoding…")
        path = None
        if sr is None:
            raise InputError(None, "a sample rate is needed to analyse raw samples")
        rate = int(sr)
        blocks = sample_blocks(as_mono(source, rate, None))
    # The other analyses stream alongside madmom's features, on the same 44.1 kHz signal
    # (so a 192 kHz file costs them no more than a CD-rate one).
    bands = BandFrames(SAMPLE_RATE_HZ)  # the texture, for sections and phrases
    pulse_feats = OnsetStream(SAMPLE_RATE_HZ)  # onsets, chroma and bass: beat level, meter
    groove = RhythmStream(SAMPLE_RATE_HZ)  # the rhythmic character, for the dance fit
    stream = FeatureStream(rate, taps=(bands.push, pulse_feats.push, groove.push))
    for block in blocks:
        stream.feed(block)
    for note in notes:
        if progress is not None:
            progress(f"warning: {note}")
        else:
            warnings.warn(note, stacklevel=3)
    check_length(stream.num_samples, rate, path)
    if stream.peak < 1e-5:
        raise InputError(path, "no danceable beat found (the audio is silent)")
    say("finding beats…")
    features = stream.finish()
    act = features.activations
    return _Heard(
        path=path,
        duration_s=features.duration_s,
        features=features,
        beat_act=np.clip(act[:, 0] + act[:, 1], 0.0, 1.0),
        onsets=pulse_feats.result(),
        bands=bands.result(),
        bands_fps=bands.fps,
        rhythm=groove.result(),
    )


def _grid(
    heard: _Heard, say: Progress, params: ListenParams
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], Accent | None]:
    """Beats, their positions in the bar, the meter of each and the final chord, if any."""
    features, beat_act = heard.features, heard.beat_act
    beats = track_beats(beat_act, features.energy, heard.duration_s, heard.path, params=params)
    prior = default_prior(params)
    beats = choose_level(beats, beat_act, heard.onsets, prior, params=params).beats
    say("finding bars and meter…")
    final = final_chord(features.energy, features.flux, beat_act, beats, params=params)
    if final is not None:
        # the tracker keeps counting through a held final chord; the music does not
        keep = beats <= final.time + 0.3 * float(np.median(np.diff(beats)))
        if np.count_nonzero(keep) >= params.min_beats:
            beats = beats[keep]
    meters, positions = find_bars(features.activations, beats, heard.onsets, prior, params=params)
    return beats, positions, meters, final


def _music_map(
    heard: _Heard,
    beats: NDArray[np.float64],
    positions: NDArray[np.int64],
    meters: NDArray[np.int64],
    final: Accent | None,
    library: tuple[DanceStyle, ...],
    params: ListenParams,
) -> MusicMap:
    """The song's map from its grid: sections and their dances, phrases, accents."""
    duration, energy = heard.duration_s, heard.features.energy
    bar_starts = [i for i, p in enumerate(positions) if p == 1]
    tex = texture(heard.bands, heard.bands_fps, beats[bar_starts], params=params)

    def rhythm_of(meter: int, start: float, end: float) -> RhythmProfile | None:
        return rhythm_profile(heard.rhythm, beats, positions, meter, start, end)

    sections = find_sections(
        beats, meters, bar_starts, duration, energy, library, tex.changes, rhythm_of, params=params
    )
    song_meter = main_meter(sections)
    main_ibis = section_ibis(beats, [s for s in sections if s.meter == song_meter])
    bpm = round(60.0 / float(np.median(main_ibis)), 2)
    draft = MusicMap(
        source=heard.path if heard.path is not None else "<samples>",
        duration_s=round(duration, 3),
        beats=tuple(round(float(b), 3) for b in beats),
        beat_in_bar=tuple(int(p) for p in positions),
        meter=song_meter,
        bpm=bpm,
        mpm=round(bpm / song_meter, 2),
        tempo_curve=tempo_curve(beats),
        phrases=(),
        sections=sections,
        accents=(),
        energy=energy,
        dances=rank_dances(
            song_meter, bpm, library, rhythm_of(song_meter, 0.0, duration), params.fit
        ),
    )
    arrival = float(beats[bar_starts[tex.arrival]]) if tex.arrival is not None else None
    return replace(
        draft,
        phrases=find_phrases(draft, arrival, tex.evidence, params=params),
        accents=find_accents(draft, heard.features.flux, final, heard.beat_act, params=params),
    )


def _quiet(_: str) -> None:
    return None


def _library() -> tuple[DanceStyle, ...]:
    from pasdeux.dances import load_library

    return tuple(load_library())
