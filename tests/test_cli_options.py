"""Every option and the output folder are checked before the analysis starts.

Each mistake is one line on stderr and exit code 2. ``assert_user_error`` also asserts that
stderr has exactly one line, so no progress line ("decoding…") was printed: the check came
before the analysis.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_cli import assert_user_error, run


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1e3", "x"])
def test_bad_seeds_are_user_errors(demo_clip: Path, tmp_path: Path, seed: str) -> None:
    result = run("dance", demo_clip, "--seed", seed, "-o", tmp_path / "o")
    assert_user_error(result, "--seed", "0", "4294967295")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("floor", "words"),
    [
        ("nanxnan", ("floor", "nanxnan")),
        ("infx8", ("floor", "infx8")),
        ("1e400x8", ("floor", "1e400x8")),
        ("10x-8", ("floor", "3 to 100")),
        ("1e9x1e9", ("floor", "3 to 100")),
        ("101x8", ("floor", "3 to 100")),
        ("2x8", ("floor", "3 to 100")),
        ("10x8x3", ("floor", "10x8x3")),
    ],
)
def test_bad_floors_are_user_errors(
    demo_clip: Path, tmp_path: Path, floor: str, words: tuple[str, ...]
) -> None:
    result = run("dance", demo_clip, "--floor", floor, "-o", tmp_path / "o")
    assert_user_error(result, *words)
    assert not (tmp_path / "o").exists()


def test_help_states_the_accepted_floor_and_seed_ranges() -> None:
    text = " ".join(run("dance", "--help").stdout.split())
    assert "3 to 100" in text
    assert "4294967295" in text


def test_an_existing_file_as_output_is_reported_before_analysis(
    demo_clip: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF my report")
    assert_user_error(run("dance", demo_clip, "-o", target), str(target), "not a folder")
    assert target.read_bytes() == b"%PDF my report"


def test_a_foreign_output_folder_is_reported_before_analysis(
    demo_clip: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("precious")
    assert_user_error(run("dance", demo_clip, "-o", folder), "chapter1.tex")
    assert (folder / "chapter1.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_an_output_path_under_a_file_is_reported_before_analysis(
    demo_clip: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("x")
    out = tmp_path / "notes.txt" / "out"
    assert_user_error(run("dance", demo_clip, "-o", out), "notes.txt", "not a folder")


@contextlib.contextmanager
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/ro``: a read-only bind mount of ``tmp_path/rw`` (skips if not permitted)."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    rw, ro = tmp_path / "rw", tmp_path / "ro"
    rw.mkdir()
    ro.mkdir()
    bind = subprocess.run(["mount", "--bind", rw, ro], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"mount --bind not permitted: {bind.stderr.decode(errors='replace')}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", ro], check=True, capture_output=True)
        yield ro
    finally:
        subprocess.run(["umount", ro], check=True)


def test_a_read_only_mount_is_reported_before_analysis(demo_clip: Path, tmp_path: Path) -> None:
    with read_only_mount(tmp_path) as ro:
        out = ro / "out"
        assert_user_error(run("dance", demo_clip, "-o", out), str(out), "read-only")
        nested = ro / "a" / "b"
        assert_user_error(run("dance", demo_clip, "-o", nested), "read-only")
    assert list((tmp_path / "rw").iterdir()) == []


def test_figures_svg_into_a_read_only_mount_is_a_user_error(tmp_path: Path) -> None:
    with read_only_mount(tmp_path) as ro:
        assert_user_error(run("figures", "Rumba", "--svg", ro / "charts"), "read-only")


def test_bad_options_come_before_a_missing_song_is_even_read(tmp_path: Path) -> None:
    # The song is a FIFO nobody writes to: reading it would hang, so only an up-front
    # check of the options can answer.
    fifo = tmp_path / "song.wav"
    os.mkfifo(fifo)
    assert_user_error(run("dance", fifo, "--floor", "1e9x1e9", "-o", tmp_path / "o"), "floor")
    assert_user_error(run("dance", fifo, "--seed", "-1", "-o", tmp_path / "o"), "--seed")


@pytest.mark.slow
def test_a_song_name_that_is_not_utf8_is_danced_and_shown(demo_clip: Path, tmp_path: Path) -> None:
    song = tmp_path / os.fsdecode(b"song\xff.wav")
    song.write_bytes(demo_clip.read_bytes())
    out = tmp_path / os.fsdecode(b"out\xfe")
    result = run("dance", song, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"open {tmp_path}/out\ufffd/index.html"
    assert "# song\ufffd — " in (out / "stepsheet.md").read_text(encoding="utf-8")
    assert "song\ufffd.wav" in (out / "stepsheet.html").read_text(encoding="utf-8")
    assert "<title>song\ufffd — " in (out / "index.html").read_text(encoding="utf-8")
    analyzed = run("analyze", song)
    assert analyzed.returncode == 0, analyzed.stderr
    assert analyzed.stdout.startswith(f"{tmp_path}/song\ufffd.wav: ")


@pytest.mark.browser
@pytest.mark.parametrize("side_m", [1e9, 1e300])
def test_the_viewer_draws_any_floor_it_is_given(tmp_path: Path, side_m: float) -> None:
    """A floor the command line refuses still draws (a capped grid), not a hung tab."""
    from _browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import Error, sync_playwright

    from pasdeux.render import write_viewer
    from test_viewer_browser import _payload

    index = tmp_path / "index.html"
    write_viewer(index, {**_payload(), "floor": {"width_m": side_m, "depth_m": side_m}})
    errors: list[str] = []

    def on_page_error(err: Error) -> None:
        errors.append(str(err))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.on("pageerror", on_page_error)
            page.goto(index.as_uri())
            page.wait_for_function("window.pasdeuxState !== undefined", timeout=20_000)
            page.evaluate("document.getElementById('seek').value")  # the page still answers
        finally:
            browser.close()
    assert errors == []


def test_a_folder_nobody_may_write_into_is_reported_before_analysis(
    demo_clip: Path, tmp_path: Path
) -> None:
    # Root ignores permission bits; an immutable folder (chattr +i) refuses even root.
    locked = tmp_path / "locked"
    locked.mkdir()
    if shutil.which("chattr") is None:
        pytest.skip("no chattr")
    if subprocess.run(["chattr", "+i", locked], capture_output=True).returncode != 0:
        pytest.skip("chattr +i not supported here")
    try:
        out = locked / "out"
        assert_user_error(run("dance", demo_clip, "-o", out), str(out), "cannot write")
    finally:
        subprocess.run(["chattr", "-i", locked], check=True)
    assert list(locked.iterdir()) == []


def test_a_read_only_folder_is_reported_to_a_user_who_is_not_root(tmp_path: Path) -> None:
    import tempfile

    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run as another user")
    base = Path(tempfile.mkdtemp(prefix="pasdeux-ro-"))  # reachable by user nobody
    try:
        base.chmod(0o555)
        as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]

        def run_as_nobody(*args: str | Path) -> subprocess.CompletedProcess[str]:
            command = [*as_nobody, sys.executable, "-m", "pasdeux", *map(str, args)]
            return subprocess.run(command, capture_output=True, text=True, timeout=120)

        out = base / "out"
        result = run_as_nobody("dance", tmp_path / "song.wav", "-o", out)
        assert_user_error(result, f"{out}: cannot write here: permission denied")
        result = run_as_nobody("figures", "Rumba", "--svg", base)
        assert_user_error(result, f"{base}: cannot write here: permission denied")
        assert list(base.iterdir()) == []
    finally:
        base.chmod(0o755)
        shutil.rmtree(base)


def test_a_song_name_with_a_line_break_gives_one_error_line(tmp_path: Path) -> None:
    result = run("analyze", tmp_path / "two\nlines.ogg")
    assert_user_error(result, "two\\nlines.ogg", "no such file")


def test_an_output_path_longer_than_the_system_allows_is_a_user_error(
    demo_clip: Path, tmp_path: Path
) -> None:
    too_long = tmp_path.joinpath(*["d" * 200] * 25)  # 5,000 characters: over PATH_MAX
    result = run("dance", demo_clip, "-o", too_long)
    assert_user_error(result, "name too long")
    assert "decoding" not in result.stderr
