"""pasdeux library: scan, list, show, playlist, tags; incremental, killed and resumed, Ray.

The collection is a few synthetic drum songs with known tempo and meter (a waltz, a
4/4 song), a copy of one, and bad files (text named .mp3, an empty .wav). The dance labels
the library stores are compared with what ``pasdeux analyze --json`` prints for the same
files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pasdeux.errors import InputError
from pasdeux.library import (
    Analysis,
    DanceScore,
    Library,
    SongEntry,
    build_playlist,
    read_song_tags,
    scan_library,
    scan_lock,
    write_m3u,
    write_song_tags,
)
from synth import SR, Part, drum_song
from test_cli import assert_user_error, run

FFMPEG = shutil.which("ffmpeg")


def _song(path: Path, bpm: float, meter: int, bars: int, seed: int) -> Path:
    song = drum_song([Part(bpm, meter, bars)], seed=seed)
    sf.write(path, song.samples, SR)
    return path


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of songs: a waltz, a 4/4 song in a subfolder, a copy, and two bad files."""
    root = tmp_path_factory.mktemp("collection")
    (root / "sub").mkdir()
    _song(root / "waltz.wav", 87.0, 3, 9, seed=1)
    _song(root / "sub" / "four.wav", 120.0, 4, 7, seed=2)
    shutil.copy(root / "waltz.wav", root / "sub" / "waltz copy.wav")
    (root / "notes.mp3").write_text("not audio at all\n")
    (root / "empty.wav").write_bytes(b"")
    (root / "readme.txt").write_text("not a song name\n")
    return root


@pytest.fixture(scope="module")
def scanned(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection scanned once with two jobs; the database's path."""
    db = tmp_path_factory.mktemp("db") / "lib.sqlite"
    result = run("library", "scan", collection, "--db", db, "--jobs", "2", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["found"] == 5  # .txt is not a song
    assert report["analysed"] == 4  # the copy has the waltz's content: analysed once
    assert report["errors"] == 2 and report["failed"] == 2
    assert "songs," in result.stderr and "ETA" in result.stderr  # the progress bar
    return db


def _copy_db(db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "lib.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(out) as dst:
        src.backup(dst)
    return out


@pytest.mark.slow
def test_labels_are_those_of_analyze(collection: Path, scanned: Path) -> None:
    for name in ("waltz.wav", "sub/four.wav"):
        shown = run("library", "show", collection / name, "--db", scanned, "--json")
        assert shown.returncode == 0, shown.stderr
        stored = json.loads(shown.stdout)
        analyzed = run("analyze", collection / name, "--json", "-q")
        truth = json.loads(analyzed.stdout)
        assert stored["dance"] == truth["dances"][0]["name"]
        assert [d["name"] for d in stored["dances"]] == [d["name"] for d in truth["dances"]]
        assert [s["dance"] for s in stored["sections"]] == [s["dance"] for s in truth["sections"]]
        assert stored["mpm"] == pytest.approx(truth["mpm"])
        assert stored["meter"] == truth["meter"]
    waltz = json.loads(
        run("library", "show", collection / "waltz.wav", "--db", scanned, "--json").stdout
    )
    assert waltz["meter"] == 3 and waltz["mpm"] == pytest.approx(29.0, abs=0.5)


@pytest.mark.slow
def test_list_filters_and_formats(collection: Path, scanned: Path) -> None:
    everything = json.loads(run("library", "list", "--db", scanned, "--json").stdout)
    assert len(everything) == 3  # the two bad files are not listed
    threes = json.loads(run("library", "list", "--db", scanned, "--json", "--meter", "3").stdout)
    assert {Path(e["path"]).name for e in threes} == {"waltz.wav", "waltz copy.wav"}
    fast = json.loads(run("library", "list", "--db", scanned, "--json", "--mpm", "29.5-40").stdout)
    assert [Path(e["path"]).name for e in fast] == ["four.wav"]
    dance = threes[0]["dance"]
    by_dance = json.loads(
        run("library", "list", "--db", scanned, "--json", "--dance", dance).stdout
    )
    assert {e["dance"] for e in by_dance} == {dance} and len(by_dance) >= 2
    table = run("library", "list", "--db", scanned, "--csv").stdout.splitlines()
    assert table[0] == "path,dance,mpm,bpm,meter,duration_s" and len(table) == 4
    errors = run("library", "list", "--db", scanned, "--errors").stdout.splitlines()
    assert len(errors) == 2
    assert any("notes.mp3" in e and "not an audio file" in e for e in errors)
    assert any("empty.wav" in e and "empty" in e for e in errors)


@pytest.mark.slow
def test_rescan_moves_touches_and_new_versions(
    collection: Path, scanned: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "songs"
    shutil.copytree(collection, folder)
    db = tmp_path / "lib.sqlite"
    first = scan_library([folder], db, jobs=1)
    assert first.analysed == 4
    again = scan_library([folder], db, jobs=1)
    assert (again.analysed, again.unchanged, again.recognised) == (0, 5, 0)
    (folder / "sub" / "four.wav").rename(folder / "renamed four.wav")
    os.utime(folder / "waltz.wav", ns=(1, 1))
    moved = scan_library([folder], db, jobs=1)
    assert (moved.analysed, moved.removed, moved.recognised) == (0, 1, 2)
    with Library(db) as lib:
        paths = {Path(e.path).name for e in lib.entries()}
        assert "renamed four.wav" in paths and "four.wav" not in paths
        assert lib.counts() == (5, 4)  # one analysis per content, no duplicates
    with (folder / "waltz.wav").open("r+b") as handle:  # the content changes
        handle.seek(5000)
        handle.write(b"\x10\x20\x30")
    changed = scan_library([folder], db, jobs=1)
    assert changed.analysed == 1
    newer = scan_library([folder], db, jobs=2, version="a newer analysis")
    assert newer.analysed == 5


def test_second_scan_refused_while_one_runs(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    (tmp_path / "songs").mkdir()
    with scan_lock(db):
        result = run("library", "scan", tmp_path / "songs", "--db", db)
    assert_user_error(result, str(db), "another scan", str(os.getpid()))
    assert run("library", "scan", tmp_path / "songs", "--db", db, "-q").returncode == 0


def test_user_errors(tmp_path: Path) -> None:
    assert_user_error(
        run("library", "scan", tmp_path / "nowhere", "--db", tmp_path / "x"), "no such folder"
    )
    assert_user_error(run("library", "list", "--db", tmp_path / "none.sqlite"), "scan")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert_user_error(run("library", "list", "--db", junk), "not a pasdeux library")
    assert_user_error(run("library", "list", "--db", junk, "--mpm", "40-30"), "--mpm")
    db = tmp_path / "lib.sqlite"
    Library(db, create=True).close()
    assert_user_error(run("library", "list", "--db", db, "--dance", "Hula"), "unknown dance")
    assert_user_error(run("library", "show", tmp_path / "x.wav", "--db", db), "x.wav")
    out = tmp_path / "mine.m3u8"
    assert_user_error(
        run("library", "playlist", "--db", db, "--dances", "Waltz", "-o", out), "no song"
    )
    assert not out.exists()


# --- playlists ---------------------------------------------------------------------------
def _entry(
    path: str, dance: str, mpm: float, meter: int, duration_s: float, hash_: str
) -> SongEntry:
    analysis = Analysis(
        hash=hash_, version="v", duration_s=duration_s, meter=meter, bpm=mpm * meter,
        mpm=mpm, dance=dance, dances=(DanceScore(name=dance, score=0.8),),
    )  # fmt: skip
    return SongEntry(path=path, size=1, mtime_ns=1, hash=hash_, error=None, analysis=analysis)


def test_playlist_round_order_ranges_and_no_repeats(tmp_path: Path) -> None:
    entries = [_entry(f"/m/w{i}.wav", "Waltz", 28.0 + 0.5 * i, 3, 120.0, f"w{i}") for i in range(4)]
    entries += [_entry(f"/m/q{i}.wav", "Quickstep", 50.0 + i, 4, 120.0, f"q{i}") for i in range(3)]
    entries += [_entry(f"/m/t{i}.wav", "Tango", 32.0, 4, 120.0, f"t{i}") for i in range(3)]
    entries.append(_entry("/m/w0 copy.wav", "Waltz", 28.0, 3, 120.0, "w0"))  # same song
    entries.append(_entry("/m/slow.wav", "Waltz", 20.0, 3, 120.0, "slow"))  # out of range
    entries.append(_entry("/m/fox.wav", "Slow Foxtrot", 29.0, 4, 120.0, "fox"))  # not asked
    items, warnings = build_playlist(entries, ["Quickstep", "waltz", "Tango"], minutes=14)
    assert [i.dance for i in items[:3]] == ["Waltz", "Tango", "Quickstep"]  # a round's order
    assert len({i.path for i in items}) == len(items)
    assert "/m/w0 copy.wav" not in {i.path for i in items} and "/m/slow.wav" not in {
        i.path for i in items
    }
    assert sum(i.duration_s for i in items) >= 14 * 60
    assert items[0].path == "/m/w2.wav"  # nearest the middle of the Waltz's range first
    assert warnings == []
    longer, warned = build_playlist(entries, ["Waltz", "Tango", "Quickstep"], minutes=60)
    assert len(longer) == 10 and any("no more songs" in w for w in warned)
    out = tmp_path / "set.m3u8"
    write_m3u(items, out, "practice")
    lines = out.read_text().splitlines()
    assert lines[0] == "#EXTM3U" and lines[3].startswith("#EXTINF:120,Waltz (29.0 MPM)")
    assert lines[4] == "# dance: Waltz; 29.0 MPM; 87.0 BPM; 3/4" and lines[5] == "/m/w2.wav"
    write_m3u(items[:2], out, "again")  # its own playlist is replaced
    foreign = tmp_path / "theirs.m3u8"
    foreign.write_text("#EXTM3U\n/their/song.mp3\n")
    with pytest.raises(InputError, match="not written by pasdeux"):
        write_m3u(items, foreign, "x")
    assert foreign.read_text() == "#EXTM3U\n/their/song.mp3\n"


def test_playlist_says_why_a_dance_has_no_song() -> None:
    entries = [_entry("/m/fast.wav", "Waltz", 40.0, 3, 120.0, "fast")]  # the Waltz is 28-30
    entries.append(_entry("/m/t.wav", "Tango", 32.0, 4, 120.0, "t"))
    items, warnings = build_playlist(entries, ["Waltz", "Tango", "Jive"], minutes=1)
    assert [i.path for i in items] == ["/m/t.wav"]
    waltz, jive = (w for w in warnings if "fits" in w)
    assert "Waltz (1 song(s) with it as their best dance, outside 28-30 MPM in 3/4)" in waltz
    assert "Jive (no song has it as its best dance)" in jive
    with pytest.raises(InputError, match=r"fits Waltz \(1 song"):
        build_playlist(entries[:1], ["Waltz"], minutes=1)


@pytest.mark.slow
def test_playlist_command(collection: Path, scanned: Path, tmp_path: Path) -> None:
    waltz = json.loads(
        run("library", "show", collection / "waltz.wav", "--db", scanned, "--json").stdout
    )
    out = tmp_path / "set.m3u8"
    result = run(
        "library",
        "playlist",
        "--db",
        scanned,
        "--dances",
        waltz["dance"],
        "--minutes",
        "1",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.count("#EXTINF") == 1  # the copy is the same song
    assert f"# dance: {waltz['dance']}; {waltz['mpm']:.1f} MPM" in text


# --- tags --------------------------------------------------------------------------------
def _encoded(tmp_path: Path, ext: str) -> Path:
    wav = _song(tmp_path / "src.wav", 87.0, 3, 5, seed=3)
    path = tmp_path / f"song.{ext}"
    kinds = {
        "wav": None, "aiff": ("AIFF", "PCM_16"), "flac": ("FLAC", "PCM_16"),
        "ogg": ("OGG", "VORBIS"), "opus": ("OGG", "OPUS"), "mp3": ("MP3", "MPEG_LAYER_III"),
    }  # fmt: skip
    if ext in kinds:
        data, rate = sf.read(wav)
        fmt = kinds[ext]
        if fmt is None:
            shutil.copy(wav, path)
        else:
            sf.write(path, data, 48000 if ext == "opus" else rate, format=fmt[0], subtype=fmt[1])
        return path
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed")
    codec = {"m4a": "aac", "wma": "wmav2", "aac": "aac", "webm": "libopus"}[ext]
    done = subprocess.run(
        [FFMPEG, "-v", "error", "-nostdin", "-y", "-i", wav, "-c:a", codec, path],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"this ffmpeg cannot encode {ext}")
    return path


_TAGGED = Analysis(
    hash="h", version="v", duration_s=10.0, meter=3, bpm=87.4, mpm=29.1, dance="Waltz"
)


@pytest.mark.parametrize("ext", ["wav", "aiff", "flac", "ogg", "opus", "mp3", "m4a", "wma"])
def test_tags_written_on_every_format(tmp_path: Path, ext: str) -> None:
    from pasdeux.music import load_audio

    path = _encoded(tmp_path, ext)
    before = load_audio(path)
    write_song_tags(path, _TAGGED)
    assert read_song_tags(path) == (87, "Waltz")
    after = load_audio(path)
    assert np.array_equal(np.asarray(before[0]), np.asarray(after[0]))  # the audio is the same
    write_song_tags(path, _TAGGED)  # again: replaced, not doubled
    assert read_song_tags(path) == (87, "Waltz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src.wav", path.name])


@pytest.mark.parametrize("ext", ["aac", "webm"])
def test_tags_refused_where_none_can_be_written(tmp_path: Path, ext: str) -> None:
    path = _encoded(tmp_path, ext)
    data = path.read_bytes()
    with pytest.raises(InputError, match="cannot write tags"):
        write_song_tags(path, _TAGGED)
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src.wav", path.name])


def test_tags_untouched_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _encoded(tmp_path, "flac")
    data = path.read_bytes()

    def full(_fd: int) -> None:  # the disk fills up as the tagged copy is flushed
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError, match=r"tags not written \(No space left"):
        write_song_tags(path, _TAGGED)
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src.wav", path.name])


@pytest.mark.slow
def test_scan_writes_tags_and_keeps_its_analysis(collection: Path, tmp_path: Path) -> None:
    folder = tmp_path / "songs"
    folder.mkdir()
    shutil.copy(collection / "waltz.wav", folder / "waltz.wav")
    db = tmp_path / "lib.sqlite"
    report = scan_library([folder], db, jobs=1, write_tags=True)
    assert (report.analysed, report.tagged, report.tag_errors) == (1, 1, ())
    with Library(db) as lib:
        entry = lib.entries()[0]
    assert entry.analysis is not None and entry.analysis.bpm is not None
    assert read_song_tags(folder / "waltz.wav") == (round(entry.analysis.bpm), entry.analysis.dance)
    again = scan_library([folder], db, jobs=1, write_tags=True)
    assert (again.analysed, again.tagged, again.unchanged) == (0, 0, 1)


# --- killed and resumed ------------------------------------------------------------------
def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as con:
        try:
            return int(con.execute("SELECT COUNT(*) FROM analyses").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_killed_scan_keeps_what_it_stored_and_resumes(tmp_path: Path, how: signal.Signals) -> None:
    folder = tmp_path / "songs"
    folder.mkdir()
    # more songs than the two the signal waits for, so that on a loaded machine the scan
    # is still running when the signal arrives (with 6 it sometimes finished first)
    n_songs = 10
    for i in range(n_songs):
        _song(folder / f"s{i}.wav", 90.0 + 7 * i, 3 + i % 2, 6, seed=10 + i)
    db = tmp_path / "lib.sqlite"
    scan = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pasdeux",
            "library",
            "scan",
            folder,
            "--db",
            db,
            "--jobs",
            "2",
            "-q",
        ],
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a background job of a shell without job control (nohup ... &,
        # some CI runners) starts with SIGINT ignored, and the child would inherit that
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while _stored(db) < 2 and time.monotonic() < deadline and scan.poll() is None:
        time.sleep(0.05)
    scan.send_signal(how)
    _, err = scan.communicate(timeout=60)
    before = _stored(db)
    assert 2 <= before < n_songs, "the scan must be stopped part way"
    if how == signal.SIGINT:
        assert scan.returncode == 130 and "interrupted" in err and "Traceback" not in err
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    resumed = scan_library([folder], db, jobs=2)
    assert resumed.analysed == n_songs - before  # nothing stored is analysed again
    with Library(db) as lib:
        assert lib.counts() == (n_songs, n_songs)
        assert all(e.analysis is not None and e.analysis.ok for e in lib.entries())


# --- Ray -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_ray_local_cluster_gives_the_same_results(
    collection: Path, scanned: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ray")
    db = tmp_path / "ray.sqlite"
    result = run(
        "library", "scan", collection, "--db", db, "--ray", "local", "--jobs", "2", "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["analysed"] == 4 and len(report["peak_rss_mb"]) == 2  # two workers ran

    def rows(path: Path) -> list[tuple[object, ...]]:
        with sqlite3.connect(path) as con:
            return con.execute(
                "SELECT hash, duration_s, meter, bpm, mpm, dance, sections, dances, error "
                "FROM analyses ORDER BY hash"
            ).fetchall()

    assert rows(db) == rows(scanned)


def test_names_not_utf8_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "songs"
    folder.mkdir()
    (folder / "ok.txt").write_text("not a song")
    bad = os.path.join(os.fsencode(folder), b"bad\xffname.wav")
    with open(bad, "wb") as handle:
        handle.write(b"RIFF")
    result = run("library", "scan", folder, "--db", tmp_path / "lib.sqlite")
    assert result.returncode == 0, result.stderr
    assert "not UTF-8" in result.stderr and "0 songs" in result.stdout


def test_ray_auto_without_a_cluster_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    folder = tmp_path / "songs"
    folder.mkdir()
    _song(folder / "waltz.wav", 87.0, 3, 5, seed=4)
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    result = subprocess.run(
        [sys.executable, "-m", "pasdeux", "library", "scan", str(folder), "--db",
         str(tmp_path / "lib.sqlite"), "--ray", "auto", "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert_user_error(result, "--ray auto", "no Ray cluster")
