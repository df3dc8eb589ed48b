"""Browser test of the self-contained viewer page, driven through Debian chromium."""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import math
import os
import re
import zlib
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
import soundfile as sf

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.render._viewer import _page_pieces, render_viewer_html, write_viewer

FPS = 60
DURATION_S = 6.0
N_FRAMES = int(DURATION_S * FPS)
RADIUS_M = 1.0
BEAT_S = 0.5
TITLE = "Test </script> Song & <Friends>"

# The rig's Mixamo names (``pasdeux.motion.JOINTS``), fewer joints (no clavicles, hands or
# end sites): the viewer finds the joints it draws by name.
JOINTS = [
    "Hips", "Spine", "Spine2", "Neck", "Head",
    "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToeBase",
    "RightUpLeg", "RightLeg", "RightFoot", "RightToeBase",
    "LeftArm", "LeftForeArm", "LeftHand",
    "RightArm", "RightForeArm", "RightHand",
]  # fmt: skip
PARENTS = [-1, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 2, 13, 14, 2, 16, 17]
# Rest pose in the dancer's own frame: x to the dancer's right, y forward, z up (metres).
REST = np.array(
    [
        [0.0, 0.0, 0.95], [0.0, 0.0, 1.10], [0.0, 0.0, 1.30], [0.0, 0.0, 1.50], [0.0, 0.0, 1.65],
        [-0.10, 0.0, 0.92], [-0.10, 0.02, 0.50], [-0.10, 0.0, 0.08], [-0.10, 0.16, 0.02],
        [0.10, 0.0, 0.92], [0.10, 0.02, 0.50], [0.10, 0.0, 0.08], [0.10, 0.16, 0.02],
        [-0.19, 0.0, 1.45], [-0.24, 0.08, 1.18], [-0.20, 0.30, 1.08],
        [0.19, 0.0, 1.45], [0.24, 0.08, 1.18], [0.20, 0.30, 1.08],
    ]
)  # fmt: skip


def _dancer_positions(phase: float) -> list[float]:
    """Dancer circling the floor centre at RADIUS_M, facing the centre, stepping in place.

    Parameters
    ----------
    phase : float
        Angle offset in radians (0 for the leader, pi for the follower).

    Returns
    -------
    list[float]
        Flat frame-major positions rounded to millimetres.
    """
    t = np.arange(N_FRAMES) / FPS
    theta = 2.0 * np.pi * t / DURATION_S + phase
    psi = theta + np.pi / 2.0  # rotates local +y onto the direction towards the centre
    cos_p, sin_p = np.cos(psi)[:, None], np.sin(psi)[:, None]
    local = np.broadcast_to(REST, (N_FRAMES, *REST.shape)).copy()
    step = 2.0 * np.pi * t / (2.0 * BEAT_S)
    for side, offset in (
        (("LeftFoot", "LeftToeBase"), 0.0),
        (("RightFoot", "RightToeBase"), np.pi),
    ):
        lift = 0.08 * np.maximum(0.0, np.sin(step + offset))
        for name in side:
            local[:, JOINTS.index(name), 2] += lift
    world = np.empty_like(local)
    world[..., 0] = (
        cos_p * local[..., 0] - sin_p * local[..., 1] + RADIUS_M * np.cos(theta)[:, None]
    )
    world[..., 1] = (
        sin_p * local[..., 0] + cos_p * local[..., 1] + RADIUS_M * np.sin(theta)[:, None]
    )
    world[..., 2] = local[..., 2]
    return [float(v) for v in np.round(world, 3).ravel()]


def _payload() -> dict[str, object]:
    """Synthetic 6 s payload with known answers.

    Returns
    -------
    dict[str, object]
        Viewer payload (schema 2).
    """
    beats = [round(i * BEAT_S, 3) for i in range(int(DURATION_S / BEAT_S))]
    return {
        "schema": 2,
        "title": TITLE,
        "audio": "song.wav",
        "fps": FPS,
        "n_frames": N_FRAMES,
        "joints": JOINTS,
        "parents": PARENTS,
        "dancers": [
            {"role": "leader", "color": "#2b6cb0", "positions": _dancer_positions(0.0)},
            {"role": "follower", "color": "#c53030", "positions": _dancer_positions(math.pi)},
        ],
        "beats": beats,
        "beat_in_bar": [i % 4 + 1 for i in range(len(beats))],
        "bar_of_beat": [i // 4 + 1 for i in range(len(beats))],
        "figures": [
            {
                "start_s": a,
                "end_s": a + 2.0,
                "name": name,
                "dance": "Slow Dance",
                "counts": "1 2 3 4",
            }
            for a, name in ((0.0, "Box Step"), (2.0, "Underarm </b> Turn"), (4.0, "Side Sway"))
        ],
        # the section's suggested dance differs from the one danced: the figures' wins
        "sections": [{"start_s": 0.0, "end_s": 6.0, "meter": 4, "dance": "Rumba"}],
        "floor": {"width_m": 10.0, "depth_m": 8.0},
    }


def _write_clicks(path: Path, beats: list[float], sr: int = 22050) -> None:
    """Write a mono WAV of DURATION_S seconds with a short click on every beat.

    Parameters
    ----------
    path : Path
        Output file.
    beats : list[float]
        Click times in seconds.
    sr : int
        Sample rate in Hz.
    """
    audio = np.zeros(int(DURATION_S * sr), dtype=np.float32)
    n_click = int(0.03 * sr)
    env = np.exp(-np.arange(n_click) / (0.006 * sr))
    for i, b in enumerate(beats):
        freq = 1500.0 if i % 4 == 0 else 1000.0
        start = int(b * sr)
        seg = 0.5 * env * np.sin(2.0 * np.pi * freq * np.arange(n_click) / sr)
        audio[start : start + n_click] += seg[: len(audio) - start].astype(np.float32)
    sf.write(str(path), audio, sr, subtype="PCM_16")


def _expected(
    payload: dict[str, object], t: float
) -> tuple[int | None, int, str]:  # count, frame, figure
    """Known answers at time `t`.

    Parameters
    ----------
    payload : dict[str, object]
        The synthetic payload.
    t : float
        Audio time in seconds.

    Returns
    -------
    tuple[int | None, int, str]
        Beat-in-bar of the latest beat <= t, frame index, active figure name.
    """
    beats = cast("list[float]", payload["beats"])
    beat_in_bar = cast("list[int]", payload["beat_in_bar"])
    figures = cast("list[dict[str, Any]]", payload["figures"])
    i = bisect.bisect_right(beats, t) - 1
    count = beat_in_bar[i] if i >= 0 else None
    frame = min(N_FRAMES - 1, math.floor(t * FPS))
    figure = next((f["name"] for f in figures if f["start_s"] <= t < f["end_s"]), "")
    return count, frame, figure


def _unpack_positions(packed: dict[str, str], n_joints: int) -> list[float]:
    """Decode a dancer's packed positions: per joint its x, y, z series in mm as second
    differences, zig-zag mapped variable-length integers, zlib-compressed and
    base64-encoded.

    Parameters
    ----------
    packed : dict[str, str]
        The page's ``positions`` object.
    n_joints : int
        Joints per frame.

    Returns
    -------
    list[float]
        Flat frame-major positions in metres.
    """
    assert packed["unit"] == "mm" and packed["encoding"] == "mm-d2-varint+zlib+base64"
    raw = zlib.decompress(base64.b64decode(packed["data"]))
    values: list[int] = []
    number, shift = 0, 0
    for byte in raw:
        number |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append((number >> 1) ^ -(number & 1))
            number, shift = 0, 0
    second = np.array(values, dtype=np.int64).reshape(n_joints, 3, -1)
    mm = np.cumsum(np.cumsum(second, axis=2), axis=2)  # (joint, xyz, frame)
    return [float(v) for v in (mm.transpose(2, 0, 1) / 1000.0).ravel()]


def test_write_viewer_embeds_payload_safely(tmp_path: Path) -> None:
    """The page embeds the payload as escaped JSON whose packed positions decode exactly."""
    payload = _payload()
    # numpy arrays (float32 too, of shape (n_frames, n_joints, 3)) are accepted.
    dancers = cast("list[dict[str, object]]", payload["dancers"])
    dancers[1]["positions"] = np.asarray(dancers[1]["positions"])
    dancers[0]["positions"] = np.asarray(dancers[0]["positions"], np.float32).reshape(-1, 19, 3)
    out = tmp_path / "site" / "index.html"
    write_viewer(out, payload)
    text = out.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["index.html"]  # no temp file left
    m = re.search(
        r'<script id="pasdeux-data" type="application/json">(.*?)</script>', text, re.DOTALL
    )
    assert m is not None
    assert "</" not in m.group(1)
    assert text.lower().count("</script") == 2  # the data's and the bundled viewer's
    data = json.loads(m.group(1))
    assert data["title"] == TITLE
    assert data["schema"] == 2
    assert _unpack_positions(data["dancers"][1]["positions"], len(JOINTS)) == _dancer_positions(
        math.pi
    )
    assert _unpack_positions(data["dancers"][0]["positions"], len(JOINTS)) == _dancer_positions(0.0)
    assert text == render_viewer_html(payload)
    assert data["figures"][1]["name"] == "Underarm </b> Turn"
    assert "/*@PASDEUX_" not in text
    assert '<audio id="audio" src="song.wav" preload="auto">' in text
    assert "<title>Test &lt;/script&gt; Song &amp; &lt;Friends&gt;</title>" in text
    # The page names no address to fetch. The one URI in it is the XHTML namespace (in
    # three.js's createElementNS), a name that is never fetched.
    without_namespaces = text.replace("http://www.w3.org/1999/xhtml", "")
    assert not re.search(r"https?://", without_namespaces), (
        "the page must not reference the network"
    )

    bad = dict(payload, n_frames=N_FRAMES + 1)
    with pytest.raises(ValueError, match="position values"):
        write_viewer(tmp_path / "bad.html", bad)
    assert not (tmp_path / "bad.html").exists()
    nan = np.array(_dancer_positions(0.0))
    nan[-1] = np.nan
    bad = dict(payload, dancers=[{"role": "leader", "color": "#000000", "positions": nan}])
    with pytest.raises(ValueError, match="NaN or infinite"):
        write_viewer(tmp_path / "bad.html", bad)
    assert list(tmp_path.glob("*bad.html*")) == []


def test_the_page_is_written_in_pieces() -> None:
    """Neither the page nor a dancer's positions are ever one string: ten minutes of
    (incompressible) motion come in pieces of a block of frames at most."""
    n_frames = 10 * 60 * FPS
    rng = np.random.default_rng(0)
    positions = rng.uniform(-1.0, 1.0, (n_frames, len(JOINTS), 3)).astype(np.float32)
    payload = dict(_payload(), n_frames=n_frames)
    payload["dancers"] = [{"role": "leader", "color": "#000000", "positions": positions}]
    sizes = [len(piece) for piece in _page_pieces(payload)]
    assert sum(sizes) > 4_000_000
    assert max(sizes) < 1_000_000


@pytest.mark.browser
def test_viewer_plays_in_sync_with_audio(tmp_path: Path) -> None:
    """Play the page in chromium: the audio clock drives frame, drawing and count display."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import ConsoleMessage, Error, Request, sync_playwright

    payload = _payload()
    beats = cast("list[float]", payload["beats"])
    _write_clicks(tmp_path / "song.wav", beats)
    index = tmp_path / "index.html"
    write_viewer(index, payload)

    console_errors: list[str] = []
    requests: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            console_errors.append(msg.text)

    def on_page_error(err: Error) -> None:
        console_errors.append(f"uncaught: {err}")

    def on_request(req: Request) -> None:
        requests.append(req.url)

    sample_js = """() => {
        const a = document.getElementById('audio');
        const s = window.pasdeuxState;
        return {
            audioTime: a.currentTime,
            paused: a.paused,
            state: JSON.parse(JSON.stringify(s)),
            countText: document.getElementById('count').textContent,
            barText: document.getElementById('bar').textContent,
            figureText: document.getElementById('figure').textContent,
            danceText: document.getElementById('dance').textContent,
        };
    }"""

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("request", on_request)
            page.goto(index.as_uri())
            assert page.title() == TITLE
            page.wait_for_function("window.pasdeuxState !== undefined")
            page.wait_for_function("document.getElementById('audio').readyState >= 1")
            probes = [(i, f, j) for i in (0, 1) for f in (0, 1, 179, 359) for j in (0, 7, 18)]
            decoded = page.evaluate(
                "probes => probes.map(([i, f, j]) => window.pasdeuxJoint(i, f, j))", probes
            )

            page.click("#play")
            samples: list[dict[str, Any]] = []
            for target in (0.4, 0.9, 1.4, 1.9, 2.4):
                page.wait_for_function(
                    "t => document.getElementById('audio').currentTime >= t"
                    " && window.pasdeuxState.time >= t",
                    arg=target,
                )
                samples.append(page.evaluate(sample_js))
            if shot := os.environ.get("PASDEUX_VIEWER_SCREENSHOT"):
                page.screenshot(path=shot)  # optional: look at the page mid-play

            # Pause with the keyboard; time must stop, and the drawn state follow it.
            page.keyboard.press("Space")
            page.wait_for_function("document.getElementById('audio').paused")
            page.wait_for_function(
                "window.pasdeuxState.time === document.getElementById('audio').currentTime"
            )
            paused_a = page.evaluate(sample_js)
            page.wait_for_timeout(400)
            paused_b = page.evaluate(sample_js)
        finally:
            browser.close()

    # (0) the page decodes its packed positions to the payload's millimetre values.
    flat = [_dancer_positions(0.0), _dancer_positions(math.pi)]
    for (i, f, j), xyz in zip(probes, decoded, strict=True):
        k = (f * len(JOINTS) + j) * 3
        assert xyz == [float(np.float32(v)) for v in flat[i][k : k + 3]], (i, f, j)

    # (a) the audio clock advances while playing.
    audio_times = [s["audioTime"] for s in samples]
    assert all(b > a for a, b in itertools.pairwise(audio_times)), audio_times
    assert audio_times[-1] >= 1.9

    for s in samples:
        state = s["state"]
        t = state["time"]
        count, frame, figure = _expected(payload, t)
        # (c) count display = beat-in-bar of the latest beat <= state.time.
        assert s["countText"] == str(count), (t, s["countText"], count)
        assert state["count"] == count
        assert state["frame"] == frame
        assert state["figure"] == figure == s["figureText"]
        between_figures = "Rumba" if t < DURATION_S else ""
        assert state["dance"] == s["danceText"] == ("Slow Dance" if figure else between_figures)
        assert s["barText"] == str(state["bar"])
        assert abs(t - s["audioTime"]) <= 0.1, (t, s["audioTime"])
        assert not s["paused"]

    # (b) drawn pelvis positions move, and follow the known circle on the top view.
    drawn = [(s["state"]["drawn"]["leader"], s["state"]["drawn"]["follower"]) for s in samples]
    for (l0, f0), (l1, f1) in itertools.pairwise(drawn):
        assert math.dist(l0, l1) > 2.0 and math.dist(f0, f1) > 2.0, (l0, l1, f0, f1)
    mids = [((lx + fx) / 2.0, (ly + fy) / 2.0) for (lx, ly), (fx, fy) in drawn]
    radii = [math.dist(lp, fp) / 2.0 for lp, fp in drawn]
    for mid in mids:
        assert math.dist(mid, mids[0]) < 2.0, mids  # the floor centre stays put
    assert max(radii) - min(radii) < 2.0, radii
    for s, (lp, _), mid in zip(samples, drawn, mids, strict=True):
        # Screen y grows downwards and floor y points up the screen (away from the audience).
        angle = math.atan2(-(lp[1] - mid[1]), lp[0] - mid[0])
        want = 2.0 * math.pi * (s["state"]["frame"] / FPS) / DURATION_S
        err = math.remainder(angle - want, 2.0 * math.pi)
        assert abs(err) < 0.05, (angle, want)

    # (d) pausing stops time.
    assert paused_a["paused"] and paused_b["paused"]
    assert paused_b["audioTime"] == paused_a["audioTime"]
    assert paused_b["state"]["time"] == paused_a["audioTime"]
    assert paused_b["state"]["frame"] == paused_a["state"]["frame"]

    assert console_errors == []
    non_file = [u for u in requests if not u.startswith("file://")]
    assert non_file == [], non_file
    assert any(u.endswith("/song.wav") for u in requests), requests
