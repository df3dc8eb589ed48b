"""The fuzz and fault suite, a short seeded run (the long one is ``bench/fuzz.py``).

Every case is judged by the command line's contract (``fuzz_harness.judge_run`` and
``judge_files``): exit 0 or 2, one stderr line for exit 2, no traceback, no hang, no file
of the user's changed, no staging folder left (after the next run, for a killed one), an
output folder complete or absent, a truncated song refused or warned about. The first
tests check that the oracle and the mutations themselves can fail.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import fuzz_harness as fh

SEED = 8
"""The seed of the short run (a failure message names each case's mutation and argv)."""

CASE_TIMEOUT_S = 45.0
"""Per run: an 8 s song takes about 1 s to analyse; a run past this is a hang."""


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> fh.Seeds:
    """The seed songs in every format this machine can write, and pasdeux's templates."""
    return fh.make_seeds(tmp_path_factory.mktemp("fuzz-seeds"))


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Just the seed songs' bytes by format (no pasdeux run)."""
    return fh.write_seeds(tmp_path_factory.mktemp("fuzz-seed-data"))


@pytest.fixture(scope="module")
def runner(seeds: fh.Seeds, tmp_path_factory: pytest.TempPathFactory) -> Iterator[fh.Runner]:
    """A runner with one worker for the whole module."""
    with fh.Runner(
        seeds, tmp_path_factory.mktemp("fuzz-work"), timeout_s=CASE_TIMEOUT_S, mem_limit_mb=2500
    ) as r:
        yield r


def _report(outcomes: list[fh.Outcome]) -> str:
    lines = []
    for o in outcomes:
        for f in o.findings:
            c = o.case
            lines.append(
                f"#{c.index} {c.family}/{c.kind}/{c.fmt} [{c.detail[:90]}] "
                f"pasdeux {' '.join(c.argv)!r}: {f.category}: {f.message[:160]} "
                f"(stderr: {f.stderr.strip()[-200:]!r})"
            )
    return "\n".join(lines)


def _assert_clean(outcomes: list[fh.Outcome]) -> None:
    assert not any(o.findings for o in outcomes), "\n" + _report(outcomes)


# --------------------------------------------------------------------------- the oracle


def _case(**kw: object) -> fh.Case:
    base = fh.Case(0, 0, "input", "bitflip", "wav16", "", ("analyze", "song.wav"), "song.wav", b"")
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("run", "category"),
    [
        (fh.Run(1, "", "pasdeux: internal error (ValueError: x)\n", 1.0), "exit_1"),
        (fh.Run(3, "", "", 1.0), "exit_code"),
        (fh.Run(2, "", "pasdeux: a\npasdeux: b\n", 1.0), "stderr_lines"),
        (fh.Run(2, "", "Traceback (most recent call last):\npasdeux: x\n", 1.0), "traceback"),
        (fh.Run(None, "", "", 99.0, killed="timeout"), "timeout"),
        (fh.Run(None, "", "", 9.0, killed="memory"), "memory"),
        (fh.Run(None, "", "", 1.0, exception="Traceback\nKeyError: 1"), "exception"),
    ],
)
def test_oracle_flags_a_broken_run(run: fh.Run, category: str) -> None:
    assert category in [f.category for f in fh.judge_run(_case(), run)]


def test_oracle_accepts_a_clean_run_and_wants_a_warning_for_a_truncation() -> None:
    progress = "[  0.9s] decoding…\npasdeux: song.wav: file is empty\n"
    assert fh.judge_run(_case(), fh.Run(2, "", progress, 1.0)) == []
    warned = fh.Run(0, "", "warning: song.wav: truncated, read 4.0 s\n", 1.0)
    for cut in (
        _case(kind="truncate", data=bytes(10_000), cut_bytes=90_000),
        _case(kind="header_lie", data=bytes(10_000), claims_longer=True),
    ):
        flagged = fh.judge_run(cut, fh.Run(0, "", "", 1.0))
        assert [f.category for f in flagged] == ["truncation_unwarned"]
        assert fh.judge_run(cut, warned) == []
        assert fh.judge_run(cut, replace(warned, stderr="[  0.1s] warning: x\n")) == []
        assert fh.judge_run(cut, fh.Run(2, "", "pasdeux: song.wav: too short\n", 1.0)) == []


def test_oracle_flags_changed_files_leftovers_and_half_folders() -> None:
    case = _case(argv=("dance", "song.wav", "-o", "out"), out="out")
    before = {"notes.txt": "a", "song.wav": "b", "old": "dir"}
    after = {
        "notes.txt": "CHANGED",
        "old": "dir",
        ".out.x1y2": "dir",
        ".out.x1y2/music.json": "c",
        "stray.txt": "d",
        "out": "dir",
        "out/music.json": "e",
    }
    found = {f.category for f in fh.judge_files(case, before, after, set(), ("music.json", "x"))}
    assert found == {"user_file_changed", "staging_left", "stray_file", "output_incomplete"}
    whole = {"notes.txt": "a", "song.wav": "b", "old": "dir", "out": "dir", "out/music.json": "e"}
    assert fh.judge_files(case, before, whole, set(), ("music.json",)) == []
    assert fh.judge_files(case, before, before, set(), ("music.json",), must_exist=True)


# --------------------------------------------------------------------------- mutations


def test_mutations_change_what_they_say(seed_data: dict[str, bytes]) -> None:
    rng = random.Random(SEED)
    for fmt, data in seed_data.items():
        assert fh.header_fields(data, fmt), fmt
        for kind in fh.MUTATIONS[:-1]:
            m = fh.mutate(data, fmt, kind, rng)
            assert m.data != data, (fmt, kind, m.detail)
        assert len(fh.mutate(data, fmt, "truncate", rng).data) < len(data)


def test_ogg_checksums_match_the_encoder(seed_data: dict[str, bytes]) -> None:
    data = seed_data["ogg"]
    pages = fh.ogg_pages(data)
    assert len(pages) > 3
    for pos, length in pages:
        page = data[pos : pos + length]
        assert fh.ogg_crc(page) == int.from_bytes(page[22:26], "little")


# --------------------------------------------------------------------------- the short run


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(fh.SEED_SPECS))
def test_mutated_songs(fmt: str, seeds: fh.Seeds, runner: fh.Runner) -> None:
    if fmt not in seeds.data:
        pytest.skip(f"no {fmt} seed on this machine (ffmpeg missing)")
    shift = list(fh.SEED_SPECS).index(fmt)
    kinds = [fh.MUTATIONS[(shift + i) % len(fh.MUTATIONS)] for i in range(3)]
    kinds += ["truncate", "header_lie"]
    outcomes = [
        runner.run(fh.make_case(100 * shift + i, SEED, seeds, family="input", fmt=fmt, kind=k))
        for i, k in enumerate(kinds)
    ]
    _assert_clean(outcomes)


HEADER_LIES = [
    ("wav16", "sample rate", 1),
    ("wav16", "sample rate", 0),
    ("wav16", "sample rate", 2**31),
    ("wav16", "data size", 2**32 - 1),
    ("wav16", "data size", 2**31),
    ("wav16", "data size", 0),
    ("wav16", "channels", 0),
    ("wav16", "channels", 65535),
    ("wavf", "bits per sample", 64),
    ("flac", "sample rate", 1),
    ("flac", "total samples", 2**32),
    ("flac", "total samples", 0),
    ("ogg", "vorbis sample rate", 1),
    ("ogg", "last granule position", 2**40),
    ("mp3", "every frame sample rate index", 2),
    ("mp3", "xing frame count", 2**20),
    ("m4a", "mvhd duration", 2**31),
    ("m4a", "mdhd timescale", 1),
    ("m4a_fast", "mdhd duration", 1),
]
"""The header lies the issue names: rates, lengths, channel counts, sample formats."""


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "name", "value"), HEADER_LIES)
def test_header_lie(fmt: str, name: str, value: int, seeds: fh.Seeds, runner: fh.Runner) -> None:
    if fmt not in seeds.data:
        pytest.skip(f"no {fmt} seed on this machine (ffmpeg missing)")
    _assert_clean(
        [runner.run(fh.lie_case(HEADER_LIES.index((fmt, name, value)), seeds, fmt, name, value))]
    )


def _spec_id(spec: dict[str, object]) -> str:
    parts = [" ".join(v) if isinstance(v, tuple) else str(v) for v in spec.values()]
    return ",".join(f"{k}={p}" for k, p in zip(spec, parts))


OPTION_MISTAKES: list[dict[str, object]] = [
    {"options": ("--seed=-1",)},
    {"options": ("--floor", "nanxnan")},
    {"options": ("--floor", "infx8")},
    {"options": ("--floor", "1e400x8")},
    {"options": ("--level", "platinum")},
    {"options": ("--style", "nope")},
    {"target": "file"},
    {"target": "foreign"},
    {"target": "prior_user"},
    {"target": "readonly"},
    {"target": "through_file"},
    {"target": "long_name"},
    {"target": "non_utf8"},
    {"song": "non_utf8"},
    {"target": "foreign_clash", "command": "figures"},
]
"""The option values and ``-o`` targets the issue names, each once."""


@pytest.mark.slow
@pytest.mark.parametrize("spec", OPTION_MISTAKES, ids=lambda spec: _spec_id(spec))
def test_option_mistake(spec: dict[str, object], seeds: fh.Seeds, runner: fh.Runner) -> None:
    case = fh.option_case(OPTION_MISTAKES.index(spec), seeds, **spec)  # type: ignore[arg-type]
    _assert_clean([runner.run(case)])


@pytest.mark.slow
def test_random_options_and_output_targets(seeds: fh.Seeds, runner: fh.Runner) -> None:
    outcomes = [runner.run(fh.make_case(i, SEED, seeds, family="options")) for i in range(16)]
    _assert_clean(outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_signal_while_writing_then_a_normal_run(
    signame: str, seeds: fh.Seeds, runner: fh.Runner
) -> None:
    case = fh.make_case(0, SEED, seeds, family="signal", kind=signame)
    case = replace(case, trigger="staging", delay_s=0.02, signum=int(getattr(signal, signame)))
    _assert_clean([runner.run(case)])


@pytest.mark.slow
@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_into_one_folder(
    writers: int, seeds: fh.Seeds, runner: fh.Runner
) -> None:
    case = fh.make_case(0, SEED, seeds, family="concurrency", kind=str(writers))
    _assert_clean([runner.run(replace(case, target="prior"))])


def test_harness_saves_a_finding(tmp_path: Path) -> None:
    case = _case(data=b"RIFF....WAVE", cut_bytes=5000)
    outcome = fh.Outcome(case, ["1"], [fh.Finding("exit_1", "exit code 1", 1, "boom")], 1.0)
    folder = fh.save_finding(outcome, [fh.Run(1, "", "boom", 1.0)], tmp_path)
    assert (folder / "input.wav").read_bytes() == case.data
    assert '"exit_1"' in (folder / "case.json").read_text()


def test_a_length_field_knows_a_longer_claim(seed_data: dict[str, bytes]) -> None:
    (size,) = [f for f in fh.wav_fields(seed_data["wav16"]) if f.name == "data size"]
    real = size.get(seed_data["wav16"])
    assert size.claims_longer(real, 2 * real)
    assert not size.claims_longer(real, real // 2)
    assert not size.claims_longer(real, 2**32 - 1)  # "length unknown", as streams write it


# --------------------------------------------------------------------------- pasdeux check


def test_oracle_holds_check_to_its_promises() -> None:
    case = _case(
        family="options",
        argv=("check", "out"),
        target="performance.json unreadable",
        out="out",
        damage="performance.json:unreadable",
        must_refuse=True,
    )
    assert [f.category for f in fh.judge_check(case, fh.Run(0, "{}", "", 1.0))] == [
        "damage_accepted"
    ]
    unnamed = fh.Run(2, "", "pasdeux: out: something is wrong\n", 1.0)
    assert [f.category for f in fh.judge_check(case, unnamed)] == ["error_unnamed"]
    terse = fh.Run(2, "", "pasdeux: out/performance.json\n", 1.0)
    assert [f.category for f in fh.judge_check(case, terse)] == ["error_unexplained"]
    named = fh.Run(2, "", "pasdeux: out/performance.json: permission denied\n", 1.0)
    assert fh.judge_check(case, named) == []
    good = replace(case, target="good", damage="", must_refuse=False)
    assert [f.category for f in fh.judge_check(good, named)] == ["good_refused"]
    nan = fh.Run(0, '{"x": NaN}', "", 1.0)
    assert [f.category for f in fh.judge_run(replace(good, argv=("check", "out", "--json")), nan)]


def test_damages_change_what_they_say(seeds: fh.Seeds) -> None:
    rng = random.Random(SEED)
    for name in fh.CHECK_FILES:
        data = (seeds.output_template / name).read_bytes()
        kinds = ["frame_count"] if name.endswith(".bvh") else ["wrong_shape"]
        for how in ["truncate", "bitflip", *kinds]:
            new, detail, _ = fh.damage_file(data, name, how, rng)
            assert new != data, (name, how, detail)
    bvh = (seeds.output_template / "leader.bvh").read_bytes()
    assert fh.damage_file(bvh, "leader.bvh", "frame_count", rng)[2]  # a lie is refused


CHECK_SPECS = [
    ("missing", ""),
    ("file", ""),
    ("empty", ""),
    ("foreign", ""),
    ("foreign_clash", ""),
    ("dir_unreadable", ""),
    ("dir_loop", ""),
    ("good", ""),
    *[("damaged", f"performance.json:{how}") for how in fh.CHECK_DAMAGES if how != "frame_count"],
    *[("damaged", f"leader.bvh:{how}") for how in fh.CHECK_DAMAGES if how != "wrong_shape"],
    ("damaged", "routine.json:wrong_shape"),
    ("damaged", "routine.json:unreadable"),
]
"""Every target of ``pasdeux check`` and every damage, once."""


@pytest.mark.slow
def test_check_on_every_target_and_damage(seeds: fh.Seeds, runner: fh.Runner) -> None:
    outcomes = []
    for i, (target, damage) in enumerate(CHECK_SPECS):
        options = ("--json",) if i % 2 else ("-q",)
        outcomes.append(runner.run(fh.check_case(i, seeds, target, damage, options)))
    _assert_clean(outcomes)
    refused = [o.labels for o in outcomes if o.case.must_refuse]
    assert refused and all(labels == ["2"] for labels in refused), refused
    assert [o.labels for o in outcomes if o.case.target == "good"] == [["0"]]


@pytest.mark.slow
def test_random_check_cases(seeds: fh.Seeds, runner: fh.Runner) -> None:
    outcomes = [runner.run(fh.make_case(i, SEED, seeds, command="check")) for i in range(24)]
    _assert_clean(outcomes)
