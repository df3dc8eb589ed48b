"""Output folders: pasdeux never deletes or overwrites what it did not write, leaves no
staging folders behind (not even after SIGTERM or SIGKILL), and serialises writers."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pasdeux.choreo import Routine, choreograph
from pasdeux.errors import InputError
from pasdeux.export import OUTPUT_FILES, write_outputs
from pasdeux.motion import Performance, perform
from pasdeux.music import MusicMap
from test_cli import assert_user_error, run

MARKER = ".pasdeux-output"


@pytest.fixture(scope="module")
def routine(truth_music: MusicMap) -> Routine:
    return choreograph(truth_music, seed=5)


@pytest.fixture(scope="module")
def performance(routine: Routine) -> Performance:
    return perform(routine, duration_s=1.0)


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "song.ogg"
    path.parent.mkdir()
    path.write_bytes(b"not really audio; only copied")
    return path


def _write(out: Path, audio: Path, music: MusicMap, routine: Routine, perf: Performance) -> Path:
    return write_outputs(out, audio, music, routine, perf, title="t")


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_file_the_user_put_in_an_output_folder_is_kept(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    out = tmp_path / "out"
    _write(out, audio, truth_music, routine, performance)
    (out / "my notes.txt").write_text("the teacher said: slower")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(InputError, match=r"my notes\.txt") as info:
        _write(out, audio, truth_music, routine, performance)
    assert "\n" not in str(info.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _hidden(tmp_path) == []


def test_a_file_the_user_changed_is_kept(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    out = tmp_path / "out"
    _write(out, audio, truth_music, routine, performance)
    (out / "stepsheet.md").write_text("my own annotated step sheet")
    with pytest.raises(InputError, match=r"stepsheet\.md.*changed"):
        _write(out, audio, truth_music, routine, performance)
    assert (out / "stepsheet.md").read_text() == "my own annotated step sheet"
    # A folder the user added inside is foreign too.
    (out / "stepsheet.md").unlink()
    (out / "photos").mkdir()
    with pytest.raises(InputError, match="photos"):
        _write(out, audio, truth_music, routine, performance)
    assert (out / "photos").is_dir()


def test_an_unchanged_output_folder_is_replaced_and_lists_what_pasdeux_wrote(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    out = tmp_path / "out"
    _write(out, audio, truth_music, routine, performance)
    manifest = json.loads((out / MARKER).read_text())
    assert set(manifest["files"]) == {*OUTPUT_FILES, "song.ogg"}
    assert set(manifest["files"]) | {MARKER} == {p.name for p in out.iterdir()}
    (out / "leader.bvh").unlink()  # a file the user deleted is no reason to refuse
    _write(out, audio, truth_music, routine, performance)
    assert (out / "leader.bvh").exists()
    assert _hidden(tmp_path) == []


def test_an_output_folder_of_an_earlier_version_without_a_manifest(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in (*OUTPUT_FILES, "song.mp3"):
        (out / name).write_text("old")
    (out / MARKER).write_text("written by pasdeux\n")
    _write(out, audio, truth_music, routine, performance)  # only pasdeux's names: replaced
    assert "files" in json.loads((out / MARKER).read_text())

    (out / MARKER).write_text("written by pasdeux\n")
    (out / "diary.txt").write_text("mine")
    with pytest.raises(InputError, match=r"diary\.txt"):
        _write(out, audio, truth_music, routine, performance)
    assert (out / "diary.txt").read_text() == "mine"


def test_a_users_file_by_the_name_of_the_marker_is_kept(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    """A file named like pasdeux's marker that pasdeux did not write (found by the fuzz
    run): neither read as a marker nor overwritten."""
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUT_FILES:
        (out / name).write_text("old")
    (out / MARKER).write_text("my own list of things")
    with pytest.raises(InputError, match=r"\.pasdeux-output: was not written by pasdeux"):
        _write(out, audio, truth_music, routine, performance)
    assert (out / MARKER).read_text() == "my own list of things"

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / ".pasdeux-charts").write_text("my own list of charts")
    assert_user_error(run("figures", "Tango", "--svg", mine), ".pasdeux-charts")
    assert [p.name for p in mine.iterdir()] == [".pasdeux-charts"]
    assert (mine / ".pasdeux-charts").read_text() == "my own list of charts"


def _start_ticks(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def test_stale_staging_folders_are_removed_by_the_next_run(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    gone = subprocess.Popen(["true"])
    gone.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        dead_pid = f".out.pasdeux-{gone.pid}-1-abc123"
        live_pid = f".out.pasdeux-{alive.pid}-{_start_ticks(alive.pid)}-def456"
        reused_pid = f".out.pasdeux-{alive.pid}-1-ghi789"  # the pid now runs something else
        for name in (dead_pid, live_pid, reused_pid, f"{dead_pid}-old"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "performance.json").write_bytes(b"0" * 1000)
        # Leftovers of earlier versions (tempfile names) holding only pasdeux's files.
        for name in (".out.k2j4h5_x", ".out.old.a8d7f6s5"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "index.html").write_text("x")
            (tmp_path / name / ".stepsheet.md.abc12345").write_text("x")
        # A hidden folder of the user's that happens to look alike is kept.
        (tmp_path / ".out.mythings").mkdir()
        (tmp_path / ".out.mythings" / "letter.txt").write_text("x")
        _write(tmp_path / "out", audio, truth_music, routine, performance)
        assert _hidden(tmp_path) == sorted([live_pid, ".out.mythings"])
    finally:
        alive.kill()
        alive.wait()


def _child_script(clip: Path, out: Path, sig: int) -> str:
    return textwrap.dedent(
        f"""
        import os, sys
        import pasdeux.export._outputs as outputs
        from pasdeux.cli import main

        real = outputs.write_viewer

        def write_viewer(*args, **kwargs):
            os.kill(os.getpid(), {sig})  # the signal arrives in the middle of writing
            return real(*args, **kwargs)

        outputs.write_viewer = write_viewer
        sys.exit(main(["dance", {str(clip)!r}, "-o", {str(out)!r}, "-q"]))
        """
    )


@pytest.mark.slow
def test_signals_while_writing_leave_no_staging_folder(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    term = subprocess.run(
        [sys.executable, "-c", _child_script(demo_clip, out, signal.SIGTERM)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert term.returncode == 128 + signal.SIGTERM, term.stderr
    assert term.stderr.strip() == "pasdeux: terminated"
    assert list(tmp_path.iterdir()) == [], "SIGTERM cleans up after itself"

    kill = subprocess.run(
        [sys.executable, "-c", _child_script(demo_clip, out, signal.SIGKILL)], timeout=600
    )
    assert kill.returncode == -signal.SIGKILL
    assert _hidden(tmp_path) != [], "SIGKILL leaves the staging folder..."
    result = run("dance", demo_clip, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert _hidden(tmp_path) == [], "...which the next run removes"


def _writer(out: str, audio: str, values: tuple[MusicMap, Routine, Performance], n: int) -> None:
    music, routine, performance = values
    for _ in range(n):
        write_outputs(out, audio, music, routine, performance, title="t")


@pytest.mark.slow
def test_concurrent_writers_into_one_folder_all_succeed(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    out = tmp_path / "out"
    ctx = multiprocessing.get_context("fork")
    values = (truth_music, routine, performance)
    workers = [
        ctx.Process(target=_writer, args=(str(out), str(audio), values, 60)) for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(300)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]
    assert {p.name for p in out.iterdir()} == {*OUTPUT_FILES, "song.ogg", MARKER}


@pytest.mark.slow
def test_figures_svg_never_overwrites_the_users_files(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    first = run("figures", "Rumba", "--svg", charts)
    assert first.returncode == 0, first.stderr
    again = run("figures", "Rumba", "--svg", charts)  # its own files: overwritten
    assert again.returncode == 0, again.stderr

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "rumba-alemana.svg").write_text("<svg>my own drawing</svg>")
    (mine / "holiday.jpg").write_bytes(b"jpeg")
    assert_user_error(run("figures", "Rumba", "--svg", mine), "rumba-alemana.svg")
    assert sorted(p.name for p in mine.iterdir()) == ["holiday.jpg", "rumba-alemana.svg"]
    assert (mine / "rumba-alemana.svg").read_text() == "<svg>my own drawing</svg>"

    (charts / "rumba.html").write_text("my edits")  # pasdeux wrote it, the user changed it
    assert_user_error(run("figures", "--svg", charts), "rumba.html", "changed")
    assert (charts / "rumba.html").read_text() == "my edits"
    assert not (charts / "waltz.html").exists(), "nothing written when one file is refused"


def test_a_full_disk_while_writing_is_a_user_error_leaving_nothing(
    tmp_path: Path, audio: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small], capture_output=True
    )
    if mount.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted")
    try:
        with pytest.raises(InputError, match="no space left") as info:
            _write(small / "out", audio, truth_music, routine, performance)
        assert str(small / "out") in str(info.value)
        assert list(small.iterdir()) == []
    finally:
        subprocess.run(["umount", small], check=True)


def test_write_time_errors_on_the_output_are_mapped_to_user_errors(tmp_path: Path) -> None:
    import errno

    from pasdeux.export import output_error

    out = tmp_path / "out"
    for code, words in (
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission denied"),
        (errno.ENOSPC, "no space left"),
    ):
        mapped = output_error(out, OSError(code, os.strerror(code), str(out / "x")))
        assert isinstance(mapped, InputError)
        assert str(out) in str(mapped) and words in str(mapped)
    assert output_error(out, OSError(errno.EIO, "I/O error")) is None


def test_a_song_whose_extension_is_not_utf8_is_copied_under_a_safe_name(
    tmp_path: Path, truth_music: MusicMap, routine: Routine, performance: Performance
) -> None:
    song = tmp_path / os.fsdecode(b"tune.w\xffv")
    song.write_bytes(b"not really audio; only copied")
    out = tmp_path / "out"
    write_outputs(out, song, truth_music, routine, performance, title="t")
    assert (out / "song.audio").read_bytes() == song.read_bytes()
    assert 'src="song.audio"' in (out / "index.html").read_text(encoding="utf-8")
