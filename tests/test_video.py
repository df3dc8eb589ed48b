"""``pasdeux dance SONG --video out.mp4``: the 3D view drawn by Debian chromium, encoded by
ffmpeg with the song; mistakes caught before the analysis; nothing half-written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from _browser import CHROMIUM
from pasdeux.errors import InputError, PasdeuxError
from pasdeux.render import VideoParams, check_video, write_video
from synth import Part, drum_song
from test_cli import assert_user_error, run
from test_cli_options import read_only_mount

FFMPEG = Path("/usr/bin/ffmpeg")
FFPROBE = Path("/usr/bin/ffprobe")
FPS = 10


def _needs_tools() -> None:
    for tool in (CHROMIUM, FFMPEG, FFPROBE):
        if not tool.exists():
            pytest.skip(f"{tool} not found")
    pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def short_song(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6.5 s drum-machine song: 3 bars of 4/4 at 120 BPM and half a second of tail."""
    song = drum_song([Part(bpm=120.0, meter=4, bars=3)], tail_s=0.5)
    path = tmp_path_factory.mktemp("song") / "short.wav"
    sf.write(path, song.samples, song.sr)
    return path


@pytest.fixture(scope="module")
def danced(
    short_song: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``pasdeux dance short.wav --video v.mp4 --video-fps 10``: the video and the run."""
    _needs_tools()
    where = tmp_path_factory.mktemp("video")
    video = where / "films" / "v.mp4"
    result = run(
        "dance", short_song, "-o", where / "out", "--video", video, "--video-fps", str(FPS)
    )
    assert result.returncode == 0, result.stderr
    return video, result


def _probe(path: Path) -> dict[str, dict[str, str]]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_streams", "-of", "json", path],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return {s["codec_type"]: s for s in json.loads(out)["streams"]}


@pytest.mark.slow
@pytest.mark.browser
def test_video_is_h264_of_the_song_with_its_audio(
    danced: tuple[Path, subprocess.CompletedProcess[str]], short_song: Path
) -> None:
    video, result = danced
    streams = _probe(video)
    duration_s = sf.info(short_song).duration
    assert streams["video"]["codec_name"] == "h264"
    assert streams["video"]["r_frame_rate"] == f"{FPS}/1"
    assert abs(float(streams["video"]["duration"]) - duration_s) <= 0.2
    assert streams["audio"]["codec_name"] == "aac"
    assert abs(float(streams["audio"]["duration"]) - duration_s) <= 0.2
    n_frames = round(duration_s * FPS)
    assert f"video: {n_frames}/{n_frames} frames (" in result.stderr  # progress on stderr
    assert f"video {video}" in result.stdout
    assert sorted(p.name for p in video.parent.iterdir()) == ["v.mp4"]  # no temporary left


@pytest.mark.slow
@pytest.mark.browser
def test_video_frames_show_the_dancers(
    danced: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Frames decoded by ffmpeg are not blank, and the dancers move between them."""
    video, _ = danced
    width, height = (int(_probe(video)["video"][k]) for k in ("width", "height"))
    frames = []
    for at_s in (1.0, 4.0):
        raw = subprocess.run(
            [FFMPEG, "-v", "error", "-ss", str(at_s), "-i", video, "-frames:v", "1",
             "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
            capture_output=True,
            check=True,
        ).stdout  # fmt: skip
        frames.append(np.frombuffer(raw, np.uint8).reshape(height, width).astype(float))
    for frame in frames:
        assert frame.std() > 20.0  # floor, walls and two bodies; a blank frame has 0
    assert np.mean(np.abs(frames[0] - frames[1]) > 30) > 0.002  # the couple moved


@pytest.mark.slow
@pytest.mark.browser
def test_a_failing_encode_leaves_no_file(
    danced: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """ffmpeg refusing the song (not audio) is an error and leaves nothing behind."""
    video, _ = danced
    index = video.parent.parent / "out" / "index.html"
    not_audio = tmp_path / "song.wav"
    not_audio.write_text("not audio")
    target = tmp_path / "v.mp4"
    with pytest.raises(PasdeuxError, match="ffmpeg failed"):
        write_video(index, not_audio, target, duration_s=2.0, params=VideoParams(fps=FPS))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.wav"]


def test_video_paths_that_cannot_be_written_are_caught_before_the_analysis(
    short_song: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (tmp_path / "notes.txt").write_text("x")
    for video, words in (
        (tmp_path / "notes.txt" / "v.mp4", ("notes.txt", "not a folder")),
        (tmp_path, ("is a folder", "--video")),
        (Path("/proc/v.mp4"), ("/proc/v.mp4", "cannot write")),
    ):
        assert_user_error(run("dance", short_song, "-o", out, "--video", video), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("fps", ["0", "nan"])
def test_bad_video_fps_is_a_user_error(short_song: Path, tmp_path: Path, fps: str) -> None:
    video = tmp_path / "v.mp4"
    result = run("dance", short_song, "-o", tmp_path / "o", "--video", video, "--video-fps", fps)
    assert_user_error(result, "--video-fps", "1 to 120")
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_video_folder_is_a_user_error(short_song: Path, tmp_path: Path) -> None:
    with read_only_mount(tmp_path) as ro:
        result = run("dance", short_song, "-o", tmp_path / "out", "--video", ro / "v.mp4")
        assert_user_error(result, str(ro / "v.mp4"), "read-only")
    assert list((tmp_path / "rw").iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_missing_chromium_or_ffmpeg_is_named(tmp_path: Path) -> None:
    for missing in ("chromium", "ffmpeg"):
        nowhere = tmp_path / "bin" / missing
        with pytest.raises(InputError, match=f"{nowhere}: not found"):
            params = (
                VideoParams(chromium=nowhere)
                if missing == "chromium"
                else VideoParams(ffmpeg=nowhere)
            )
            check_video(tmp_path / "v.mp4", params)
        if not CHROMIUM.exists():
            break  # the chromium missing here is named first
    assert list(tmp_path.iterdir()) == []


def test_the_song_is_never_the_video(short_song: Path) -> None:
    with pytest.raises(InputError, match="is the song"):
        check_video(short_song, song=short_song)
    assert short_song.stat().st_size > 0


def test_video_params_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="fps"):
        VideoParams(fps=0.0)
    with pytest.raises(ValueError, match="jpeg_quality"):
        VideoParams(jpeg_quality=0)
