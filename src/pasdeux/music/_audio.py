"""Decode an audio file into mono float samples, with one-line errors for bad input."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
from numpy.typing import ArrayLike, NDArray

from pasdeux.errors import InputError

__all__ = ["FFMPEG_EXTENSIONS", "MIN_DURATION_S", "as_mono", "check_audio_file", "load_audio"]

#: Shortest song (seconds) in which a beat can be found.
MIN_DURATION_S = 5.0

#: Containers libsndfile cannot read; they are decoded with ``ffmpeg`` when it is installed.
FFMPEG_EXTENSIONS = frozenset(
    {".m4a", ".m4b", ".aac", ".mp4", ".m4v", ".mov", ".wma", ".webm", ".mka", ".mkv", ".3gp"}
)

_FFMPEG_RATE = 44100


def load_audio(path: str | Path) -> tuple[NDArray[np.float32], int]:
    """Read an audio file as mono samples.

    WAV, FLAC, OGG/Vorbis, Opus and MP3 are decoded with libsndfile (through soundfile);
    M4A/AAC/MP4 and similar containers with an ``ffmpeg`` subprocess when ``ffmpeg`` is
    on the ``PATH``.

    Parameters
    ----------
    path
        The audio file.

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
    """
    p = Path(path)
    _check_file(p)
    ext = p.suffix.lower()
    if ext in FFMPEG_EXTENSIONS:
        samples, rate = _decode_ffmpeg(p)
    else:
        samples, rate = _decode_soundfile(p)
    return as_mono(samples, rate, p), rate


def check_audio_file(path: str | Path) -> None:
    """Cheap checks before decoding: the file exists, is readable, non-empty, and (for the
    formats libsndfile reads) its header says audio.

    Raises
    ------
    InputError
        Naming the problem, as :func:`load_audio` would.
    """
    p = Path(path)
    _check_file(p)
    if p.suffix.lower() in FFMPEG_EXTENSIONS:
        return
    try:
        with _c_stderr_silenced():
            sf.info(str(p))
    except (sf.SoundFileError, RuntimeError, ValueError, TypeError) as exc:
        raise InputError(p, _not_audio(exc)) from None


def _not_audio(exc: Exception) -> str:
    detail = str(exc).split(":")[-1].strip().rstrip(".")
    if not detail or "does not exist" in detail:
        # libsndfile's words when no decoder recognised the data
        detail = "no audio decoder recognises its contents"
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
        raise InputError(path, "contains NaN or infinite samples (a corrupt float file?)")
    duration = x.size / sample_rate
    if duration < MIN_DURATION_S:
        raise InputError(
            path,
            f"is too short to find a beat ({duration:.1f} s; at least {MIN_DURATION_S:.0f} s "
            "needed)",
        )
    peak = float(np.max(np.abs(x)))
    if peak > 1.0:
        x = x / peak
    return np.ascontiguousarray(x, dtype=np.float32)


def _check_file(p: Path) -> None:
    """Raise an InputError for a path that is not a readable, non-empty file."""
    if not p.exists():
        raise InputError(p, "no such file")
    if p.is_dir():
        raise InputError(p, "is a directory, expected an audio file")
    if not os.access(p, os.R_OK):
        raise InputError(p, "permission denied")
    try:
        size = p.stat().st_size
        with p.open("rb"):
            pass
    except PermissionError:
        raise InputError(p, "permission denied") from None
    except OSError as exc:
        raise InputError(p, f"cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise InputError(p, "file is empty (0 bytes)")


def _decode_soundfile(p: Path) -> tuple[NDArray[np.float32], int]:
    try:
        with _c_stderr_silenced():
            data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError, ValueError, TypeError) as exc:
        raise InputError(p, _not_audio(exc)) from None
    except MemoryError:
        raise InputError(p, "is too large to decode in memory") from None
    return np.asarray(data, dtype=np.float32), int(rate)


def _decode_ffmpeg(p: Path) -> tuple[NDArray[np.float32], int]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise InputError(
            p,
            f"ffmpeg is needed to read {p.suffix.lower()} files; install ffmpeg or convert "
            "the song to WAV, FLAC, OGG or MP3",
        )
    cmd = [
        ffmpeg, "-v", "error", "-nostdin", "-i", str(p),
        "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(_FFMPEG_RATE), "-",
    ]  # fmt: skip
    try:
        run = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as exc:
        raise InputError(p, f"could not run ffmpeg ({exc})") from None
    if run.returncode != 0:
        lines = run.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit code {run.returncode}"
        detail = detail.removeprefix(f"{p}: ")
        raise InputError(
            p, f"is not an audio file, or an unsupported or corrupt one (ffmpeg: {detail})"
        )
    usable = len(run.stdout) - len(run.stdout) % 4
    data = np.frombuffer(run.stdout[:usable], dtype="<f4").astype(np.float32)
    return data, _FFMPEG_RATE
