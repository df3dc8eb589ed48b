"""The viewer's 3D view in chromium: WebGL 2 (software rendering is enough), two bodies in
their roles' clothes, and cameras that see them."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.render._viewer import write_viewer
from test_viewer_browser import _payload, _write_clicks

# Pixels of a screenshot counted in the page: clearly blue (the leader's shirt, #2b6cb0
# lit anyhow) and clearly red (the follower's dress, #c53030). The floor (beige), skin,
# hair and shoes are neither.
COUNT_JS = """async (png) => {
    const img = new Image();
    img.src = "data:image/png;base64," + png;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let blue = 0, red = 0, colours = new Set();
    for (let i = 0; i < px.length; i += 4) {
        const r = px[i], g = px[i + 1], b = px[i + 2];
        if (b > r + 50 && b > g + 20) blue++;
        if (r > g + 70 && r > b + 70) red++;
        if (i % 40 === 0) colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
    }
    return { blue, red, colours: colours.size, total: px.length / 4 };
}"""


def _shot_counts(page: Any) -> dict[str, int]:
    """Count the role colours' pixels in a screenshot of the 3D canvas."""
    png = page.locator("#view3d").screenshot()
    counts: dict[str, int] = page.evaluate(COUNT_JS, base64.b64encode(png).decode("ascii"))
    return counts


def _show(page: Any, t: float, camera: str) -> None:
    """Seek to `t` with `camera`, and wait for the view to draw it."""
    page.select_option("#camera", camera)
    page.evaluate("t => { document.getElementById('audio').currentTime = t; }", t)
    page.wait_for_function(
        "([t, cam]) => window.pasdeuxState && Math.abs(window.pasdeuxState.time3d - t) < 1e-3"
        " && window.pasdeuxState.camera === cam",
        arg=[t, camera],
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.mark.browser
def test_3d_view_shows_two_bodies_from_every_camera(tmp_path: Path) -> None:
    """From file://, with no console errors and no request but the song: WebGL 2 draws the
    leader in blue and the follower in red, as bodies (thousands of pixels each, not lines),
    from the follow, top and leader's-eyes cameras."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    payload = _payload()
    _write_clicks(tmp_path / "song.wav", payload["beats"])  # type: ignore[arg-type]
    index = tmp_path / "index.html"
    write_viewer(index, payload)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda err: errors.append(f"uncaught: {err}"))
            page.on("request", lambda req: requests.append(req.url))
            page.goto(index.as_uri())
            page.wait_for_function("window.pasdeuxState !== undefined")
            webgl2 = page.evaluate(
                "window.pasdeux3d.renderer.getContext() instanceof WebGL2RenderingContext"
            )
            modes = page.eval_on_selector_all("#camera option", "os => os.map(o => o.value)")
            page_requests = list(requests)
            counts: dict[str, dict[str, int]] = {}
            for cam in modes:
                _show(page, 1.5, cam)
                counts[cam] = _shot_counts(page)
        finally:
            browser.close()

    assert errors == []
    assert [u for u in page_requests if not u.startswith("file://")] == []
    assert webgl2
    assert modes == ["follow", "orbit", "top", "eyes0", "eyes1"]
    for cam in ("follow", "orbit", "top"):
        c = counts[cam]
        assert c["colours"] > 20, (cam, c)  # not blank
        assert c["blue"] > 1500 and c["red"] > 1500, (cam, c)  # two bodies, not sticks
    # From the leader's eyes, the follower (2 m ahead); from the follower's, the leader.
    assert counts["eyes0"]["red"] > 1500 and counts["eyes0"]["red"] > 5 * counts["eyes0"]["blue"]
    assert counts["eyes1"]["blue"] > 1500 and counts["eyes1"]["blue"] > 5 * counts["eyes1"]["red"]
