"""Benchmark the live stream (``pasdeux.music.stream``) against madmom's online beat tracker
and pasdeux's whole-song analysis, on the same streams, in one run.

Synthetic streams with known truth, made with the corpus generator (``bench/corpus.py``:
pretty_midi and fluidsynth) into ``bench/.corpus/stream/``:

* an abrupt tempo change, up and down by 20 %, 25 % or 30 %, at a bar line after 6, 8
  or 12 bars, for 24 band/tempo entries of :data:`TEMPO_BANDS` (pop, rumba, foxtrot,
  swing, cha cha, tango, waltz, salsa, merengue, jive, slow, bachata, quickstep, ska,
  Viennese waltz, polka, samba);
* a meter change 4/4 -> 3/4 and 3/4 -> 4/4 (a band in 4 and the waltz band) at a bar
  line after 6, 8 or 12 bars, for the 8 entries of :data:`METER_BANDS`.

The streams are split by their entry (:func:`_half`): the even entries of each list are
the tuning half (a small search of :class:`~pasdeux.music.stream.StreamParams` runs on
them only), the odd ones are held out; both directions of an entry are in the same half.
Every system hears each stream as blocks of 20 ms, fed as fast as possible.

Measures, after a warm-up of 5 s (``mir_eval``'s trimming): beat F and downbeat F
(``mir_eval.beat.f_measure``, 70 ms); re-lock latency after the change, in beats (tempo
changes) or bars (meter changes): the index of the first truth beat (bar line) after the
change from which the next 8 beats (4 bar lines) are all found within 70 ms with no
extra one among them (and, for bars, the meter reported right); 0 means never lost.
madmom's online tracker has no downbeats (madmom has no online downbeat model; its
downbeat networks are bidirectional), so its bar columns are empty.

The real recordings of ``../shared/music`` (their first 60 s) are heard online and
offline and the two compared (beat F and downbeat F of online against offline after
the warm-up); madmom online against pasdeux offline beside it. They are split in halves
too (in name order, the even ones tune): the search's objective adds the tuning half's
agreement (its downbeat F twice), so that what the synthetic streams favour does not cost
real music its beat or its bars.

Real-time factor: seconds of computing per second of audio, and its ratio to madmom
online's in the same run.

Usage::

    .venv/bin/python bench/stream.py [--quick] [--json] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import mir_eval
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import choreo as choreo_bench
import corpus
from pasdeux.music import listen, load_audio
from pasdeux.music.stream import BeatStream, StreamParams

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- stream:start -->", "<!-- stream:end -->"
OUT = corpus.DEFAULT_OUT / "stream"
MUSIC = REPO.parent / "shared" / "music"
BLOCK_S = 0.02
WARMUP_S = 5.0
WINDOW_S = 0.07
LOCK_BEATS = 8
LOCK_BARS = 4
REAL_S = 60.0

Array = npt.NDArray[np.float64]

#: (band, tempo, share, bars) of the tempo-change streams: each is played at ``tempo``
#: for ``bars`` bars, then at ``tempo * (1 + share)`` (up) or ``tempo * (1 - share)``
#: (down); tempos inside the band's style, both changed tempos within 55-215 BPM.
TEMPO_BANDS = (
    ("pop", 112.0, 0.25, 8),
    ("rumba", 100.0, 0.25, 8),
    ("foxtrot", 110.0, 0.25, 8),
    ("swing", 140.0, 0.25, 8),
    ("chacha", 120.0, 0.25, 8),
    ("tango", 124.0, 0.25, 8),
    ("waltz", 90.0, 0.25, 8),
    ("pop", 96.0, 0.25, 8),
    ("salsa", 100.0, 0.2, 6),
    ("merengue", 120.0, 0.25, 12),
    ("jive", 150.0, 0.3, 8),
    ("slow", 84.0, 0.2, 8),
    ("bachata", 124.0, 0.25, 12),
    ("quickstep", 160.0, 0.25, 6),
    ("ska", 120.0, 0.3, 8),
    ("chacha", 110.0, 0.2, 12),
    ("waltz", 100.0, 0.3, 6),
    ("viennese", 165.0, 0.2, 8),
    ("rumba", 110.0, 0.3, 12),
    ("tango", 120.0, 0.3, 6),
    ("pop", 128.0, 0.2, 8),
    ("swing", 120.0, 0.25, 12),
    ("polka", 120.0, 0.25, 8),
    ("samba", 100.0, 0.2, 6),
)

#: (band in 4, band in 3, tempo, bars) of the meter-change streams: ``bars`` bars of one
#: band, then 8 of the other (4/4 -> 3/4 and 3/4 -> 4/4), at one beat tempo.
METER_BANDS = (
    ("pop", "waltz", 96.0, 8),
    ("pop", "waltz", 108.0, 8),
    ("pop", "waltz", 120.0, 8),
    ("pop", "waltz", 132.0, 8),
    ("foxtrot", "waltz", 102.0, 8),
    ("slow", "waltz", 90.0, 6),
    ("rumba", "waltz", 114.0, 12),
    ("chacha", "waltz", 126.0, 8),
)

#: Beats played after a change at least (so that a re-lock of 8 beats can be seen).
AFTER_BEATS = 24


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _half(index: int) -> str:
    """The split rule: the even entries of :data:`TEMPO_BANDS` (:data:`METER_BANDS`) tune,
    the odd ones are held out (both directions of an entry in the same half)."""
    return "tuning" if index % 2 == 0 else "held_out"


def stream_pieces() -> list[tuple[str, corpus.Piece, str]]:
    """Every synthetic stream as (kind, piece, half): kind ``tempo`` or ``meter``; the
    half by :func:`_half` of its entry."""
    spec = corpus.SectionSpec
    out: list[tuple[str, corpus.Piece, str]] = []
    for i, (band, bpm, share, bars) in enumerate(TEMPO_BANDS):
        after = max(8, math.ceil(AFTER_BEATS / corpus.BANDS[band].meter))
        for factor, way in ((1.0 + share, "up"), (1.0 - share, "down")):
            name = f"stream_tempo_{way}_{band}_{bpm:g}"
            if (share, bars) != (0.25, 8):
                name += f"_{share * 100:g}pc_{bars}bars"
            secs = (spec(band, bars, bpm), spec(band, after, round(bpm * factor, 1)))
            piece = corpus.Piece(name, "stream", None, secs, tonic=i % 12)
            out.append(("tempo", piece, _half(i)))
    for i, (four, three, bpm, bars) in enumerate(METER_BANDS):
        for first, second, way in ((four, three, "4to3"), (three, four, "3to4")):
            name = f"stream_meter_{way}_{bpm:g}"
            if (four, three, bars) != ("pop", "waltz", 8):
                name += f"_{four}_{bars}bars"
            secs = (spec(first, bars, bpm), spec(second, 8, bpm))
            piece = corpus.Piece(name, "stream", None, secs, tonic=(i + 5) % 12)
            out.append(("meter", piece, _half(i)))
    return out


def make_streams(quick: bool, out: Path = OUT) -> list[dict[str, Any]]:
    """Render (or reuse) the streams into ``out``; each as {name, kind, half, path, truth}."""
    out.mkdir(parents=True, exist_ok=True)
    pieces = stream_pieces()
    if quick:
        pieces = pieces[:4] + pieces[-4:]
    streams = []
    for kind, piece, half in pieces:
        path = out / f"{piece.name}.wav"
        if not corpus.is_current(path):
            _say(f"rendering {piece.name}")
            corpus.make_piece(piece, out)
        truth = json.loads(corpus.truth_path(path).read_text(encoding="utf-8"))
        streams.append(
            {"name": piece.name, "kind": kind, "half": half, "path": path, "truth": truth}
        )
    return streams


# --------------------------------------------------------------------------- the systems


def blocks_of(y: npt.NDArray[np.float32], rate: int) -> list[npt.NDArray[np.float32]]:
    step = round(BLOCK_S * rate)
    return [y[a : a + step] for a in range(0, y.size, step)]


def run_pasdeux_online(
    y: npt.NDArray[np.float32], rate: int, params: StreamParams
) -> dict[str, Any]:
    """Beats, downbeats, meters and decision latency of the live stream, and its time."""
    t0 = time.process_time()
    stream = BeatStream(rate, params)
    events = [e for block in blocks_of(y, rate) for e in stream.feed(block)]
    cpu = time.process_time() - t0
    return {
        "beats": [e.time_s for e in events],
        "downbeats": [e.time_s for e in events if e.downbeat],
        "meters": [e.meter for e in events],
        "down": [e.downbeat for e in events],
        "latency_s": [e.decided_s - e.time_s for e in events],
        "cpu_s": cpu,
    }


def run_madmom_online(y: npt.NDArray[np.float32], rate: int) -> dict[str, Any]:
    """madmom's online beat tracker as its ``DBNBeatTracker online`` program runs it:
    ``RNNBeatProcessor(online=True)`` (the eight unidirectional LSTMs) and
    ``DBNBeatTrackingProcessor(online=True)`` (forward algorithm), frame by frame on
    frames that end on the current sample."""
    import onnxruntime
    from madmom.audio.signal import FramedSignal, Signal
    from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor

    onnxruntime.set_default_logger_severity(3)
    # new processors for each stream: the LSTM states and the spectral difference's
    # buffer start afresh (their loading is not timed)
    rnn = RNNBeatProcessor(online=True, origin="stream", num_frames=1, fps=100)
    dbn = DBNBeatTrackingProcessor(online=True, fps=100)
    dbn.reset()
    t0 = time.process_time()
    if rate != 44100:
        from scipy.signal import resample_poly

        g = math.gcd(rate, 44100)
        y = np.asarray(resample_poly(y, 44100 // g, rate // g), dtype=np.float32)
    frames = FramedSignal(
        Signal(y, sample_rate=44100), frame_size=2048, hop_size=441, fps=100,
        origin="online", num_frames=None,
    )  # fmt: skip
    beats: list[float] = []
    for frame in frames:
        act = np.asarray(rnn.process(frame, reset=False), dtype=float).reshape(-1)
        beats.extend(float(b) for b in dbn.process_online(act, reset=False))
    cpu = time.process_time() - t0
    return {"beats": beats, "downbeats": None, "meters": None, "cpu_s": cpu}


def run_pasdeux_offline(path: Path) -> dict[str, Any]:
    """The whole-song analysis (``pasdeux.music.listen``)."""
    t0 = time.process_time()
    music = listen(path)
    cpu = time.process_time() - t0
    meters = [b.meter for b in music.bars for _ in range(b.meter)] if music.bars else []
    return {
        "beats": list(music.beats),
        "downbeats": list(music.downbeats),
        "bars": [(b.start, b.meter) for b in music.bars],
        "meters": meters,
        "cpu_s": cpu,
    }


# --------------------------------------------------------------------------- measures


def f_after_warmup(ref: Sequence[float], est: Sequence[float] | None) -> float | None:
    """mir_eval's beat F (70 ms) after the first 5 s."""
    if est is None:
        return None
    r = mir_eval.beat.trim_beats(np.asarray(ref, dtype=float), WARMUP_S)
    e = mir_eval.beat.trim_beats(np.asarray(sorted(est), dtype=float), WARMUP_S)
    return float(mir_eval.beat.f_measure(r, e, f_measure_threshold=WINDOW_S))


def relock(
    truth: Sequence[float], est: Sequence[float] | None, change_s: float, span: int
) -> float | None:
    """Truth events after ``change_s`` before the estimate locks: the first index ``j``
    from which the next ``span`` truth events each have an estimate within 70 ms and no
    other estimate lies among them (``inf`` if never; ``None`` without estimates)."""
    if est is None:
        return None
    t = np.asarray([x for x in truth if x >= change_s - WINDOW_S], dtype=float)
    e = np.asarray(sorted(est), dtype=float)
    for j in range(0, max(0, t.size - span) + 1):
        window = t[j : j + span]
        if window.size < min(span, t.size):
            break
        lo, hi = window[0] - WINDOW_S, window[-1] + WINDOW_S
        inside = e[(e >= lo) & (e <= hi)]
        hits = [bool(np.any(np.abs(inside - x) <= WINDOW_S)) for x in window]
        if all(hits) and inside.size == window.size:
            return float(j)
    return math.inf


def change_of(truth: dict[str, Any]) -> float:
    """When the stream's second section starts (seconds)."""
    return float(truth["sections"][1]["start"])


def score_stream(stream: dict[str, Any], runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The measures of every system on one stream."""
    truth = stream["truth"]
    change = change_of(truth)
    out: dict[str, Any] = {"name": stream["name"], "kind": stream["kind"], "half": stream["half"]}
    for system, run in runs.items():
        downbeats = run["downbeats"]
        row: dict[str, Any] = {
            "beat_f": f_after_warmup(truth["beats"], run["beats"]),
            "downbeat_f": f_after_warmup(truth["downbeats"], downbeats),
            "relock_beats": relock(truth["beats"], run["beats"], change, LOCK_BEATS),
            "relock_bars": None,
        }
        if stream["kind"] == "meter" and downbeats is not None:
            right = _downbeats_with_meter(run, truth["sections"][1]["meter"], change)
            row["relock_bars"] = relock(truth["downbeats"], right, change, LOCK_BARS)
        out[system] = row
    return out


def _downbeats_with_meter(run: dict[str, Any], meter: int, change: float) -> list[float]:
    """The downbeats after the change whose bar has the new section's meter (and every
    downbeat before it): a bar line with the wrong meter is not locked."""
    if "bars" in run:
        return [s for s, m in run["bars"] if s < change - WINDOW_S or m == meter]
    return [
        t
        for t, m, down in zip(run["beats"], run["meters"], run["down"])
        if down and (t < change - WINDOW_S or m == meter)
    ]


# --------------------------------------------------------------------------- runs


def run_all(
    streams: Sequence[dict[str, Any]], params: StreamParams, peers: bool
) -> list[dict[str, Any]]:
    """Every system on every stream (only pasdeux online without ``peers``)."""
    rows = []
    for s in streams:
        y, rate = load_audio(s["path"])
        runs = {"pasdeux_online": run_pasdeux_online(y, rate, params)}
        if peers:
            runs["madmom_online"] = run_madmom_online(y, rate)
            runs["pasdeux_offline"] = run_pasdeux_offline(s["path"])
        row = score_stream(s, runs)
        row["audio_s"] = y.size / rate
        row["cpu_s"] = {k: r["cpu_s"] for k, r in runs.items()}
        row["latency_s"] = float(np.median(runs["pasdeux_online"]["latency_s"] or [math.nan]))
        rows.append(row)
        _say(f"{s['name']}: " + ", ".join(f"{k} {_brief(row[k])}" for k in runs))
    return rows


def _brief(r: dict[str, Any]) -> str:
    return "/".join(
        "-" if v is None else f"{v:.2f}"
        for v in (r["beat_f"], r["downbeat_f"], r["relock_beats"], r["relock_bars"])
    )


def objective(rows: Sequence[dict[str, Any]]) -> float:
    """What the tuning maximises: mean beat F + mean downbeat F, less 0.05 a beat and 0.1 a
    bar of re-lock latency (capped at 8)."""
    sys_rows = [r["pasdeux_online"] for r in rows]
    score = float(np.mean([r["beat_f"] for r in sys_rows]))
    score += float(np.mean([r["downbeat_f"] for r in sys_rows]))
    beats = [min(8.0, r["relock_beats"]) for r in sys_rows]
    bars = [min(8.0, r["relock_bars"]) for r in sys_rows if r["relock_bars"] is not None]
    return score - 0.05 * float(np.mean(beats)) - 0.1 * float(np.mean(bars) if bars else 0.0)


#: The search on the tuning half: one tunable at a time, in this order, each over these values.
SEARCH: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("onset_weight", (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)),
    ("tempo_jump_prob", (0.01, 0.03, 0.1, 0.3)),
    ("jump_octave_decay", (0.0, 2.0, 4.0)),
    ("challenger_jump_prob", (0.05, 0.1, 0.2)),
    ("peak_power", (1.0, 2.0, 3.0)),
    ("lost_ratio", (0.3, 0.4, 0.5)),
    ("confirm_ratio", (0.2, 0.3, 0.5)),
    ("differ_share", (0.2, 0.3)),
    ("jump_ratio_max", (1.6, 4.0)),
    ("octave_ratio", (0.0, 0.3, 0.4, 0.5)),
    ("observation_lambda", (8, 16, 24)),
    ("decision_delay_s", (0.03, 0.05, 0.08)),
    ("bar_jump_prob", (0.02, 0.05, 0.1, 0.2)),
    ("change_beats", (1, 2, 3)),
    ("change_gain", (0.5, 1.0, 2.0)),
    ("accent_gain", (0.5, 1.0, 2.0)),
    ("meter_gain", (0.0, 0.5, 0.75, 1.0)),
)


def tune(
    streams: Sequence[dict[str, Any]], recordings: Sequence[dict[str, Any]], quick: bool
) -> tuple[StreamParams, list[Any]]:
    """Coordinate search of :data:`SEARCH` on ``streams`` and ``recordings`` (the tuning
    halves): :func:`objective` on the streams plus the mean online-against-offline beat F
    and downbeat F on the recordings (so that what the synthetic streams favour does not
    cost real music its beat)."""
    params = StreamParams()
    log: list[Any] = []
    if quick:
        return params, log

    def score_of(trial: StreamParams) -> float:
        score = objective(run_all(streams, trial, peers=False))
        rows = [agreement(r, trial) for r in recordings]
        if rows:
            score += float(np.mean([r["online_vs_offline_beat_f"] for r in rows]))
            score += 2.0 * float(np.mean([r["online_vs_offline_downbeat_f"] for r in rows]))
        return score

    best = score_of(params)
    log.append({"params": asdict(params), "objective": best})
    for name, values in SEARCH:
        for value in values:
            if getattr(params, name) == value:
                continue
            trial = replace(params, **{name: value})
            score = score_of(trial)
            log.append({name: value, "objective": score})
            _say(f"tune {name}={value}: {score:.4f} (best {best:.4f})")
            if score > best + 1e-9:
                best, params = score, trial
    return params, log


def load_recordings(limit_s: float) -> list[dict[str, Any]]:
    """The first ``limit_s`` seconds of each recording of ``../shared/music`` with the
    whole-song analysis of them; in name order, the even ones the tuning half."""
    if not MUSIC.is_dir():
        return []
    import tempfile

    import soundfile as sf

    recordings = []
    for index, path in enumerate(sorted(MUSIC.glob("*.ogg"))):
        y, rate = load_audio(path)
        y = y[: int(limit_s * rate)]
        with tempfile.TemporaryDirectory(prefix="pasdeux_stream_") as tmp:
            cut = Path(tmp) / "cut.wav"
            sf.write(str(cut), y, rate, subtype="FLOAT")
            offline = run_pasdeux_offline(cut)
        half = "tuning" if index % 2 == 0 else "held_out"
        recordings.append(
            {"name": path.stem, "half": half, "y": y, "rate": rate, "offline": offline}
        )
    return recordings


def agreement(rec: dict[str, Any], params: StreamParams) -> dict[str, Any]:
    """pasdeux online against pasdeux offline on one recording."""
    offline = rec["offline"]
    online = run_pasdeux_online(rec["y"], rec["rate"], params)
    return {
        "name": rec["name"],
        "half": rec["half"],
        "audio_s": rec["y"].size / rec["rate"],
        "online_vs_offline_beat_f": f_after_warmup(offline["beats"], online["beats"]) or 0.0,
        "online_vs_offline_downbeat_f": f_after_warmup(offline["downbeats"], online["downbeats"])
        or 0.0,
        "cpu_s": {"pasdeux_online": online["cpu_s"], "pasdeux_offline": offline["cpu_s"]},
        "latency_s": float(np.median(online["latency_s"] or [math.nan])),
    }


def real_recordings(
    recordings: Sequence[dict[str, Any]], params: StreamParams
) -> list[dict[str, Any]]:
    """Online against offline on each recording, madmom online against offline beside it."""
    rows = []
    for rec in recordings:
        row = agreement(rec, params)
        madmom = run_madmom_online(rec["y"], rec["rate"])
        row["madmom_vs_offline_beat_f"] = f_after_warmup(rec["offline"]["beats"], madmom["beats"])
        row["cpu_s"]["madmom_online"] = madmom["cpu_s"]
        rows.append(row)
        _say(
            f"{rec['name']}: online/offline beat F {row['online_vs_offline_beat_f']:.3f}, "
            f"downbeat F {row['online_vs_offline_downbeat_f']:.3f}, madmom/offline beat F "
            f"{row['madmom_vs_offline_beat_f']:.3f}"
        )
    return rows


# --------------------------------------------------------------------------- the table


def _summary(rows: Sequence[dict[str, Any]], system: str) -> dict[str, Any]:
    r = [row[system] for row in rows]

    def stat(key: str, kinds: tuple[str, ...]) -> list[float]:
        return [x[key] for x, row in zip(r, rows) if row["kind"] in kinds and x[key] is not None]

    def med_worst(v: list[float]) -> tuple[float | None, float | None, float | None]:
        if not v:
            return None, None, None
        return float(np.median(v)), float(np.max(v)), float(np.mean([x <= 2 for x in v]))

    beats = stat("relock_beats", ("tempo",))
    bars = stat("relock_bars", ("meter",))
    bf, dbf = stat("beat_f", ("tempo", "meter")), stat("downbeat_f", ("tempo", "meter"))
    return {
        "beat_f": float(np.mean(bf)) if bf else None,
        "downbeat_f": float(np.mean(dbf)) if dbf else None,
        "relock_beats": med_worst(beats),
        "relock_bars": med_worst(bars),
        "cpu_s": float(sum(row["cpu_s"][system] for row in rows)),
        "audio_s": float(sum(row["audio_s"] for row in rows)),
    }


def _n(v: float | None, fmt: str = ".3f") -> str:
    if v is None:
        return "-"
    if math.isinf(v):
        return "never"
    return format(v, fmt)


def table(result: dict[str, Any]) -> str:
    """The docs/benchmarks.md section (markers included)."""
    params = result["params"]
    systems = ("pasdeux_online", "madmom_online", "pasdeux_offline")
    names = {"pasdeux_online": "pasdeux online", "madmom_online": "madmom online",
             "pasdeux_offline": "pasdeux offline"}  # fmt: skip
    lines = [
        MARK_START,
        "## Music as it plays: `bench/stream.py`" + (" (quick)" if result["quick"] else ""),
        "",
        "The live stream (`pasdeux.music.stream`: madmom's unidirectional beat LSTMs on a",
        "causal spectrum, forward filtering with tempo jumps, and a challenger filter on the",
        "onset peaks that takes over when the incumbent's beat is not heard and the last",
        "onsets confirm the challenger's grid; a bar HMM on the low band, the harmonic",
        "change and the accents' correlation a bar later) against madmom's online beat tracker "
        "(`RNNBeatProcessor(online="
        "True)` + `DBNBeatTrackingProcessor(online=True)`, frame by frame) and pasdeux's",
        "whole-song analysis (`listen`, which hears the future), on the same streams in one",
        f"run, fed in {BLOCK_S * 1000:.0f} ms blocks. Synthetic streams from the corpus "
        "generator: an abrupt tempo change (up and down by 20-30 %) after 6-12 bars for "
        f"{len(TEMPO_BANDS)} band/tempo entries, and a meter change 4/4 -> 3/4 and 3/4 -> 4/4 "
        f"after 6-12 bars for {len(METER_BANDS)} band/tempo entries; the even entries tune "
        "(both directions), the odd ones are held out.",
        f"F after a {WARMUP_S:.0f} s warm-up ({WINDOW_S * 1000:.0f} ms). Re-lock: truth beats "
        f"(bar lines) after the change before the next {LOCK_BEATS} beats ({LOCK_BARS} bars, "
        "with the right meter) are all found with nothing extra; median / worst / share within "
        "2. Targets: 2 beats, 2 bars. madmom has no online downbeat tracker (its downbeat "
        "networks are bidirectional), hence the dashes.",
        (
            "Tuned on the tuning half: "
            if result["tuned"]
            else "The defaults (chosen on the tuning half; the search was not run): "
        )
        + ", ".join(f"`{k}={params[k]}`" for k, _ in SEARCH),
        "",
        "| half | system | beat F | downbeat F | re-lock after tempo change (beats) "
        "| re-lock after meter change (bars) | CPU s / audio s | vs madmom online |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for half in ("tuning", "held_out"):
        rows = [r for r in result["streams"] if r["half"] == half]
        if not rows:
            continue
        mm = _summary(rows, "madmom_online")
        mm_rtf = mm["cpu_s"] / mm["audio_s"]
        for system in systems:
            s = _summary(rows, system)
            rtf = s["cpu_s"] / s["audio_s"]
            b, m = s["relock_beats"], s["relock_bars"]
            lines.append(
                f"| {half.replace('_', '-')} ({len(rows)}) | {names[system]} | {_n(s['beat_f'])} "
                f"| {_n(s['downbeat_f'])} | {_n(b[0], '.0f')} / {_n(b[1], '.0f')} / "
                f"{_n(b[2], '.0%')} | {_n(m[0], '.0f')} / {_n(m[1], '.0f')} / {_n(m[2], '.0%')} "
                f"| {rtf:.3f} | {rtf / mm_rtf:.2f} |"
            )
    lat = [r["latency_s"] for r in result["streams"]]
    lines += [
        "",
        f"pasdeux online decides a beat a median {1000 * float(np.median(lat)):.0f} ms after it "
        "falls (the decision delay plus the rest of the block); madmom online reports a beat at "
        "the frame its forward path enters the beat.",
        "",
        "Per stream (held-out half), beat F / downbeat F / re-lock beats / re-lock bars:",
        "",
        "| stream | pasdeux online | madmom online | pasdeux offline |",
        "|---|---|---|---|",
    ]
    for r in result["streams"]:
        if r["half"] == "held_out":
            lines.append(f"| {r['name']} | " + " | ".join(_brief(r[s]) for s in systems) + " |")
    lines += real_table(result["real"])
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def real_table(real: Sequence[dict[str, Any]]) -> list[str]:
    """The lines of the recordings' table (none without recordings)."""
    if not real:
        return []
    systems = ("pasdeux_online", "madmom_online", "pasdeux_offline")
    names = {"pasdeux_online": "pasdeux online", "madmom_online": "madmom online",
             "pasdeux_offline": "pasdeux offline"}  # fmt: skip
    lines: list[str] = []
    cpu = {k: sum(r["cpu_s"][k] for r in real) for k in systems}
    audio = sum(r["audio_s"] for r in real)
    lines += [
        "",
        f"Real recordings (`../shared/music`, the first {REAL_S:.0f} s of each; in name "
        "order, the even ones tune with the synthetic tuning half, the odd ones are held "
        "out): online against offline after the warm-up, madmom online against pasdeux "
        "offline beside it. CPU s / audio s: "
        + ", ".join(f"{names[k]} {cpu[k] / audio:.3f}" for k in systems)
        + f" (pasdeux online {cpu['pasdeux_online'] / cpu['madmom_online']:.2f} x madmom "
        "online).",
        "",
        "| recording | half | online vs offline beat F | online vs offline downbeat F "
        "| madmom online vs offline beat F |",
        "|---|---|---:|---:|---:|",
    ]
    for r in real:
        lines.append(
            f"| {r['name'][:40]} | {r['half'].replace('_', '-')} "
            f"| {_n(r['online_vs_offline_beat_f'])} "
            f"| {_n(r['online_vs_offline_downbeat_f'])} "
            f"| {_n(r['madmom_vs_offline_beat_f'])} |"
        )
    for half in ("tuning", "held_out"):
        part = [r for r in real if r["half"] == half]
        lines.append(
            f"| mean | {half.replace('_', '-')} "
            f"| {_n(_mean(part, 'online_vs_offline_beat_f'))} "
            f"| {_n(_mean(part, 'online_vs_offline_downbeat_f'))} "
            f"| {_n(_mean(part, 'madmom_vs_offline_beat_f'))} |"
        )
    return lines


def _mean(rows: Sequence[dict[str, Any]], key: str) -> float | None:
    v = [r[key] for r in rows if r[key] is not None]
    return float(np.mean(v)) if v else None


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items() if k not in ("path", "truth", "y")}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    return x


def main(argv: list[str] | None = None, log: Callable[[str], None] = _say) -> int:
    """Run the benchmark (see the module's description)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 streams, no tuning, no recordings")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument(
        "--no-tune", action="store_true", help="skip the search: StreamParams' defaults"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help=f"where the streams are rendered (default {OUT})"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    streams = make_streams(args.quick, args.out)
    tuning = [s for s in streams if s["half"] == "tuning"]
    recordings = [] if args.quick else load_recordings(REAL_S)
    skip = args.quick or args.no_tune
    params, search = tune(tuning, [r for r in recordings if r["half"] == "tuning"], skip)
    log(f"tuned: {params}")
    rows = run_all(streams, params, peers=True)
    real = real_recordings(recordings, params)
    result = {
        "quick": args.quick,
        "tuned": not skip,
        "params": asdict(params),
        "search": search,
        "streams": rows,
        "real": real,
    }
    block = table(result)
    log(block)
    if not args.no_write:
        choreo_bench.write_doc(block, DOC, (MARK_START, MARK_END))
    if args.json:
        print(json.dumps(_jsonable(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
