"""``pasdeux dance SONG --video out.mp4``: the 3D view drawn by Debian chromium, encoded by
ffmpeg with the song; mistakes caught before the analysis; nothing half-written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

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


# The caption over the 3D view, in the video's pixels: its box from (10, 10), the count
# left, the figure's name right of it (both names of the test's routine are wider than
# NAME_TEST's span), and a strip of its dark background left of the count.
CAPTION = (slice(0, 64), slice(0, 480))  # rows, columns of the crop read
COUNT = (slice(14, 58), slice(14, 70))
NAME = (slice(14, 38), slice(74, 480))
NAME_TEST = (slice(14, 38), slice(74, 200))
BACKGROUND = (slice(22, 48), slice(13, 17))


def _caption_frames(video: Path) -> NDArray[np.float64]:
    """Every frame's top-left corner, decoded by ffmpeg, in grey levels."""
    rows, cols = CAPTION
    h, w = rows.stop, cols.stop
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", video, "-vf", f"crop={w}:{h}:0:0",
         "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w).astype(float)


def _differs(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """The share of pixels two crops differ in clearly (text against background)."""
    return float(np.mean(np.abs(a - b) > 60))


@pytest.mark.slow
@pytest.mark.browser
def test_video_frames_carry_the_count_the_figure_and_the_bar(
    danced: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Every frame has the caption in its corner: light text on a dark box, read back
    from the MP4. The name's part is the same all through a figure and changes with the
    figure; the count's part takes several shapes within a figure (its steps' counts)."""
    video, _ = danced
    frames = _caption_frames(video)
    routine = json.loads((video.parent.parent / "out" / "routine.json").read_text())
    spans = [(f["start_s"], f["end_s"], f["figure"]["name"]) for f in routine["figures"]]
    assert len(spans) >= 2 and spans[0][2] != spans[1][2], spans  # the case tested

    for frame in frames:
        assert frame[BACKGROUND].mean() < 90  # the caption's box, in its place every frame
        name = frame[NAME_TEST]
        assert np.mean(name > 200) > 0.03 and np.mean(name < 90) > 0.4  # light text on it

    def inside(k: int) -> int | None:
        """The figure shown at frame k (the last begun, as the viewer), if not near its
        start or its end."""
        t = k / FPS
        begun = [i for i, (a, _, _) in enumerate(spans) if a <= t]
        if not begun:
            return None
        i = begun[-1]
        end = min([spans[i][1]] + [a for a, _, _ in spans[i + 1 :]])
        return i if spans[i][0] + 0.15 <= t <= end - 0.15 else None

    first = [frames[k] for k in range(len(frames)) if inside(k) == 0]
    second = [frames[k] for k in range(len(frames)) if inside(k) == 1]
    assert len(first) > 10 and len(second) > 5
    assert max(_differs(f[NAME], first[0][NAME]) for f in first) < 0.01
    assert max(_differs(f[NAME], second[0][NAME]) for f in second) < 0.01
    assert _differs(first[0][NAME], second[0][NAME]) > 0.05  # another figure's name
    shapes: list[NDArray[np.float64]] = []
    for f in first:
        if all(_differs(f[COUNT], s) > 0.03 for s in shapes):
            shapes.append(f[COUNT])
    assert len(shapes) >= 3  # the counts of the figure's steps


def _gray_frame(video: Path, at_s: float, size: tuple[int, int]) -> NDArray[np.float64]:
    """The frame at ``at_s`` decoded by ffmpeg, in grey levels."""
    width, height = size
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-ss", str(at_s), "-i", video, "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(height, width).astype(float)


@pytest.mark.slow
@pytest.mark.browser
def test_video_draft_draws_the_live_pages_quicker_rougher_frames(
    danced: tuple[Path, subprocess.CompletedProcess[str]],
    short_song: Path,
    tmp_path: Path,
) -> None:
    """``--video-draft``: the same MP4 (size, codecs, length, the caption), its frames
    drawn at the live page's half resolution: not blank, and less sharp than the full
    quality video's at the same times (the mean step between neighbouring pixels below
    the caption)."""
    full, _ = danced
    draft = tmp_path / "draft.mp4"
    result = run(
        "dance", short_song, "-o", tmp_path / "out", "--video", draft, "--video-fps", str(FPS),
        "--video-draft",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    streams = _probe(draft)
    size = (int(streams["video"]["width"]), int(streams["video"]["height"]))
    assert size == tuple(int(_probe(full)["video"][k]) for k in ("width", "height"))
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert abs(float(streams["video"]["duration"]) - sf.info(short_song).duration) <= 0.2
    assert all(f[BACKGROUND].mean() < 90 for f in _caption_frames(draft))

    def sharpness(frame: NDArray[np.float64]) -> float:
        return float(np.abs(np.diff(frame[80:], axis=1)).mean())

    drafts = [_gray_frame(draft, t, size) for t in (1.0, 3.0, 5.0)]
    fulls = [_gray_frame(full, t, size) for t in (1.0, 3.0, 5.0)]
    assert all(f.std() > 20.0 for f in drafts)
    assert sum(map(sharpness, drafts)) < 0.9 * sum(map(sharpness, fulls))


def test_video_draft_needs_a_video(short_song: Path, tmp_path: Path) -> None:
    result = run("dance", short_song, "-o", tmp_path / "out", "--video-draft")
    assert_user_error(result, "--video-draft needs --video")
    assert list(tmp_path.iterdir()) == []
    usage = run("dance", "--help")
    assert "--video-draft" in usage.stdout


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
