"""Every command, end to end, as a user runs it; and the error contract (exit 2, one line)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pasdeux.export import OUTPUT_FILES


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pasdeux ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "pasdeux", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=600,
    )


def assert_user_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""


def test_dance_writes_every_output_for_a_short_clip(demo_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("dance", demo_clip, "-o", out, "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "index.html" in result.stdout
    assert re.search(r" s, 4/4 then 3/4\)$", result.stdout, re.MULTILINE), result.stdout
    for name in OUTPUT_FILES:
        assert (out / name).stat().st_size > 0
    routine = json.loads((out / "routine.json").read_text())
    meters = [f["figure"]["meter"] for f in routine["figures"]]
    assert 4 in meters and 3 in meters
    assert meters == sorted(meters, reverse=True), "waltz figures come after the change"
    assert "[" in result.stderr, "progress lines are shown"


def test_analyze_json_follows_the_contract(demo_clip: Path) -> None:
    result = run("analyze", demo_clip, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("beats", "downbeats", "meter", "bpm", "mpm", "sections", "dances"):
        assert key in data
    assert [s["meter"] for s in data["sections"]] == [4, 3]
    for section in data["sections"]:
        assert set(section) >= {"start", "end", "meter", "bpm", "dance"}
    # Each section's dance is one danced in that section's meter.
    library = json.loads(run("figures", "--json").stdout)["dances"]
    meters: dict[str, set[int]] = {d["name"]: {t["meter"] for t in d["tempos"]} for d in library}
    for section in data["sections"]:
        assert section["meter"] in meters[section["dance"]], section
    assert {"name", "score", "reason"} <= set(data["dances"][0])
    assert len(data["dances"]) == len(meters)


def test_analyze_prints_a_summary(demo_clip: Path) -> None:
    result = run("analyze", demo_clip)
    assert result.returncode == 0, result.stderr
    assert "BPM" in result.stdout and "section" in result.stdout


def test_demo_dances_the_shipped_song(tmp_path: Path) -> None:
    result = run("demo", "-o", tmp_path / "demo", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert str(tmp_path / "demo" / "index.html") in result.stdout


def test_figures_lists_and_prints_json() -> None:
    listing = run("figures")
    assert listing.returncode == 0
    assert "Slow Dance" in listing.stdout and "underarm_turn" in listing.stdout
    data = json.loads(run("figures", "--json").stdout)
    dance = next(d for d in data["dances"] if d["name"] == "Slow Dance")
    assert dance["figures"][0]["leader"] and dance["figures"][0]["follower"]
    assert_user_error(run("figures", "Moonwalk"), "unknown dance", "Slow Dance")


@pytest.mark.parametrize("command", ["analyze", "dance"])
def test_bad_input_gets_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.ogg"
    assert_user_error(run(command, missing), str(missing), "no such file")
    assert_user_error(run(command, tmp_path), str(tmp_path), "directory")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert_user_error(run(command, empty), str(empty), "empty")
    text = tmp_path / "notes.ogg"
    text.write_text("these are my dance notes, not audio\n" * 20)
    assert_user_error(run(command, text), str(text))
    assert not (tmp_path / "pasdeux-out").exists()


def test_dance_leaves_no_output_folder_on_bad_input(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("not audio\n" * 50)
    out = tmp_path / "out"
    assert_user_error(run("dance", text, "-o", out), str(text))
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["notes.mp3"]


def test_bad_options_are_user_errors(demo_clip: Path, tmp_path: Path) -> None:
    assert_user_error(run("dance", demo_clip, "--floor", "big"), "floor")
    assert_user_error(run("dance", demo_clip, "--level", "expert", "-o", tmp_path / "o"), "level")
    assert_user_error(run("frobnicate"), "invalid choice")


def test_figures_svg_writes_charts(tmp_path: Path) -> None:
    result = run("figures", "Rumba", "--svg", tmp_path / "charts")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "charts" / "rumba-alemana.svg").exists()
    assert "open" in result.stdout


def test_figures_json_lists_all_fifteen_dances() -> None:
    data = json.loads(run("figures", "--json").stdout)
    names = {d["name"] for d in data["dances"]}
    assert names >= {
        "Waltz", "Viennese Waltz", "Slow Foxtrot", "Tango", "Quickstep", "Rumba", "Cha Cha",
        "Samba", "Paso Doble", "Jive", "East Coast Swing", "Salsa", "Bachata", "Merengue",
        "Slow Dance",
    }  # fmt: skip


def test_ctrl_c_while_starting_up_is_one_line_and_exit_130() -> None:
    # The fuzz run's cases 343, 3006 and 5118 (seed 3): SIGINT 0.05-0.13 s after start, while
    # numpy, or even pathlib and enum, were still importing, printed a traceback. Here the
    # Ctrl-C arrives, as a real SIGINT, while the real command line is being imported.
    code = (
        "import builtins, os, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "real = builtins.__import__\n"
        "def interrupted(name, *args, **kwargs):\n"
        "    if name == 'pasdeux.cli._main':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupted\n"
        "from pasdeux.cli import main\n"
        "sys.exit(main(['figures']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 130
    assert done.stderr == "pasdeux: interrupted\n"
    assert done.stdout == ""


def test_importing_pasdeux_loads_nothing_else() -> None:
    """``python -m pasdeux`` runs the package's ``__init__`` before the command line's
    Ctrl-C guard: it must not spend time importing (pathlib, enum, numpy)."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import pasdeux, pasdeux.cli\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "['pasdeux', 'pasdeux.cli']"
