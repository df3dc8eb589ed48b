"""Shared fixtures: the demo song's exact ground truth as a MusicMap, and short clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pasdeux._run import demo_song_path
from pasdeux.dances import load_library
from pasdeux.music import (
    EnergyCurve,
    MusicMap,
    Phrase,
    Section,
    TempoPoint,
    rank_dances,
)

SHARED_MUSIC = Path(__file__).resolve().parents[2] / "shared" / "music"


def demo_truth() -> dict[str, object]:
    """The nominal beat grid the demo song was composed on."""
    path = demo_song_path().with_name("demo_song.truth.json")
    data: dict[str, object] = json.loads(path.read_text())
    return data


def music_from_truth() -> MusicMap:
    """A MusicMap built from the demo song's ground truth (no audio analysis)."""
    truth = demo_truth()
    beats = [float(t) for t in truth["beats"]]  # type: ignore[attr-defined]
    downbeats = {round(float(t), 6) for t in truth["downbeats"]}  # type: ignore[attr-defined]
    beat_in_bar: list[int] = []
    for t in beats:
        beat_in_bar.append(1 if round(t, 6) in downbeats else beat_in_bar[-1] + 1)
    library = load_library()
    sections = []
    for s in truth["sections"]:  # type: ignore[attr-defined]
        best = rank_dances(int(s["meter"]), float(s["bpm"]), library)[0].name
        sections.append(
            Section(float(s["start"]), float(s["end"]), int(s["meter"]), float(s["bpm"]), best)
        )
    phrases = []
    bar_starts = [t for t, pos in zip(beats, beat_in_bar) if pos == 1]
    for first in range(0, len(bar_starts) - 1, 8):
        last = min(first + 8, len(bar_starts) - 1)
        phrases.append(Phrase(first, last - first, bar_starts[first], bar_starts[last]))
    return MusicMap(
        source="demo_song.ogg",
        duration_s=float(truth["duration_s"]),  # type: ignore[arg-type]
        beats=tuple(beats),
        beat_in_bar=tuple(beat_in_bar),
        meter=4,
        bpm=76.0,
        mpm=19.0,
        tempo_curve=tuple(TempoPoint(t, 76.0) for t in beats[:4]),
        phrases=tuple(phrases),
        sections=tuple(sections),
        accents=(),
        energy=EnergyCurve(0.1, (0.0, -3.0)),
        dances=rank_dances(4, 76.0, library),
    )


@pytest.fixture(scope="session")
def truth_music() -> MusicMap:
    """The demo song's ground truth as a MusicMap."""
    return music_from_truth()


@pytest.fixture(scope="session")
def demo_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30 s WAV cut from the demo song around its change from 4/4 to 3/4 (at 37.9 s)."""
    samples, sr = sf.read(demo_song_path(), dtype="float32", always_2d=True)
    start, end = int(24.0 * sr), int(54.0 * sr)
    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    sf.write(path, np.ascontiguousarray(samples[start:end]), sr)
    return path
