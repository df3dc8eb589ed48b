"""The typed result of listening: ``MusicMap`` and its parts.

Conventions: every time is in seconds on the song's clock; ``meter`` is beats per bar;
``bpm`` counts the beats the meter counts (a waltz at 29 bars a minute has bpm 87).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pasdeux._json import check_schema, read_json
from pasdeux._serial import from_jsonable, to_jsonable
from pasdeux.music._tempo import TempoMap

__all__ = [
    "MUSIC_MAP_SCHEMA",
    "Accent",
    "Bar",
    "DanceFit",
    "EnergyCurve",
    "MusicMap",
    "Phrase",
    "Section",
    "TempoPoint",
]

MUSIC_MAP_SCHEMA = 1


@dataclass(frozen=True)
class Bar:
    """One bar: its start (a downbeat), its end (the next downbeat) and its meter."""

    index: int
    start: float
    end: float
    meter: int


@dataclass(frozen=True)
class Phrase:
    """A group of consecutive bars (normally 8) that the music treats as a unit."""

    first_bar: int
    n_bars: int
    start: float
    end: float


@dataclass(frozen=True)
class Section:
    """A stretch of the song with one meter and tempo, and the dance that suits it best."""

    start: float
    end: float
    meter: int
    bpm: float
    dance: str
    energy: float = 0.0


@dataclass(frozen=True)
class Accent:
    """A musical event a dancer can mark: a ``hit``, a ``break`` (a gap) or the ``final`` chord."""

    time: float
    kind: Literal["hit", "break", "final"]
    strength: float
    duration: float = 0.0


@dataclass(frozen=True)
class DanceFit:
    """How well one dance suits the song: a score in [0, 1] and the reason."""

    name: str
    score: float
    reason: str


@dataclass(frozen=True)
class TempoPoint:
    """The local tempo at one time."""

    time: float
    bpm: float


@dataclass(frozen=True)
class EnergyCurve:
    """Loudness in dB relative to the song's peak, sampled every ``hop_s`` seconds from 0."""

    hop_s: float
    values_db: tuple[float, ...]


@dataclass(frozen=True)
class MusicMap:
    """Everything the later stages need to know about a song.

    ``beats`` are all beat times; ``beat_in_bar`` gives each beat's position in its bar
    (1 = downbeat), so the meter may change along the song. ``downbeats`` and ``bars`` are
    derived from them.
    """

    source: str
    duration_s: float
    beats: tuple[float, ...]
    beat_in_bar: tuple[int, ...]
    meter: int
    bpm: float
    mpm: float
    tempo_curve: tuple[TempoPoint, ...]
    phrases: tuple[Phrase, ...]
    sections: tuple[Section, ...]
    accents: tuple[Accent, ...]
    energy: EnergyCurve
    dances: tuple[DanceFit, ...]
    schema: int = MUSIC_MAP_SCHEMA
    kind: str = field(default="music_map")

    def __post_init__(self) -> None:
        if len(self.beats) != len(self.beat_in_bar):
            raise ValueError("beats and beat_in_bar must have the same length")
        if any(b2 <= b1 for b1, b2 in zip(self.beats, self.beats[1:])):
            raise ValueError("beats must be strictly increasing")
        if 1 not in self.beat_in_bar:
            raise ValueError("at least one beat must be a downbeat (beat_in_bar == 1)")

    @property
    def downbeats(self) -> tuple[float, ...]:
        """Times of the first beat of every bar."""
        return tuple(t for t, pos in zip(self.beats, self.beat_in_bar) if pos == 1)

    @property
    def first_downbeat_index(self) -> int:
        """Index into ``beats`` of the first downbeat."""
        return self.beat_in_bar.index(1)

    @property
    def bars(self) -> tuple[Bar, ...]:
        """Complete bars, from each downbeat to the next (the last bar ends at the last beat)."""
        starts = [i for i, pos in enumerate(self.beat_in_bar) if pos == 1]
        bars = []
        for n, i in enumerate(starts):
            j = starts[n + 1] if n + 1 < len(starts) else None
            if j is None:
                meter = self.beat_in_bar[-1] - self.beat_in_bar[i] + 1
                end_index = len(self.beats) - 1
                if meter < 2 or end_index == i:
                    break
                end = self.beats[end_index] + (self.beats[end_index] - self.beats[end_index - 1])
            else:
                meter = j - i
                end = self.beats[j]
            bars.append(Bar(index=n, start=self.beats[i], end=end, meter=meter))
        return tuple(bars)

    @property
    def tempo_map(self) -> TempoMap:
        """The seconds<->beats converter for this song."""
        return TempoMap.from_beats(self.beats, self.first_downbeat_index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; adds the derived ``downbeats`` and ``bars`` for readers."""
        data: dict[str, Any] = to_jsonable(self)
        data["downbeats"] = list(self.downbeats)
        data["bars"] = [to_jsonable(b) for b in self.bars]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | None = None) -> MusicMap:
        """Inverse of :meth:`to_dict` (derived keys are ignored)."""
        check_schema(data, "music_map", MUSIC_MAP_SCHEMA, path)
        core = {k: v for k, v in data.items() if k not in ("downbeats", "bars")}
        return from_jsonable(cls, core, "MusicMap")

    def to_json(self) -> str:
        """Serialise to a JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def load(cls, path: str | Path) -> MusicMap:
        """Read a ``music.json`` file."""
        return cls.from_dict(read_json(path), str(path))
