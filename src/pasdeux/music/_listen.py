"""Listen: audio → ``MusicMap`` (beats, bars with meter changes, sections, phrases, accents).

The beat and downbeat activations come from madmom's RNN ensemble (Böck, Krebs and
Widmer, ISMIR 2016; here as ONNX). Beats are tracked with madmom's DBN. Bars are found
with our own Viterbi over the tracked beats, whose states are (meter, position in bar),
so that a song may change meter (a ballad that turns into a waltz).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.dances._model import DanceStyle
from pasdeux.errors import InputError
from pasdeux.music._audio import as_mono, check_audio_file, load_audio
from pasdeux.music._features import (
    _SR,
    _activations,
    _energy_curve,
    _onset_flux,
    _processor,
    _resample,
)
from pasdeux.music._fit import rank_dances
from pasdeux.music._meter import _downbeat_probability, bar_viterbi
from pasdeux.music._pulse import _MIN_BEATS, _choose_pulse, _clean_beats
from pasdeux.music._structure import (
    _accents,
    _final,
    _main_meter,
    _phrases,
    _section_ibis,
    _sections,
    _tempo_curve,
)
from pasdeux.music._types import (
    MusicMap,
)

__all__ = ["listen"]

Progress = Callable[[str], None]


def listen(
    source: str | Path | NDArray[Any],
    sr: int | None = None,
    *,
    progress: Progress | None = None,
    styles: Sequence[DanceStyle] | None = None,
) -> MusicMap:
    """Analyse a song: beats, bars and meter (changes too), sections, phrases, accents, dances.

    Parameters
    ----------
    source
        An audio file, or samples (mono ``(n,)`` or ``(n, channels)``) with ``sr``.
    sr
        Sample rate of ``source`` when it is samples; ignored for a file.
    progress
        Called with a short message as each step starts (e.g. ``"finding beats…"``).
    styles
        Dance styles to rank; by default the whole library
        (:func:`pasdeux.dances.load_library`).

    Returns
    -------
    MusicMap
        The song's map. ``sections`` cover the song from 0 to its end; inner section
        boundaries fall on downbeats.

    Raises
    ------
    InputError
        The file cannot be read as audio, is shorter than 5 s, or has no danceable beat.
    """
    say: Progress = progress if progress is not None else _quiet
    if isinstance(source, (str, Path)):
        check_audio_file(source)
    say("decoding…")
    path: str | None
    if isinstance(source, (str, Path)):
        path = str(source)
        samples, rate = load_audio(source)
    else:
        path = None
        if sr is None:
            raise InputError(None, "a sample rate is needed to analyse raw samples")
        rate = int(sr)
        samples = as_mono(source, rate, None)
    duration = samples.size / rate
    if float(np.max(np.abs(samples))) < 1e-5:
        raise InputError(path, "no danceable beat found (the audio is silent)")
    y44 = _resample(samples, rate, _SR)

    say("finding beats…")
    act = _activations(y44)
    beat_act = np.clip(act[:, 0] + act[:, 1], 0.0, 1.0)
    beats = np.asarray(_processor("beats")(beat_act), dtype=float)
    energy = _energy_curve(samples, rate)
    beats = _choose_pulse(_clean_beats(beats, energy, duration), beat_act, path)

    say("finding bars and meter…")
    flux = _onset_flux(y44)
    final = _final(energy, flux, beat_act, beats)
    if final is not None:
        # the tracker keeps counting through a held final chord; the music does not
        keep = beats <= final.time + 0.3 * float(np.median(np.diff(beats)))
        if np.count_nonzero(keep) >= _MIN_BEATS:
            beats = beats[keep]
    q = _downbeat_probability(act, beats)
    meters, positions = bar_viterbi(q)

    say("sections, phrases, accents…")
    library = tuple(styles) if styles is not None else _library()
    bar_starts = [i for i, p in enumerate(positions) if p == 1]
    sections = _sections(beats, meters, bar_starts, duration, energy, library)
    main_meter = _main_meter(sections)
    main_ibis = _section_ibis(beats, [s for s in sections if s.meter == main_meter])
    bpm = round(60.0 / float(np.median(main_ibis)), 2)
    draft = MusicMap(
        source=path if path is not None else "<samples>",
        duration_s=round(duration, 3),
        beats=tuple(round(float(b), 3) for b in beats),
        beat_in_bar=tuple(int(p) for p in positions),
        meter=main_meter,
        bpm=bpm,
        mpm=round(bpm / main_meter, 2),
        tempo_curve=_tempo_curve(beats),
        phrases=(),
        sections=sections,
        accents=(),
        energy=energy,
        dances=rank_dances(main_meter, bpm, library),
    )
    return replace(draft, phrases=_phrases(draft), accents=_accents(draft, flux, final))


def _quiet(_: str) -> None:
    return None


def _library() -> tuple[DanceStyle, ...]:
    from pasdeux.dances import load_library

    return tuple(load_library())
