"""Benchmark the browser viewer on a 4-minute song: page size, ready time, frame time.

One command: the public pipeline (:func:`pasdeux._run.run_dance`, as ``pasdeux dance``)
dances a four-minute song into a scratch folder, then Debian's chromium (headless, through
Playwright, as the tests start it) opens ``index.html`` from ``file://``:

* page size: the bytes of ``index.html``, and of its parts (the bundled script, the
  packed positions, the rest: payload, charts, CSS);
* ready time: from the start of navigation to the first frame drawn (the positions
  decoded, the 3D view, floor plan, timeline and learning panel drawn), read in the page
  (``window.pasdeuxViewer.readyMs``), over ``--loads`` fresh loads;
* frame time: ``performance.now()`` in the page around the viewer's update of one frame
  (``window.pasdeuxViewer.drawAt(t)``: both dancers posed, the 3D view rendered, the floor
  plan, the counts and the timeline drawn), over ``--frames`` frames at 60 per second of
  song, one frame per animation frame.

The song is ``long_a_rumba_song.wav`` of the corpus (``bench/corpus.py``) when it is
there, else a four-minute drum-and-bass song made here. The table goes into
``docs/benchmarks.md`` between ``<!-- viewer:start -->`` and ``<!-- viewer:end -->``;
targets are issue 12's (page < 4 MB, ready <= 2 s, frame <= 8 ms).

Usage::

    .venv/bin/python bench/viewer.py [--song PATH] [--frames N] [--loads N] [--json]
                                     [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import choreo
import corpus

REPO = choreo.REPO
DOC = choreo.DOC
MARK_START = "<!-- viewer:start -->"
MARK_END = "<!-- viewer:end -->"
SONG = corpus.DEFAULT_OUT / "long_a_rumba_song.wav"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--mute-audio",
]  # fmt: skip
TARGETS = {"page_mb": 4.0, "ready_s": 2.0, "frame_ms": 8.0}
FRAMES_JS = """async ([start, n]) => {
    const v = window.pasdeuxViewer;
    const times = [];
    for (let k = 0; k < n; k++) {
        await new Promise((r) => requestAnimationFrame(r));
        const a = performance.now();
        v.drawAt(start + k / 60);
        times.push(performance.now() - a);
    }
    return times;
}"""
RENDERER_JS = """() => {
    const gl = window.pasdeux3d && window.pasdeux3d.renderer.getContext();
    const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
    return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : (gl ? "WebGL" : "none");
}"""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def synth_song(path: Path, seconds: float = 240.0, bpm: float = 104.0, sr: int = 22050) -> Path:
    """A steady 4/4 song: kick on 1 and 3, snare on 2 and 4, eighth-note hats, a bass note
    on each bar from a four-chord loop."""
    rng = np.random.default_rng(0)
    n = int(seconds * sr)
    audio = np.zeros(n, dtype=np.float64)
    beat_s = 60.0 / bpm

    def hit(start: float, wave: np.ndarray) -> None:
        i = int(start * sr)
        audio[i : i + len(wave)] += wave[: max(0, n - i)]

    t = np.arange(int(0.25 * sr)) / sr
    kick = 0.9 * np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 12)
    snare = 0.4 * rng.standard_normal(len(t)) * np.exp(-t * 25)
    hat = 0.12 * rng.standard_normal(int(0.05 * sr)) * np.exp(-np.arange(int(0.05 * sr)) / 200)
    tb = np.arange(int(4 * beat_s * sr)) / sr
    for k in range(int(seconds / beat_s)):
        at = k * beat_s
        hit(at, kick if k % 2 == 0 else snare)
        hit(at, hat)
        hit(at + beat_s / 2, hat)
        if k % 4 == 0:
            f = 55.0 * 2 ** ([0, 5, 7, 3][(k // 4) % 4] / 12)
            hit(at, 0.25 * np.sin(2 * np.pi * f * tb) * np.exp(-tb * 0.8))
    import soundfile as sf

    sf.write(str(path), (audio / max(1.0, np.abs(audio).max())).astype(np.float32), sr)
    return path


def page_parts(index: Path) -> dict[str, int]:
    """Bytes of the page and of its parts: the script, the packed positions, the rest."""
    text = index.read_text(encoding="utf-8")
    data = re.search(
        r'<script id="pasdeux-data" type="application/json">(.*?)</script>', text, re.S
    )
    payload = json.loads(data.group(1)) if data else {}
    positions = sum(len(d["positions"]["data"]) for d in payload.get("dancers", []))
    charts = sum(len(v) for v in payload.get("charts", {}).values())
    script = len((REPO / "src/pasdeux/render/viewer.bundle.js").read_bytes())
    total = index.stat().st_size
    return {
        "page": total,
        "script": script,
        "positions": positions,
        "charts": charts,
        "rest": total - script - positions - charts,
        "frames": int(payload.get("n_frames", 0)),
        "fps": payload.get("fps", 0),
        "joints": len(payload.get("joints", [])),
    }


def frame_offsets_bytes(performance: Any) -> int:
    """The characters the positions took packed as before (per frame, joint 0 in int32 mm
    and every joint relative to it in int16 mm, each zlib-compressed at the page's level 1 and
    base64-encoded):
    the size to compare with."""
    import base64
    import zlib

    total = 0
    for dancer in performance.dancers:
        mm = np.rint(dancer.joint_positions(dtype=np.float64) * 1000.0)
        origin = mm[:, :1]
        for block in (origin.astype("<i4"), (mm - origin).astype("<i2")):
            total += len(base64.b64encode(zlib.compress(block.tobytes(), 1)))  # as the page
    return total


def measure_page(index: Path, loads: int, frames: int, start_s: float) -> dict[str, Any]:
    """Ready times over ``loads`` fresh loads, then ``frames`` frame times, in chromium."""
    from playwright.sync_api import sync_playwright

    ready_ms: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            for _ in range(loads):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.on("pageerror", lambda err: errors.append(str(err)))
                page.goto(index.as_uri())
                page.wait_for_function("window.pasdeuxViewer !== undefined", timeout=60_000)
                ready_ms.append(float(page.evaluate("window.pasdeuxViewer.readyMs")))
                page.close()
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(index.as_uri())
            page.wait_for_function("window.pasdeuxViewer !== undefined", timeout=60_000)
            renderer = page.evaluate(RENDERER_JS)
            times = page.evaluate(FRAMES_JS, [start_s, frames])
            version = browser.version
        finally:
            browser.close()
    return {
        "ready_ms": ready_ms,
        "frame_ms": times,
        "renderer": renderer,
        "chromium": version,
        "errors": errors,
    }


def machine() -> str:
    """The CPU model, the cores and the OS."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def summarise(parts: dict[str, int], run: dict[str, Any]) -> dict[str, Any]:
    """The numbers of the table: sizes in MB, ready time in s, frame time in ms."""
    frames = sorted(run["frame_ms"])
    p95 = frames[min(len(frames) - 1, int(0.95 * len(frames)))] if frames else float("nan")
    return {
        "page_mb": parts["page"] / 1e6,
        "script_mb": parts["script"] / 1e6,
        "positions_mb": parts["positions"] / 1e6,
        "charts_mb": parts["charts"] / 1e6,
        "rest_mb": parts["rest"] / 1e6,
        "before_mb": (parts["page"] - parts["positions"] + parts.get("positions_before", 0)) / 1e6
        if "positions_before" in parts
        else None,
        "ready_s": statistics.median(run["ready_ms"]) / 1000 if run["ready_ms"] else float("nan"),
        "ready_max_s": max(run["ready_ms"], default=float("nan")) / 1000,
        "loads": len(run["ready_ms"]),
        "frame_ms": statistics.fmean(frames) if frames else float("nan"),
        "frame_p95_ms": p95,
        "frame_max_ms": frames[-1] if frames else float("nan"),
        "frames": len(frames),
    }


def _verdict(value: float, target: float) -> str:
    return "✅" if value <= target else "❌"


def markdown(summary: dict[str, Any]) -> str:
    """The docs/benchmarks.md section (both markers included)."""
    s = summary["numbers"]
    p = summary["page"]
    lines = [
        MARK_START,
        "## Viewer (`bench/viewer.py`)",
        "",
        f"{summary['date']}, commit {summary['commit']}. Song: {summary['song']} "
        f"({p['frames'] / max(1.0, float(p['fps'])):.0f} s, {p['frames']} frames at "
        f"{p['fps']:g} fps, {p['joints']} joints per dancer), danced by `pasdeux dance` in "
        f"{summary['dance_s']:.0f} s. Machine: {summary['machine']}; chromium "
        f"{summary['chromium']} headless with `--disable-gpu` (WebGL: {summary['renderer']}).",
        "",
        "Ready: navigation start to the first frame drawn, in the page, median (max) of "
        f"{s['loads']} fresh loads. Frame: `performance.now()` around one frame's update "
        "(both dancers posed and rendered in 3D, the floor plan, counts, learning panel and "
        f"timeline drawn), {s['frames']} frames at 60 per second of song, one per animation "
        "frame; the GPU's share of the 3D drawing runs in another process and is not in it.",
        "",
        "| measure | value | target | |",
        "|---|---|---|---|",
        *(
            [
                "| for comparison, not a target: the page with the positions packed as before "
                f"(int16 offsets per frame) | {s['before_mb']:.2f} MB | – | |"
            ]
            if s.get("before_mb") is not None
            else []
        ),
        f"| page size | {s['page_mb']:.2f} MB (script {s['script_mb']:.2f}, positions "
        f"{s['positions_mb']:.2f}, footprint charts {s['charts_mb']:.2f}, the rest "
        f"{s['rest_mb']:.2f}) | < {TARGETS['page_mb']:g} MB | "
        f"{_verdict(s['page_mb'], TARGETS['page_mb'])} |",
        f"| ready | {s['ready_s']:.2f} s ({s['ready_max_s']:.2f} s) | <= {TARGETS['ready_s']:g} s"
        f" | {_verdict(s['ready_max_s'], TARGETS['ready_s'])} |",
        f"| frame update, mean | {s['frame_ms']:.2f} ms | <= {TARGETS['frame_ms']:g} ms | "
        f"{_verdict(s['frame_ms'], TARGETS['frame_ms'])} |",
        f"| frame update, 95th percentile (max) | {s['frame_p95_ms']:.2f} ms "
        f"({s['frame_max_ms']:.2f} ms) | <= {TARGETS['frame_ms']:g} ms | "
        f"{_verdict(s['frame_p95_ms'], TARGETS['frame_ms'])} |",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--song", type=Path, default=None, help="a song (default: see above)")
    parser.add_argument("--frames", type=int, default=600, help="frames timed (default 600)")
    parser.add_argument("--loads", type=int, default=5, help="page loads timed (default 5)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns 0 (1 when the page logged errors)."""
    args = _args(argv)
    from pasdeux._run import run_dance

    with tempfile.TemporaryDirectory(prefix="pasdeux_bench_viewer_") as tmp:
        song = args.song or (SONG if SONG.exists() else synth_song(Path(tmp) / "song.wav"))
        _say(f"dancing {song.name} ...")
        t0 = time.perf_counter()
        result = run_dance(song, Path(tmp) / "out")
        dance_s = time.perf_counter() - t0
        parts = page_parts(result.index_html)
        parts["positions_before"] = frame_offsets_bytes(result.performance)
        _say(f"page {parts['page'] / 1e6:.2f} MB; timing {args.loads} loads, {args.frames} frames")
        run = measure_page(result.index_html, args.loads, args.frames, start_s=30.0)
    summary = {
        "date": _dt.date.today().isoformat(),
        "commit": choreo._commit(),
        "machine": machine(),
        "chromium": run["chromium"],
        "renderer": run["renderer"],
        "song": song.name if args.song or SONG.exists() else "a made 4-minute drum song",
        "dance_s": dance_s,
        "page": parts,
        "numbers": summarise(parts, run),
        "errors": run["errors"],
    }
    block = markdown(summary)
    _say(block)
    if not args.no_write:
        choreo.write_doc(block, DOC, (MARK_START, MARK_END))
    if args.json:
        print(json.dumps(summary, indent=2))
    return 1 if run["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
