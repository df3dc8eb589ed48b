"""Beats, downbeats and tempo of audio as it plays: :class:`BeatStream` and its sources."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pasdeux.errors import InputError
from pasdeux.music.frontend import AudioLimits, Resampler, open_audio
from pasdeux.music.stream._bars import BarTracker, harmonic_change
from pasdeux.music.stream._causal import (
    FPS,
    SAMPLE_RATE_HZ,
    CausalFrames,
    CausalFrontEnd,
    frame_time_s,
)
from pasdeux.music.stream._params import StreamParams
from pasdeux.music.stream._tracker import ForwardBeatTracker

__all__ = ["BeatEvent", "BeatStream", "file_blocks", "listen_stream", "microphone_blocks"]

#: Frames of the low-band onset around a beat in which its accent is taken.
_ACCENT_FRAMES = 2

#: No beat is reported before the network's activation reaches this: the music has not started.
_HEARD = 0.2

#: The pitch range of the chroma whose change marks bar lines (Hz).
_CHROMA_LOW_HZ = 100.0
_CHROMA_HIGH_HZ = 2000.0

#: Resampler block (seconds) for a stream that is not at 44.1 kHz.
_RESAMPLE_BLOCK_S = 0.01


@dataclass(frozen=True)
class BeatEvent:
    """A beat as the stream decided it.

    Attributes
    ----------
    time_s
        When the beat fell, on the stream's clock (seconds from its first sample).
    decided_s
        How much of the stream had been fed when it was decided (seconds): the beat was
        known ``decided_s - time_s`` after it fell.
    bpm
        The tempo then (beats per minute).
    count
        Its place in the bar, 1 for the downbeat.
    meter
        Beats in the bar it belongs to.
    """

    time_s: float
    decided_s: float
    bpm: float
    count: int
    meter: int

    @property
    def downbeat(self) -> bool:
        """Whether the beat is a bar's first."""
        return self.count == 1

    def to_dict(self) -> dict[str, float | int | bool]:
        """The event as plain JSON values."""
        return {
            "time_s": round(self.time_s, 3),
            "decided_s": round(self.decided_s, 3),
            "bpm": round(self.bpm, 1),
            "count": self.count,
            "meter": self.meter,
            "downbeat": self.downbeat,
        }


class BeatStream:
    """Beats, downbeats and tempo of mono audio fed block by block, decided causally.

    Each :meth:`feed` returns the beats decided on the samples fed so far; nothing after
    a beat but the decision delay (``StreamParams.decision_delay_s``) and the rest of the
    block it came in is used to decide it.

    Parameters
    ----------
    sample_rate
        Samples per second of the blocks.
    params
        The tunables (defaults when ``None``).

    Examples
    --------
    >>> stream = BeatStream(44100)  # doctest: +SKIP
    >>> for block in blocks:  # doctest: +SKIP
    ...     for event in stream.feed(block):
    ...         print(event.time_s, event.count, event.bpm)
    """

    def __init__(self, sample_rate: int, params: StreamParams | None = None) -> None:
        if sample_rate <= 0:
            raise ValueError(f"invalid sample rate {sample_rate}")
        self.params = params if params is not None else StreamParams()
        self.sample_rate = int(sample_rate)
        self._resampler = (
            None
            if self.sample_rate == SAMPLE_RATE_HZ
            else Resampler(self.sample_rate, SAMPLE_RATE_HZ, block_s=_RESAMPLE_BLOCK_S)
        )
        self._front = CausalFrontEnd(
            networks=self.params.networks, low_band_hz=self.params.low_band_hz
        )
        self._beats = ForwardBeatTracker(self.params, FPS)
        self._bars = BarTracker(self.params)
        # frames of history kept: the last 2 * change_beats beats at the slowest tempo
        self._keep = (2 * self.params.change_beats + 1) * int(self._beats.intervals[-1]) + 16
        self._hist_start = 0  # frame of the first kept row
        self._low = np.zeros(0)
        self._chroma_of = self._front.chroma_matrix(_CHROMA_LOW_HZ, _CHROMA_HIGH_HZ)
        self._spec = np.zeros((0, 12), dtype=np.float32)
        self._beat_frames: list[int] = []
        self._heard = False  # whether the music has started
        self._last_event: BeatEvent | None = None
        self._flux_level = RunningPeak(self.params.onset_halflife_s * FPS)
        self._flux_floor = RunningMean(self.params.onset_floor_halflife_s * FPS)
        self._peak_level = RunningPeak(self.params.onset_halflife_s * FPS)
        self.num_samples = 0

    @property
    def position_s(self) -> float:
        """Seconds of audio fed so far."""
        return self.num_samples / self.sample_rate

    def feed(self, block: NDArray[np.floating]) -> list[BeatEvent]:
        """Add the next mono samples (in [-1, 1]); return the beats decided on them."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        self.num_samples += x.size
        y44 = x if self._resampler is None else self._resampler.feed(x)
        if y44.size == 0:
            return []
        frames = self._front.feed(y44)
        self._remember(frames)
        events = []
        for act, flux, low in zip(frames.activation, frames.flux, frames.low_flux):
            onset = self._flux_level(float(flux))
            above = max(0.0, float(flux) - self._flux_floor(float(flux)))
            peak = self._peak_level(above) ** self.params.peak_power
            self._heard = self._heard or act >= _HEARD
            decision = self._beats.step(float(act), onset, peak, float(low))
            if decision is not None and self._heard:
                frame = round(decision.frame)
                if decision.count_step == 0 and self._last_event is not None:
                    events.append(self._again(frame, decision.bpm, self._last_event))
                else:
                    self._skip(frame, decision.count_step - 1)
                    events.append(self._event(frame, decision.bpm))
                self._last_event = events[-1]
        return events

    def _remember(self, frames: CausalFrames) -> None:
        self._low = np.concatenate((self._low, frames.low_flux))
        self._spec = np.concatenate((self._spec, frames.spectrum @ self._chroma_of))
        extra = self._low.size - self._keep
        if extra > 0:
            self._low = self._low[extra:]
            self._spec = self._spec[extra:]
            self._hist_start += extra

    def _again(self, frame: int, bpm: float, last: BeatEvent) -> BeatEvent:
        """A beat that stands for the last one (which the music did not play): its count,
        in place of it in the history."""
        if self._beat_frames:
            self._beat_frames[-1] = frame
        return self._beat_at(frame, bpm, last.count, last.meter)

    def _beat_at(self, frame: int, bpm: float, count: int, meter: int) -> BeatEvent:
        """The event of a beat at ``frame``, decided now."""
        return BeatEvent(
            time_s=frame_time_s(frame), decided_s=self.position_s, bpm=bpm, count=count, meter=meter
        )

    def _skip(self, frame: int, beats: int) -> None:
        """Count ``beats`` that fell unreported before the beat at ``frame`` (evenly
        spaced since the last one)."""
        if beats <= 0 or not self._beat_frames:
            return
        last = self._beat_frames[-1]
        for k in range(1, beats + 1):
            self._beat_frames.append(round(last + k * (frame - last) / (beats + 1)))
            self._bars.skip()

    def _event(self, frame: int, bpm: float) -> BeatEvent:
        a = max(self._hist_start, frame - _ACCENT_FRAMES) - self._hist_start
        accent = float(np.max(self._low[a : frame + _ACCENT_FRAMES + 1 - self._hist_start]))
        span = self.params.change_beats
        history = [*self._beat_frames[-2 * span :], frame]
        self._beat_frames = history
        change = None
        if len(history) == 2 * span + 1:  # the change at the beat `span` beats ago
            s = self._hist_start
            a, b, c = (max(0, f - s) for f in (history[0], history[span], history[-1]))
            change = harmonic_change(self._spec[a:b], self._spec[b:c])
        bar = self._bars.step(accent, change)
        return self._beat_at(frame, bpm, bar.count, bar.meter)


class RunningPeak:
    """Values scaled by a running peak that decays with a half-life of ``halflife``
    values, clipped to [0, 1]: the onset flux as a probability-like observation."""

    def __init__(self, halflife: float) -> None:
        self._keep = 0.5 ** (1.0 / halflife)
        self._peak = 0.0

    def __call__(self, x: float) -> float:
        """``x`` over the peak so far (then ``x`` joins the peak)."""
        self._peak = max(x, self._peak * self._keep)
        return min(1.0, x / self._peak) if self._peak > 0 else 0.0


class RunningMean:
    """The mean of the values before each one, exponentially weighted with a half-life of
    ``halflife`` values: the floor of the onset flux, above which a peak is an onset."""

    def __init__(self, halflife: float) -> None:
        self._keep = 0.5 ** (1.0 / halflife)
        self._mean = 0.0

    def __call__(self, x: float) -> float:
        """The mean before ``x`` (then ``x`` joins it)."""
        before = self._mean
        self._mean = self._keep * self._mean + (1.0 - self._keep) * x
        return before


def listen_stream(
    blocks: Iterable[NDArray[np.floating]],
    sample_rate: int,
    *,
    params: StreamParams | None = None,
) -> Iterator[BeatEvent]:
    """The beats of a stream of mono sample blocks, each yielded as soon as it is decided.

    Parameters
    ----------
    blocks
        Mono samples in [-1, 1], in order (any block size; a live source's blocks are
        typically 10-50 ms).
    sample_rate
        Samples per second.
    params
        The tunables (defaults when ``None``).

    Yields
    ------
    BeatEvent
        Each beat with its tempo, its count in the bar and when it was decided.
    """
    stream = BeatStream(sample_rate, params)
    for block in blocks:
        yield from stream.feed(block)


def file_blocks(
    path: str | Path,
    *,
    block_s: float = 0.02,
    real_time: bool = True,
    limits: AudioLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, Iterator[NDArray[np.float32]]]:
    """An audio file as a live source: its sample rate and its mono samples in blocks of
    ``block_s`` seconds, each released when it would have been heard (``real_time``) or
    at once.

    Raises
    ------
    InputError
        The file is not readable audio (checked before the first block; see
        :func:`pasdeux.music.load_audio`).
    """
    reader = open_audio(path, limits)
    step = max(1, round(block_s * reader.sample_rate))

    def blocks() -> Iterator[NDArray[np.float32]]:
        start = clock()
        sent = 0
        for decoded in reader.blocks():
            for a in range(0, decoded.size, step):
                block = decoded[a : a + step]
                sent += block.size
                if real_time:
                    wait = start + sent / reader.sample_rate - clock()
                    if wait > 0:
                        sleep(wait)
                yield block

    return reader.sample_rate, blocks()


def microphone_blocks(
    *, sample_rate: int = SAMPLE_RATE_HZ, block_s: float = 0.02
) -> Iterator[NDArray[np.float32]]:
    """The default input device as a live source (mono blocks of ``block_s`` seconds),
    through the optional ``sounddevice`` package, until interrupted.

    Raises
    ------
    InputError
        ``sounddevice`` (``pip install 'pasdeux[live]'``) or an input device is missing.
    """
    try:
        import sounddevice  # type: ignore[import-not-found, unused-ignore]
    except (ImportError, OSError) as exc:
        raise InputError(
            None,
            f"live input needs the sounddevice package and PortAudio ({exc}); "
            "install it with: pip install 'pasdeux[live]'",
        ) from None
    frames = max(1, round(block_s * sample_rate))
    try:
        stream = sounddevice.InputStream(
            samplerate=sample_rate, channels=1, dtype="float32", blocksize=frames
        )
    except Exception as exc:  # PortAudioError: no device, a busy one
        raise InputError(None, f"no audio input device to listen to ({exc})") from None

    def blocks() -> Iterator[NDArray[np.float32]]:
        with stream:
            while True:
                data, _overflowed = stream.read(frames)
                yield np.asarray(data, dtype=np.float32).reshape(-1)

    return blocks()
