"""Decode an audio file into mono float samples, block by block, with one-line errors for bad
input.

Formats: WAV (8/16/24/32-bit integer, 32/64-bit float), FLAC, OGG Vorbis, Opus, MP3 and the
other formats of libsndfile are read through soundfile; M4A/AAC/MP4 and similar containers
through an ``ffmpeg`` subprocess (a pipe of 44.1 kHz mono float samples) when ``ffmpeg`` is
on the ``PATH``; only the first audio stream is decoded. A file libsndfile does not
recognise whatever its name (an AAC file named ``.mp3``, or an OGG file whose first stream
is a cover picture, say) is tried with ``ffmpeg`` too, when ``ffprobe`` finds an audio
stream in it. Any sample rate and any number of channels; channels are mixed by their mean
(``ffmpeg`` uses its standard down-mix).

Files that are plainly not audio (text, or an image, PDF, ZIP or HTML file by its first
bytes) are refused before any decoder sees them: libsndfile's MP3 decoder finds "frames" of
noise in almost anything named ``.mp3``.

Memory stays bounded: :func:`open_audio` gives an :class:`AudioReader` whose
:meth:`~AudioReader.blocks` yields about a second of mono samples at a time.

Budgets (:class:`AudioLimits`; by default 8 to 192 kHz and up to an hour, the command
line's ``--max-minutes`` sets the length): :func:`open_audio` reads the sample rate and
length from the header before any decoding (libsndfile's header, a WAV's data chunk bounded
by what the file holds, an MP3's Xing/Info count or its frames walked, ``ffprobe``'s first
audio stream and container duration for the ffmpeg formats) and refuses a file outside them
with an :class:`~pasdeux.errors.InputError` that says the limit and how to raise it; a file
exactly at the limit is accepted. Headers lie, so the decoded samples are counted too:
decoding stops with the same error as soon as they run a second past the limit.

Truncated and corrupt files: when decoding stops part way through (a FLAC file cut short or
damaged, ``ffmpeg`` failing), or ends normally but short of what the header and container
promise (a WAV holding less data than its header says, an OGG file whose last page is cut
or lacks the end-of-stream flag, an MP3 whose last frame is cut short or that decodes
shorter than its Xing/Info count, an M4A that decodes shorter than the container's
duration), the audio decoded is used if it is at least :data:`MIN_DURATION_S` long, and the
reader records a note saying so (:attr:`AudioReader.notes`; :func:`pasdeux.music.listen`
reports it as a ``warning:`` progress line, or a ``UserWarning`` without a progress
callback, :func:`load_audio` as a ``UserWarning``); shorter, it is an
:class:`~pasdeux.errors.InputError`. ``ffmpeg``'s messages alone are not taken as damage (a
file with a cover picture makes it talk about timestamps): they are quoted when the length
is short. Not detectable: a file cut exactly at a frame or page boundary of a format with no
length in its header (raw AAC, an MP3 without a Xing/Info frame cut between frames).

Float files: samples are checked for NaN and infinity before any analysis (an
``InputError``), and a float file that peaks above 1 is scaled down to peak at 1. The
output of lossy decoders is clipped to [-1, 1].
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from numpy.typing import ArrayLike, NDArray

from pasdeux.errors import InputError
from pasdeux.music.frontend._headers import (
    Claim,
    aiff_claim,
    ffprobe_stream,
    mp3_claim,
    ogg_cut,
    span,
    wav_claim,
)

__all__ = [
    "FFMPEG_EXTENSIONS",
    "MIN_DURATION_S",
    "AudioLimits",
    "AudioReader",
    "as_mono",
    "check_audio_file",
    "check_length",
    "load_audio",
    "open_audio",
    "sample_blocks",
]

#: Shortest song (seconds) in which a beat can be found.
MIN_DURATION_S = 5.0

#: Containers libsndfile cannot read; they are decoded with ``ffmpeg`` when it is installed.
FFMPEG_EXTENSIONS = frozenset(
    {".m4a", ".m4b", ".aac", ".mp4", ".m4v", ".mov", ".wma", ".webm", ".mka", ".mkv", ".3gp"}
)

#: ``ffmpeg`` decodes to this rate (the analysis rate, so no resampling follows).
_FFMPEG_RATE = 44100

#: Frames per decoded block.
_BLOCK_FRAMES = 1 << 16

#: Frames per read when re-reading the block in which decoding failed.
_RECOVER_FRAMES = 2048

#: libsndfile subtypes whose samples are floats (may hold NaN, infinity or peaks above 1).
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})

_NAN_PROBLEM = "contains NaN or infinite samples (a corrupt float file?)"

_SF_ERRORS = (sf.SoundFileError, RuntimeError, ValueError, TypeError)


@dataclass(frozen=True, kw_only=True)
class AudioLimits:
    """The budgets an audio file must fit, checked from its header before decoding and
    against the decoded samples while decoding.

    Attributes
    ----------
    max_duration_s : float
        Longest song accepted (seconds); a file exactly this long is accepted. The command
        line's ``--max-minutes`` sets it.
    min_sample_rate_hz, max_sample_rate_hz : int
        The sample rates accepted (the file's own rate, before any resampling).
    decode_slack_s : float
        How far decoded audio may run past ``max_duration_s`` before it is refused (lossy
        decoders add a few priming and padding samples to what the header says).
    truncation_tolerance_s : float
        A decoding this much shorter than its header's claim is a truncated file (the
        claim of a lossy format counts its encoder's padding too).
    """

    max_duration_s: float = 3600.0
    min_sample_rate_hz: int = 8000
    max_sample_rate_hz: int = 192000
    decode_slack_s: float = 1.0
    truncation_tolerance_s: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 < self.max_duration_s < float("inf"):
            raise ValueError(f"max_duration_s must be positive, got {self.max_duration_s}")
        if not 0 < self.min_sample_rate_hz <= self.max_sample_rate_hz:
            raise ValueError(
                f"need 0 < min_sample_rate_hz <= max_sample_rate_hz, got "
                f"{self.min_sample_rate_hz} and {self.max_sample_rate_hz}"
            )

    def too_long(self, what: str) -> str:
        """The one-line problem for a song over the duration budget (``what`` says how
        long it is, e.g. ``"its header says 3.0 h"``)."""
        return (
            f"is longer than the limit of {span(self.max_duration_s)} ({what}); "
            "raise the limit with --max-minutes"
        )

    def check_header(
        self, p: Path, sample_rate_hz: int | None, duration_s: float | None, slack_s: float = 0.0
    ) -> None:
        """Refuse a file whose header's sample rate or duration is over budget (a duration
        that may overstate the audio by ``slack_s`` is given that grace)."""
        low, high = self.min_sample_rate_hz, self.max_sample_rate_hz
        if sample_rate_hz is not None and not low <= sample_rate_hz <= high:
            raise InputError(
                p, f"has a sample rate of {sample_rate_hz} Hz; pasdeux reads {low} to {high} Hz"
            )
        if duration_s is not None and duration_s - slack_s > self.max_duration_s:
            raise InputError(p, self.too_long(f"its header says {span(duration_s)}"))


class AudioReader:
    """An audio file opened for decoding block by block (made by :func:`open_audio`).

    Attributes
    ----------
    path : pathlib.Path
        The file.
    sample_rate : int
        Samples per second of the blocks.
    limits : AudioLimits
        The budgets the decoded audio must fit.
    notes : list of str
        Remarks made while decoding, e.g. that the file is truncated and only its first part
        is used; complete once :meth:`blocks` is exhausted.
    """

    def __init__(
        self,
        path: Path,
        sample_rate: int,
        decode: Callable[[AudioReader], Generator[NDArray[np.float32]]],
        *,
        limits: AudioLimits | None = None,
        claim: Claim | None = None,
    ) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.limits = limits if limits is not None else AudioLimits()
        self.notes: list[str] = []
        self._decode = decode
        self._claim = claim if claim is not None else Claim()
        budget_s = self.limits.max_duration_s + self.limits.decode_slack_s
        self._max_frames = int(budget_s * sample_rate)

    def blocks(self) -> Generator[NDArray[np.float32]]:
        """Decode the file: mono ``float32`` blocks in [-1, 1], about 65 000 samples each.

        Raises
        ------
        InputError
            The data is not audio, has NaN or infinite samples, decoding fails in its
            first :data:`MIN_DURATION_S` seconds, the file is truncated with less than that
            left, or the decoded audio runs past the duration budget.
        """
        return self._decode(self)

    def _budget(self, decoded: int) -> None:
        """Refuse the file as soon as the decoded audio runs past the duration budget."""
        if decoded > self._max_frames:
            seconds = self.limits.max_duration_s
            raise InputError(self.path, self.limits.too_long(f"decoding went past {span(seconds)}"))

    def _stopped(self, decoded: int, detail: str, *, header_ok: bool) -> None:
        """Decoding failed after ``decoded`` samples: keep them (with a note) or raise."""
        if decoded == 0 and not header_ok:
            raise InputError(self.path, _not_audio_message(self.path, detail))
        seconds = decoded / self.sample_rate
        if seconds < MIN_DURATION_S:
            raise InputError(
                self.path,
                f"is truncated or corrupt: decoding failed after {seconds:.1f} s ({detail})",
            )
        self.notes.append(
            f"{self.path}: decoding stopped after {seconds:.1f} s ({detail}); the file is "
            f"truncated or corrupt, analysing its first {seconds:.1f} s"
        )

    def _finished(self, decoded: int, detail: str = "") -> None:
        """Decoding ended normally after ``decoded`` samples: compare them with the header's
        claim and the container's end; a cut file is kept (with a note) or refused."""
        seconds = decoded / self.sample_rate
        found = [self._claim.cut] if self._claim.cut else []
        expected = self._claim.frames
        short_by_s = self.limits.truncation_tolerance_s + self._claim.slack_s
        if expected is not None and expected - decoded > short_by_s * self.sample_rate:
            found.append(
                f"its header promises {span(expected / self.sample_rate)}, {seconds:.1f} s decoded"
            )
        if not found:
            return
        problem = "; ".join(found + ([detail] if detail else []))
        if seconds < MIN_DURATION_S:
            raise InputError(
                self.path, f"is truncated or corrupt: only {seconds:.1f} s decoded ({problem})"
            )
        self.notes.append(
            f"{self.path}: the file is truncated or corrupt ({problem}); analysing its first "
            f"{seconds:.1f} s"
        )


def open_audio(path: str | Path, limits: AudioLimits | None = None) -> AudioReader:
    """Open an audio file for decoding block by block, after cheap checks.

    Parameters
    ----------
    path
        The audio file.
    limits
        The duration and sample-rate budgets (default :class:`AudioLimits`), checked here
        against the header and while decoding against the decoded samples.

    Returns
    -------
    AudioReader
        Its :meth:`~AudioReader.blocks` decode the file.

    Raises
    ------
    InputError
        The file is missing, a directory, unreadable, empty, plainly not audio (text, an
        image...), or (for the formats libsndfile reads) its header is not audio and
        ``ffprobe`` finds no audio in it either; or it needs ``ffmpeg`` and ``ffmpeg`` is
        missing; or its header's sample rate or duration is over the budget.
    """
    p = Path(path)
    budget = limits if limits is not None else AudioLimits()
    size = _check_file(p)
    head = _head(p)
    what = _looks_like(head)
    if what is not None:
        # before any decoder: mpg123 finds "frames" of noise in text and images
        raise InputError(p, f"is not an audio file (it is {what})")
    if p.suffix.lower() in FFMPEG_EXTENSIONS or _ffmpeg_container(head):
        # by content too: libsndfile's MP3 decoder finds a few "frames" in AAC data and
        # reads an AAC file named .mp3 as a blip of noise
        ffmpeg = _need_ffmpeg(p)
        claim = _probed_claim(p, budget, head, size)  # none: ffmpeg's error says what is wrong
        return _ffmpeg_reader(p, ffmpeg, budget, claim or Claim())
    try:
        with _c_stderr_silenced():
            info = sf.info(str(p))
    except _SF_ERRORS as exc:
        found = shutil.which("ffmpeg")
        claim = _probed_claim(p, budget, head, size) if found is not None else None
        if found is None or claim is None:
            raise InputError(p, _not_audio_message(p, _sf_detail(exc))) from None
        return _ffmpeg_reader(p, found, budget, claim)
    if info.samplerate <= 0:
        raise InputError(p, f"invalid sample rate {info.samplerate}")
    rate = int(info.samplerate)
    claim = _sf_claim(p, info, head, size)
    budget.check_header(p, rate, claim.duration_s, claim.slack_s)
    decode = _soundfile_decoder(info.subtype in _FLOAT_SUBTYPES)
    return AudioReader(p, rate, decode, limits=budget, claim=claim)


def _sf_claim(p: Path, info: Any, head: bytes, size: int) -> Claim:
    """What the header of a file libsndfile reads claims, by format."""
    frames = int(info.frames) if 0 < info.frames < 2**62 else None
    general = Claim(frames=frames, duration_s=frames / info.samplerate if frames else None)
    if info.format == "WAV" and head[:4] == b"RIFF":
        return wav_claim(p, size) or general
    if info.format == "AIFF" and head[:4] == b"FORM":
        return aiff_claim(p, size, int(info.samplerate)) or general
    if head[:4] == b"OggS":
        # libsndfile counts an OGG file's frames from its last page: a cut file looks whole
        return Claim(frames=general.frames, duration_s=general.duration_s, cut=ogg_cut(p, size))
    if info.format == "MP3":
        mp3 = mp3_claim(p, size)
        return mp3 if mp3 is not None else general
    return general


def _probed_claim(p: Path, budget: AudioLimits, head: bytes, size: int) -> Claim | None:
    """``ffprobe``'s view of the first audio stream, checked against the budget; ``None``
    when it finds no audio stream.

    The budget is checked on the audio stream's duration (what is decoded); the claim a
    decoding is held to is the longer of the stream's and the container's durations, so a
    container that promises more than its audio holds is reported too.
    """
    probed = ffprobe_stream(p, _ffmpeg_input(p))
    if probed is None:
        return None
    budget.check_header(p, probed.sample_rate_hz, probed.duration_s)
    stated = [s for s in (probed.duration_s, probed.container_duration_s) if s is not None]
    seconds = max(stated) if stated else None
    frames = round(seconds * _FFMPEG_RATE) if seconds is not None else None  # ffmpeg's rate
    cut = ogg_cut(p, size) if head[:4] == b"OggS" else None
    return Claim(frames=frames, duration_s=seconds, cut=cut)


def _ffmpeg_reader(p: Path, ffmpeg: str, budget: AudioLimits, claim: Claim) -> AudioReader:
    return AudioReader(p, _FFMPEG_RATE, _ffmpeg_decoder(ffmpeg), limits=budget, claim=claim)


def load_audio(
    path: str | Path, limits: AudioLimits | None = None
) -> tuple[NDArray[np.float32], int]:
    """Read a whole audio file as mono samples (see :func:`open_audio` to stream it).

    Parameters
    ----------
    path
        The audio file.
    limits
        The duration and sample-rate budgets (default :class:`AudioLimits`).

    Returns
    -------
    samples : numpy.ndarray
        Mono ``float32`` samples in [-1, 1] (channels are mixed by their mean; a float file
        that peaks above 1 is scaled down to peak at 1).
    sample_rate : int
        Samples per second.

    Raises
    ------
    InputError
        The file is missing, a directory, unreadable, empty, not audio (or an unsupported or
        corrupt format), has no samples, has NaN or infinite samples, or is shorter than
        5 seconds. The message names the problem; the error carries the path.

    Warns
    -----
    UserWarning
        The file is truncated or corrupt and only its first part (at least 5 s) is returned.
    """
    reader = open_audio(path, limits)
    parts = list(reader.blocks())
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    check_length(samples.size, reader.sample_rate, reader.path)
    for note in reader.notes:
        warnings.warn(note, stacklevel=2)
    return samples, reader.sample_rate


def check_audio_file(
    path: str | Path, limits: AudioLimits | None = None, *, decode_s: float = 0.0
) -> None:
    """Cheap checks before decoding: the file exists, is readable, non-empty, (for the
    formats libsndfile reads) its header says audio, and its header's sample rate and
    duration fit ``limits`` (default :class:`AudioLimits`); then its first ``decode_s``
    seconds are decoded (none by default).

    Decoding the first :data:`MIN_DURATION_S` seconds or more finds what :func:`load_audio`
    refuses in a file whose header is fine: data that does not decode, a file cut before
    that, or a song shorter than that. (A file that fails later is used as far as it
    decodes, with a warning.)

    Raises
    ------
    InputError
        Naming the problem, as :func:`load_audio` would.
    """
    reader = open_audio(path, limits)
    if decode_s <= 0.0:
        return
    wanted = decode_s * reader.sample_rate
    decoded = 0
    blocks = reader.blocks()
    try:
        for block in blocks:
            decoded += block.size
            if decoded >= wanted:
                return
    finally:
        blocks.close()  # a decoder stopped part way ends its ffmpeg process
    check_length(decoded, reader.sample_rate, reader.path)


def check_length(num_samples: int, sample_rate: int, path: str | Path | None) -> None:
    """Raise an :class:`~pasdeux.errors.InputError` for no samples or fewer than
    :data:`MIN_DURATION_S` seconds of them."""
    if num_samples == 0:
        raise InputError(path, "contains no audio samples")
    duration = num_samples / sample_rate
    if duration < MIN_DURATION_S:
        raise InputError(
            path,
            f"is too short to find a beat ({duration:.1f} s; at least {MIN_DURATION_S:.0f} s "
            "needed)",
        )


def sample_blocks(
    samples: NDArray[np.float32], block: int = _BLOCK_FRAMES
) -> Iterator[NDArray[np.float32]]:
    """Mono samples in consecutive blocks (views, no copies)."""
    for start in range(0, samples.size, block):
        yield samples[start : start + block]


def as_mono(
    samples: ArrayLike, sample_rate: int, path: str | Path | None = None
) -> NDArray[np.float32]:
    """Check decoded samples and mix them to mono ``float32`` in [-1, 1].

    Parameters
    ----------
    samples
        ``(n,)`` mono or ``(n, channels)`` samples (a ``(channels, n)`` array with at most
        8 rows and more columns than rows is accepted too).
    sample_rate
        Samples per second.
    path
        Named in errors (``None`` for samples that did not come from a file).

    Returns
    -------
    numpy.ndarray
        Mono ``float32`` samples.

    Raises
    ------
    InputError
        No samples, NaN or infinite samples, or shorter than 5 seconds.
    """
    x = np.asarray(samples)
    if sample_rate <= 0:
        raise InputError(path, f"invalid sample rate {sample_rate}")
    if x.ndim == 2 and x.shape[0] <= 8 and x.shape[1] > x.shape[0]:
        x = x.T
    if x.ndim == 2:
        x = x.mean(axis=1) if x.shape[1] > 0 else np.zeros(0)
    elif x.ndim != 1:
        raise InputError(path, f"expected mono or multichannel samples, got shape {x.shape}")
    if x.size == 0:
        raise InputError(path, "contains no audio samples")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float64) / float(np.iinfo(x.dtype).max)
    x = x.astype(np.float32, copy=False)
    if not np.all(np.isfinite(x)):
        raise InputError(path, _NAN_PROBLEM)
    check_length(x.size, sample_rate, path)
    peak = float(np.max(np.abs(x)))
    if peak > 1.0:
        x = x / peak
    return np.ascontiguousarray(x, dtype=np.float32)


# --------------------------------------------------------------------------- decoders


def _soundfile_decoder(is_float: bool) -> Callable[[AudioReader], Generator[NDArray[np.float32]]]:
    def decode(reader: AudioReader) -> Generator[NDArray[np.float32]]:
        gain = _float_gain(reader) if is_float else 1.0
        decoded = 0
        for data, detail in _soundfile_reads(reader.path):
            if detail is not None:
                reader._stopped(decoded, detail, header_ok=True)
                return
            decoded += data.shape[0]
            reader._budget(decoded)
            yield _mono_block(data, gain, reader.path)
        reader._finished(decoded)

    return decode


def _soundfile_reads(p: Path) -> Iterator[tuple[NDArray[np.float32], str | None]]:
    """``(frames, channels)`` blocks, then ``(empty, detail)`` if decoding failed part way.

    Reads until libsndfile returns nothing (a header's frame count may be wrong).
    """
    empty = np.zeros((0, 1), dtype=np.float32)
    try:
        with _c_stderr_silenced():
            f = sf.SoundFile(str(p))
    except _SF_ERRORS as exc:
        yield empty, _sf_detail(exc)
        return
    start = 0  # counted, not asked: a decoder with a lying header may refuse even tell()
    try:
        while True:
            try:
                with _c_stderr_silenced():
                    data = f.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
            except _SF_ERRORS as exc:
                # keep the good start of the failed block: read it again in small steps
                yield from _recover(p, start)
                yield empty, _sf_detail(exc)
                return
            if data.shape[0] == 0:
                return
            start += data.shape[0]
            yield data, None
    finally:
        f.close()


def _recover(p: Path, start: int) -> Iterator[tuple[NDArray[np.float32], str | None]]:
    """Re-read from frame ``start`` in small steps, on a fresh handle, up to where decoding
    fails (a decoder that has failed once may not even seek)."""
    try:
        with _c_stderr_silenced():
            f = sf.SoundFile(str(p))
            if start:
                f.seek(start)
    except _SF_ERRORS:
        return
    try:
        while True:
            try:
                with _c_stderr_silenced():
                    data = f.read(_RECOVER_FRAMES, dtype="float32", always_2d=True)
            except _SF_ERRORS:
                return
            if data.shape[0] == 0:
                return
            yield data, None
    finally:
        f.close()


def _float_gain(reader: AudioReader) -> float:
    """First pass over a float file: NaN and infinity are errors; a peak above 1 is scaled
    down to 1 (the gain is returned)."""
    peak = 0.0
    decoded = 0
    for data, detail in _soundfile_reads(reader.path):
        if detail is not None:
            break  # the second pass meets the same failure and handles it
        decoded += data.shape[0]
        reader._budget(decoded)
        mono = _mix(data)
        if not np.all(np.isfinite(mono)):
            raise InputError(reader.path, _NAN_PROBLEM)
        if mono.size:
            peak = max(peak, float(np.max(np.abs(mono))))
    return 1.0 / peak if peak > 1.0 else 1.0


def _mix(data: NDArray[np.float32]) -> NDArray[np.float32]:
    if data.shape[1] == 1:
        return np.ascontiguousarray(data[:, 0])
    if data.shape[1] == 2:
        # the mean of two, as ``mean`` computes it (the sum halved, in float32) but a
        # tenth of its time: a reduction along a short axis is slow
        mono = np.add(data[:, 0], data[:, 1])
        mono /= np.float32(2.0)
        return mono
    return np.asarray(data.mean(axis=1, dtype=np.float32), dtype=np.float32)


def _mono_block(data: NDArray[np.float32], gain: float, p: Path) -> NDArray[np.float32]:
    x = _mix(data)
    if gain != 1.0:
        x *= np.float32(gain)
    if not np.all(np.isfinite(x)):
        raise InputError(p, _NAN_PROBLEM)
    np.clip(x, -1.0, 1.0, out=x)
    return x


def _need_ffmpeg(p: Path) -> str:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise InputError(
            p,
            f"ffmpeg is needed to read {p.suffix.lower()} files; install ffmpeg or convert "
            "the song to WAV, FLAC, OGG or MP3",
        )
    return ffmpeg


def _ffmpeg_input(p: Path) -> str:
    # "file:" so that a name with a colon or a leading dash is not read as a protocol/option
    return f"file:{p.absolute()}"


def _ffmpeg_decoder(ffmpeg: str) -> Callable[[AudioReader], Generator[NDArray[np.float32]]]:
    def decode(reader: AudioReader) -> Generator[NDArray[np.float32]]:
        # the first audio stream only (not a cover picture's or a second track's)
        cmd = [
            ffmpeg, "-nostdin", "-v", "error", "-i", _ffmpeg_input(reader.path), "-map", "0:a:0",
            "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(_FFMPEG_RATE), "pipe:1",
        ]  # fmt: skip
        decoded = 0
        with tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
                )
            except OSError as exc:
                raise InputError(reader.path, f"could not run ffmpeg ({exc})") from None
            assert proc.stdout is not None
            try:
                while True:
                    raw = proc.stdout.read(_BLOCK_FRAMES * 4)
                    usable = len(raw) - len(raw) % 4
                    if usable == 0:
                        break
                    x = np.frombuffer(raw[:usable], dtype="<f4").astype(np.float32)
                    decoded += x.size
                    reader._budget(decoded)
                    yield _mono_block(x[:, None], 1.0, reader.path)
                code = proc.wait()
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit code {code}"
            for prefix in (f"{_ffmpeg_input(reader.path)}: ", f"{reader.path}: "):
                detail = detail.removeprefix(prefix)
            detail = re.sub(r"^\[[^\]]* @ 0x[0-9a-f]+\] ", "", detail)  # "[aac @ 0x55d9…] "
            if code != 0:
                reader._stopped(decoded, f"ffmpeg: {detail}", header_ok=decoded > 0)
            else:
                # judged by length: ffmpeg's chatter (timestamps of a file with a cover
                # picture, say) is no sign of damage by itself, only its detail when short
                reader._finished(decoded, f"ffmpeg: {detail}" if lines else "")

    return decode


# --------------------------------------------------------------------------- errors


def _sf_detail(exc: Exception) -> str:
    detail = str(exc).split(":")[-1].strip().rstrip(".")
    if not detail or "does not exist" in detail:
        # libsndfile's words when no decoder recognised the data
        detail = "no audio decoder recognises its contents"
    return detail


#: Signatures of common files that are not audio.
_NOT_AUDIO_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"<!DOCTYPE html", "an HTML page"),
    (b"<html", "an HTML page"),
)


def _head(p: Path) -> bytes:
    """The file's first bytes (none if it cannot be read)."""
    try:
        with p.open("rb") as f:
            return f.read(4096)
    except OSError:
        return b""


def _looks_like(head: bytes) -> str | None:
    """What a file that is not audio looks like, from its first bytes, if recognisable."""
    for magic, what in _NOT_AUDIO_MAGIC:
        if head.startswith(magic):
            return what
    if head and b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:
                return None  # not UTF-8: binary
            text = head[: exc.start].decode("utf-8")  # a character cut at the end
        printable = sum(c.isprintable() or c in "\t\r\n\f" for c in text)
        if text and printable >= 0.95 * len(text):
            return "a text file"
    return None


def _ffmpeg_container(head: bytes) -> bool:
    """Whether the first bytes are a format only ffmpeg reads here: MP4/M4A/MOV (``ftyp``),
    raw AAC (an ADTS frame header, after an optional ID3 tag), Matroska/WebM or ASF/WMA."""
    if head[4:8] == b"ftyp" or head.startswith((b"\x1a\x45\xdf\xa3", b"\x30\x26\xb2\x75")):
        return True
    if head.startswith(b"ID3") and len(head) >= 10:
        size = 0
        for byte in head[6:10]:  # synchsafe: 7 bits a byte
            size = (size << 7) | (byte & 0x7F)
        head = head[10 + size : 10 + size + 2]
    # ADTS: a 12-bit sync word and layer bits 00 (an MPEG audio frame has layer 1-3 there)
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0


def _not_audio_message(p: Path, detail: str) -> str:
    what = _looks_like(_head(p))
    if what is not None:
        return f"is not an audio file (it is {what})"
    return f"is not an audio file, or an unsupported or corrupt one ({detail})"


@contextlib.contextmanager
def _c_stderr_silenced() -> Iterator[None]:
    """Silence what C decoders (mpg123) print straight to file descriptor 2."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _check_file(p: Path) -> int:
    """Raise an InputError for a path that is not a readable, non-empty file; its size."""
    try:
        st = p.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(p, "no such file") from None
    except PermissionError:
        raise InputError(p, "permission denied (a folder on the path cannot be read)") from None
    except OSError as exc:
        raise InputError(p, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(p, "is a directory, expected an audio file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(p, "is not a regular file (a pipe, socket or device), expected audio")
    effective = os.access in os.supports_effective_ids
    if not os.access(p, os.R_OK, effective_ids=effective):
        raise InputError(p, "permission denied")
    try:
        with p.open("rb"):
            pass
    except PermissionError:
        raise InputError(p, "permission denied") from None
    except OSError as exc:
        raise InputError(p, f"cannot be read ({exc.strerror or exc})") from None
    if st.st_size == 0:
        raise InputError(p, "file is empty (0 bytes)")
    return int(st.st_size)
