"""Audio budgets and truncation: a file over the duration or sample-rate budget is refused
from its header before decoding (and while decoding, when the header understates it); a
file cut short warns, for every format, even with ``-q``; a complete file never does.

Inputs are made here: one synthetic drum track written as WAV, FLAC, OGG and MP3 with
soundfile and as M4A and MP3 with ``ffmpeg`` (those cases are skipped without it), then cut
by byte slicing or given lying headers by patching bytes.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray
from scipy.signal import resample_poly

from pasdeux.cli import main
from pasdeux.errors import InputError
from pasdeux.music import AudioLimits, listen, load_audio
from pasdeux.music.frontend._audio import AudioReader, open_audio
from synth import SR, Song, drum_loop

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def track() -> Song:
    """Eight bars of a 4/4 drum loop at 120 BPM and 2 s of silence: 18 s."""
    return drum_loop(120.0, 4, 8)


def _write(path: Path, data: NDArray[np.float32], rate: int = SR, **kwargs: str) -> Path:
    """Write in one-second blocks (libsndfile's Vorbis encoder can crash on one big write)."""
    with sf.SoundFile(str(path), "w", rate, 1, **kwargs) as f:
        for i in range(0, data.shape[0], rate):
            f.write(data[i : i + rate])
    return path


def _ffmpeg(*args: str) -> None:
    assert FFMPEG is not None
    run = subprocess.run([FFMPEG, "-v", "error", "-nostdin", "-y", *args], capture_output=True)
    if run.returncode != 0:
        pytest.skip(f"this ffmpeg cannot encode: {run.stderr.decode(errors='replace')[-200:]}")


#: name → (extension, how it is made): every format the reader handles, MP3 three ways
FORMATS = {
    "WAV": "wav",
    "AIFF": "aiff",
    "FLAC": "flac",
    "OGG Vorbis": "ogg",
    "OGG Opus": "opus",
    "MP3 VBR (Xing)": "mp3",
    "MP3 CBR (Info)": "mp3",
    "MP3 CBR (no tag)": "mp3",
    "MP3 VBR, cover in ID3v2": "mp3",
    "M4A fast-start": "m4a",
}
#: formats whose length is known only by decoding them: checked for false alarms only
#: (ffprobe guesses a raw AAC stream's duration from its first frames' bit rate)
UNMEASURED = {"AAC (ADTS)": "aac", "WebM Opus": "webm", "M4A": "m4a"}


def _make(kind: str, folder: Path, track: Song) -> Path:
    """The whole track as ``kind``."""
    slug = "".join(c if c.isalnum() else "-" for c in kind.lower())
    path = folder / f"{slug}.{FORMATS.get(kind) or UNMEASURED[kind]}"
    if kind == "WAV":
        return _write(path, track.samples, subtype="PCM_16")
    if kind == "AIFF":
        return _write(path, track.samples, format="AIFF", subtype="PCM_16")
    if kind == "FLAC":
        return _write(path, track.samples, subtype="PCM_16")
    if kind == "OGG Vorbis":
        return _write(path, track.samples, format="OGG", subtype="VORBIS")
    if kind == "OGG Opus":  # Opus runs at 48 kHz
        x = np.asarray(resample_poly(track.samples, 160, 147), dtype=np.float32)
        return _write(path, x, 48000, format="OGG", subtype="OPUS")
    if kind == "MP3 VBR (Xing)":
        return _write(path, track.samples, format="MP3", subtype="MPEG_LAYER_III")
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed")
    wav = _write(folder / "source.wav", track.samples, subtype="PCM_16")
    cover = folder / "cover.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x320:d=1", "-frames:v", "1", str(cover))
    encode = {
        "MP3 CBR (Info)": ["-c:a", "libmp3lame", "-b:a", "128k"],
        "MP3 CBR (no tag)": ["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0"],
        "M4A fast-start": ["-c:a", "aac", "-movflags", "+faststart"],
        "M4A": ["-c:a", "aac"],
        "MP3 VBR, cover in ID3v2": [
            *("-i", str(cover), "-map", "0", "-map", "1", "-c:a", "libmp3lame", "-q:a", "2"),
            *("-c:v", "png", "-disposition:v", "attached_pic", "-id3v2_version", "3"),
        ],
        "AAC (ADTS)": ["-c:a", "aac"],
        "WebM Opus": ["-c:a", "libopus"],
    }[kind]
    _ffmpeg("-i", str(wav), *encode, str(path))
    return path


def _cut(path: Path, fraction: float) -> Path:
    data = path.read_bytes()
    cut = path.with_name(f"cut-{path.name}")
    cut.write_bytes(data[: int(len(data) * fraction)])
    return cut


def _decode(reader: AudioReader) -> float:
    """Decode every block; the seconds decoded."""
    return sum(block.size for block in reader.blocks()) / reader.sample_rate


def _wav_with(path: Path, *, rate: int, data_bytes: int, held_bytes: int) -> Path:
    """A mono 8-bit PCM WAV whose header says ``rate`` and ``data_bytes`` and which holds
    ``held_bytes`` of silence (a sparse file: no disk used)."""
    header = (
        b"RIFF"
        + (36 + data_bytes & 0xFFFFFFFF).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")  # PCM
        + (1).to_bytes(2, "little")  # mono
        + rate.to_bytes(4, "little")
        + rate.to_bytes(4, "little")  # bytes per second
        + (1).to_bytes(2, "little")  # block align
        + (8).to_bytes(2, "little")  # bits
        + b"data"
        + data_bytes.to_bytes(4, "little")
    )
    with path.open("wb") as f:
        f.write(header)
        f.write(b"\x80" * min(held_bytes, 4096))
        f.truncate(len(header) + held_bytes)  # the rest: zeros, sparse
    return path


# --------------------------------------------------------------------------- budgets


def test_wav_header_claiming_1_hz_is_refused_before_decoding(tmp_path: Path, track: Song) -> None:
    """An 88 KB WAV whose header says 1 Hz: 12 hours of audio, refused by its header."""
    wav = _write(tmp_path / "song.wav", track.samples[: 2 * 22050], rate=22050, subtype="PCM_16")
    data = bytearray(wav.read_bytes())
    assert data[24:28] == (22050).to_bytes(4, "little") and len(data) > 88_000
    data[24:28] = (1).to_bytes(4, "little")  # sample rate
    data[28:32] = (2).to_bytes(4, "little")  # bytes per second
    lie = tmp_path / "one-hertz.wav"
    lie.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"has a sample rate of 1 Hz; pasdeux reads 8000 to "):
        open_audio(lie)


@pytest.mark.parametrize("rate", [4000, 384000])
def test_sample_rate_outside_8_to_192_khz_is_refused(tmp_path: Path, rate: int) -> None:
    wav = _wav_with(tmp_path / "rate.wav", rate=rate, data_bytes=rate * 10, held_bytes=rate * 10)
    with pytest.raises(InputError, match=f"has a sample rate of {rate} Hz"):
        open_audio(wav)
    open_audio(wav, AudioLimits(min_sample_rate_hz=4000, max_sample_rate_hz=384000))


def test_three_hour_wav_is_refused_by_its_header(tmp_path: Path) -> None:
    hours = 3 * 3600 * 8000
    wav = _wav_with(tmp_path / "long.wav", rate=8000, data_bytes=hours, held_bytes=hours)
    with pytest.raises(InputError) as info:
        open_audio(wav)
    assert str(info.value) == (
        f"{wav}: is longer than the limit of 60.0 min (its header says 3.0 h); "
        "raise the limit with --max-minutes"
    )
    open_audio(wav, AudioLimits(max_duration_s=200 * 60.0))  # raised: accepted


def test_an_hour_exactly_is_accepted(tmp_path: Path) -> None:
    """A 60-minute file (3600 s to the sample) passes the header check and decodes whole."""
    hour = 3600 * 8000
    wav = _wav_with(tmp_path / "hour.wav", rate=8000, data_bytes=hour, held_bytes=hour)
    reader = open_audio(wav)
    assert _decode(reader) == 3600.0
    assert reader.notes == []
    over = _wav_with(tmp_path / "over.wav", rate=8000, data_bytes=hour + 8, held_bytes=hour + 8)
    with pytest.raises(InputError, match=r"its header says 60\.0 min"):
        open_audio(over)


@pytest.mark.parametrize("kind", list(FORMATS))
def test_header_over_the_limit_is_refused_and_at_the_limit_accepted(
    tmp_path: Path, track: Song, kind: str
) -> None:
    """Every format's header (for M4A, ffprobe's duration) is checked against the limit, to
    a fifth of a second."""
    path = _make(kind, tmp_path, track)
    with pytest.raises(InputError, match=r"longer than the limit of 17\.8 s \(its header says 18"):
        open_audio(path, AudioLimits(max_duration_s=track.duration_s - 0.2))
    reader = open_audio(path, AudioLimits(max_duration_s=track.duration_s))
    assert _decode(reader) == pytest.approx(track.duration_s, abs=0.1)
    assert reader.notes == []


@pytest.mark.parametrize("kind", ["FLAC", "AAC (ADTS)"])
def test_decoding_past_the_limit_is_refused_when_the_header_hides_it(
    tmp_path: Path, track: Song, kind: str
) -> None:
    """A FLAC whose header does not say its length (total samples 0), and a raw AAC stream
    (no length anywhere): decoding stops as soon as it passes the limit."""
    unknown = _make(kind, tmp_path, track)
    if kind == "FLAC":
        data = bytearray(unknown.read_bytes())
        assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO first
        fields = int.from_bytes(data[18:26], "big")
        assert fields & (2**36 - 1) == track.samples.size
        data[18:26] = (fields & ~(2**36 - 1)).to_bytes(8, "big")
        unknown.write_bytes(bytes(data))
    reader = open_audio(unknown, AudioLimits(max_duration_s=10.0))
    decoded = 0
    with pytest.raises(InputError, match=r"limit of 10\.0 s \(decoding went past 10\.0 s\)"):
        for block in reader.blocks():
            decoded += block.size
    assert 10.0 * reader.sample_rate <= decoded <= 12.0 * reader.sample_rate
    assert _decode(open_audio(unknown)) == pytest.approx(track.duration_s, abs=0.1)


def test_max_minutes_option_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hours = 3 * 3600 * 8000
    wav = _wav_with(tmp_path / "long.wav", rate=8000, data_bytes=hours, held_bytes=hours)
    for command in (["analyze", str(wav)], ["dance", str(wav), "-o", str(tmp_path / "out")]):
        assert main([*command, "--max-minutes", "120"]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"pasdeux: {wav}: is longer than the limit of 2.0 h (its header says 3.0 h); "
            "raise the limit with --max-minutes\n"
        )
    assert not (tmp_path / "out").exists()
    assert main(["demo", "--max-minutes", "0.1", "-o", str(tmp_path / "demo")]) == 2
    assert "longer than the limit of 6.0 s" in capsys.readouterr().err
    for bad in ("0", "-5", "nan", "inf", "1e308", "an hour"):
        assert main(["analyze", str(wav), "--max-minutes", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--max-minutes must be a positive number" in err


@pytest.mark.slow
def test_refusals_are_one_line_and_exit_2_end_to_end(tmp_path: Path, track: Song) -> None:
    """``python -m pasdeux`` on a 1 Hz WAV and a 3-hour WAV: exit 2, one line, at once."""
    wav = _write(tmp_path / "song.wav", track.samples[: 2 * 22050], rate=22050, subtype="PCM_16")
    data = bytearray(wav.read_bytes())
    data[24:28], data[28:32] = (1).to_bytes(4, "little"), (2).to_bytes(4, "little")
    slow = tmp_path / "one-hertz.wav"
    slow.write_bytes(bytes(data))
    hours = 3 * 3600 * 8000
    long = _wav_with(tmp_path / "long.wav", rate=8000, data_bytes=hours, held_bytes=hours)
    for path in (slow, long):
        run = subprocess.run(
            [sys.executable, "-m", "pasdeux", "analyze", str(path)],
            capture_output=True,
            text=True,
            timeout=120,  # a guard: without the budget the 1 Hz file decodes for hours
        )
        assert run.returncode == 2, run.stderr
        assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"pasdeux: {path}: ")


# --------------------------------------------------------------------------- truncation


@pytest.mark.parametrize("kind", list(FORMATS))
def test_first_half_of_a_file_warns(tmp_path: Path, track: Song, kind: str) -> None:
    """The first half of every format: its start is decoded, with one truncation note."""
    cut = _cut(_make(kind, tmp_path, track), 0.5)
    reader = open_audio(cut)
    seconds = _decode(reader)
    assert 5.0 < seconds < track.duration_s - 5.0
    assert len(reader.notes) == 1, reader.notes
    assert reader.notes[0].startswith(f"{cut}: ")
    assert "truncated or corrupt" in reader.notes[0]
    assert f"analysing its first {seconds:.1f} s" in reader.notes[0]
    assert " @ 0x" not in reader.notes[0]


@pytest.mark.parametrize("kind", [*FORMATS, *UNMEASURED])
def test_complete_files_do_not_warn(tmp_path: Path, track: Song, kind: str) -> None:
    reader = open_audio(_make(kind, tmp_path, track))
    assert _decode(reader) == pytest.approx(track.duration_s, abs=0.1)
    assert reader.notes == []


@pytest.mark.parametrize("kind", ["OGG Vorbis", "MP3 VBR (Xing)", "MP3 CBR (no tag)"])
def test_a_few_bytes_missing_at_the_end_warns(tmp_path: Path, track: Song, kind: str) -> None:
    """Cut 100 bytes short: the last OGG page or MP3 frame is incomplete (libsndfile drops
    that whole page: a few seconds of a Vorbis file)."""
    full = _make(kind, tmp_path, track)
    cut = tmp_path / f"short-{full.name}"
    cut.write_bytes(full.read_bytes()[:-100])
    reader = open_audio(cut)
    assert _decode(reader) > track.duration_s - 5.0
    assert len(reader.notes) == 1 and "cut short" in reader.notes[0]


def test_wav_claiming_4_gb_warns(tmp_path: Path, track: Song) -> None:
    """A WAV header saying 0xFFFFFFFF bytes of data with 18 s there: those 18 s, a warning,
    and no refusal for length (the file cannot hold more than it holds)."""
    wav = _make("WAV", tmp_path, track)
    data = bytearray(wav.read_bytes())
    assert data[36:40] == b"data"
    data[40:44] = b"\xff\xff\xff\xff"
    lie = tmp_path / "four-gb.wav"
    lie.write_bytes(bytes(data))
    reader = open_audio(lie)
    assert _decode(reader) == track.duration_s
    assert len(reader.notes) == 1
    assert "its header promises 13.5 h of audio, the file holds 18.0 s" in reader.notes[0]


def test_truncated_to_under_5_s_is_an_error(tmp_path: Path, track: Song) -> None:
    wav = _make("WAV", tmp_path, track)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(wav.read_bytes()[: 44 + 2 * SR * 2])
    with pytest.raises(InputError, match=r"is truncated or corrupt: only 2\.0 s decoded \(its"):
        load_audio(cut)


def _ogg_with_cover(tmp_path: Path, track: Song, *, cover_first: bool) -> Path:
    """An OGG Vorbis song with a cover picture as a Theora video stream."""
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed")
    song = _make("OGG Vorbis", tmp_path, track)
    cover = tmp_path / "cover.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=s=640x640:d=1", "-frames:v", "1", str(cover))
    out = tmp_path / f"cover-{'first' if cover_first else 'last'}.ogg"
    inputs = (
        ["-i", str(cover), "-i", str(song)] if cover_first else ["-i", str(song), "-i", str(cover)]
    )
    _ffmpeg(*inputs, "-map", "0", "-map", "1", "-c:a", "libvorbis", "-c:v", "libtheora", str(out))
    return out


@needs_ffmpeg
@pytest.mark.parametrize("cover_first", [True, False])
def test_ogg_with_cover_art_is_not_called_truncated(
    tmp_path: Path, track: Song, cover_first: bool
) -> None:
    """libsndfile refuses the multiplexed OGG with the picture first, so ffmpeg decodes
    it; ffmpeg's timestamp chatter about it is no damage."""
    song = _ogg_with_cover(tmp_path, track, cover_first=cover_first)
    reader = open_audio(song)
    assert _decode(reader) == pytest.approx(track.duration_s, abs=0.1)
    assert reader.notes == []
    half = _cut(song, 0.5)  # and cut, it still warns
    reader = open_audio(half)
    assert 5.0 < _decode(reader) < track.duration_s - 5.0
    assert len(reader.notes) == 1 and "truncated or corrupt" in reader.notes[0]


def test_listen_without_progress_warns(tmp_path: Path, track: Song) -> None:
    """A library caller who gives no progress callback gets the note as a UserWarning."""
    cut = _cut(_make("WAV", tmp_path, track), 0.6)
    with pytest.warns(UserWarning, match="truncated or corrupt"):
        x, rate = load_audio(cut)
    assert x.size / rate == pytest.approx(0.6 * track.duration_s, abs=0.1)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["WAV", "OGG Vorbis", "MP3 CBR (no tag)", "M4A fast-start"])
def test_warning_shows_with_quiet_end_to_end(tmp_path: Path, track: Song, kind: str) -> None:
    """``python -m pasdeux analyze -q`` on the first 60 % of a file: exit 0, and its one
    line on stderr is the warning."""
    cut = _cut(_make(kind, tmp_path, track), 0.6)
    run = subprocess.run(
        [sys.executable, "-m", "pasdeux", "analyze", "-q", "--json", str(cut)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"warning: {cut}: the file is truncated or corrupt (")


@pytest.mark.slow
def test_listen_reports_the_warning_once(tmp_path: Path, track: Song) -> None:
    cut = _cut(_make("OGG Vorbis", tmp_path, track), 0.6)
    said: list[str] = []
    music = listen(cut, progress=said.append)
    warned = [s for s in said if s.startswith("warning:")]
    assert len(warned) == 1 and "its last page is cut short" in warned[0]
    assert music.duration_s < 0.7 * track.duration_s


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("kind", ["WAV", "AIFF", "FLAC", "OGG Vorbis", "MP3 VBR (Xing)"])
def test_header_readers_survive_damage(tmp_path: Path, track: Song, kind: str) -> None:
    """Seeded damage (cuts, and random bytes in the first and last 300 bytes): the header
    readers never raise, and opening the file is accepted or refused with an InputError."""
    from pasdeux.music.frontend._headers import aiff_claim, mp3_claim, ogg_cut, wav_claim

    good = _make(kind, tmp_path, track).read_bytes()
    rng = np.random.default_rng(8)
    bad = tmp_path / f"bad.{FORMATS[kind]}"
    for _ in range(30):
        data = bytearray(good[: int(rng.integers(1, len(good) + 1))])
        for _ in range(int(rng.integers(0, 6))):
            at = int(rng.integers(0, min(300, len(data))))
            if rng.random() < 0.5:
                at = len(data) - 1 - at
            data[at] = int(rng.integers(0, 256))
        bad.write_bytes(bytes(data))
        size = len(data)
        wav_claim(bad, size), aiff_claim(bad, size, SR), mp3_claim(bad, size), ogg_cut(bad, size)
        with contextlib.suppress(InputError):
            open_audio(bad, AudioLimits(max_duration_s=60.0))


def test_mp3_whose_xing_frame_count_lies_low_is_not_an_internal_error(
    tmp_path: Path, track: Song, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Xing frame count of 1 made libsndfile refuse even ``tell()`` after the first read:
    that was an internal error (exit 1); it is a user's damaged file (exit 0 or 2)."""
    good = _make("MP3 VBR (Xing)", tmp_path, track).read_bytes()
    at = good.index(b"Xing") + 8  # flags (4 bytes), then the frame count
    bad = tmp_path / "lying.mp3"
    bad.write_bytes(good[:at] + (1).to_bytes(4, "big") + good[at + 4 :])
    code = main(["analyze", str(bad), "-q"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "internal error" not in err


def test_a_warning_before_an_error_makes_one_line_when_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cut file that then has no beat: the warning is folded into the one error line."""
    silent = _write(tmp_path / "silent.wav", np.zeros(14 * SR, dtype=np.float32))
    cut = _cut(silent, 0.5)
    assert main(["analyze", str(cut), "-q"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "silent" in lines[0] and "truncated" in lines[0]


def test_a_warning_shows_among_the_progress_lines_when_not_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = _write(tmp_path / "silent.wav", np.zeros(14 * SR, dtype=np.float32))
    assert main(["analyze", str(_cut(silent, 0.5))]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert any(re.match(r"^\[\s*\d+\.\ds\] warning: .*truncated", line) for line in lines)
    assert lines[-1].startswith("pasdeux: ") and "silent" in lines[-1]
    others = [line for line in lines if not line.startswith("[")]
    assert others == lines[-1:], "the error is the one line that is not a progress line"
