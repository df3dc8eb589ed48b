"""The live page of ``pasdeux serve`` ("You lead", "Cut in", "Hijack"): its API through the
real app on a finished job, and the page in Debian's chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.serve import ServeParams, create_app
from test_serve import HOST_URL, JOB_WAIT_S, _free_port, song_bytes, upload, wait

pytestmark = pytest.mark.slow
HEADERS = {"X-Pasdeux": "1"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live") / "work"


@pytest.fixture(scope="module")
def client(workdir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workdir, ServeParams()), base_url=HOST_URL) as c:
        yield c


@pytest.fixture(scope="module")
def job(client: TestClient) -> dict[str, Any]:
    """A finished job on a 24-bar drum loop danced as a Jive."""
    code, answer = upload(client, "loop.wav", song_bytes(bars=24), style="Jive", seed="1")
    assert code == 201, answer
    done = wait(client, answer["id"])
    assert done["state"] == "done", done
    return done


def _next(client: TestClient, sid: str, index: int, figure: str | None = None) -> Any:
    response = client.post(
        f"/api/live/{sid}/next", json={"figure": figure, "index": index}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_live_api_leads_cuts_in_and_hijacks_to_the_songs_end(
    client: TestClient, job: dict[str, Any]
) -> None:
    assert client.post("/api/live", json={"job": job["id"]}).status_code == 403
    assert client.post("/api/live", json={"job": "0" * 16}, headers=HEADERS).status_code == 404
    response = client.post("/api/live", json={"job": job["id"]}, headers=HEADERS)
    assert response.status_code == 201, response.text
    setup = response.json()
    sid = setup["session"]
    assert setup["dance"] == "Jive" and setup["audio_url"].startswith(f"/jobs/{job['id']}/song.")
    assert client.get(setup["audio_url"]).status_code == 200
    assert (
        client.post("/api/live/nosuch/next", json={"index": 0}, headers=HEADERS).status_code == 404
    )
    chunks = [_next(client, sid, 0)]
    chosen = chunks[0]["options"][-1]["id"]
    late = client.post(
        f"/api/live/{sid}/next", json={"figure": chosen, "index": 0}, headers=HEADERS
    )
    assert late.status_code == 409 and "figure 0 is not the next" in late.json()["error"]
    bad = client.post(
        f"/api/live/{sid}/next", json={"figure": "nosuch", "index": 1}, headers=HEADERS
    )
    assert bad.status_code == 409 and "may not come next" in bad.json()["error"]
    chunks.append(_next(client, sid, 1, chosen))
    assert chunks[1]["figure"] == chosen and chunks[1]["leads"] == "you"
    cut = client.post(f"/api/live/{sid}/cut-in", headers=HEADERS).json()
    assert cut["leader"] == "second leader"
    chunks.append(_next(client, sid, 2))
    hijack = client.post(f"/api/live/{sid}/hijack", headers=HEADERS).json()
    assert hijack["next_leads"] == "follower" and hijack["to_bar"] >= hijack["from_bar"]
    while True:
        chunk = _next(client, sid, len(chunks))
        if chunk.get("done"):
            break
        chunks.append(chunk)
    leads = [c["leads"] for c in chunks]
    assert leads[2] == "second leader" and "follower" in leads
    assert leads[-1] == "second leader"  # the lead comes back to him after her phrase
    assert any(
        s["role"] == "leader" for c in chunks if c["leads"] == "follower" for s in c["steps"]
    )
    # every frame of the song sent once, in order, and her body continuous
    assert [c["first_frame"] for c in chunks] == list(
        np.cumsum([0] + [c["n_frames"] for c in chunks[:-1]])
    )
    assert sum(c["n_frames"] for c in chunks) == setup["n_frames"]
    hers = np.concatenate([np.array(c["positions_mm"]["follower"])[:, 0, :2] for c in chunks])
    # no jump: a frame never moves her more than a fast Jive spin does (0.15 m at 30 fps
    # is 4.5 m/s; a step's length in one frame would be 0.3 m and more)
    assert np.hypot(*np.diff(hers, axis=0).T).max() / 1000 < 0.2


@pytest.fixture(scope="module")
def server(workdir: Path, job: dict[str, Any]) -> Iterator[int]:
    """``pasdeux serve`` on a free port, on the working folder with the finished job."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pasdeux", "serve", "--port", str(port), "--workdir", str(workdir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/" in process.stdout.readline()
        yield port
    finally:
        process.kill()
        process.wait()


def test_you_lead_cut_in_and_hijack_in_chromium(server: int, job: dict[str, Any]) -> None:
    """The live page as a person uses it: a figure picked with a number key is danced next,
    C makes a second leader take over, H gives her the lead for a phrase; the frames drawn
    run on without a gap and her body never jumps."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{server}/live?job={job['id']}"
    errors: list[str] = []
    wait_ms = JOB_WAIT_S * 1000
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # the page forbids eval (its CSP); the test's probes need it, the page does not
            page = browser.new_page(bypass_csp=True)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_function(
                "window.pasdeuxLive && window.pasdeuxLive.figures.length >= 1", timeout=wait_ms
            )
            assert "Jive" in page.inner_text("#live-song")
            page.wait_for_selector("#live-options button")
            second = page.locator("#live-options button").nth(1).get_attribute("data-figure")
            page.keyboard.press("2")  # before the song plays: the next figure
            page.wait_for_function("window.pasdeuxLive.responses.length >= 1", timeout=wait_ms)
            response = page.evaluate("window.pasdeuxLive.responses[0]")
            assert response["figure"] == second and response["beforeStart"]
            assert response["index"] == 1 and not response["waitedForBoundary"]
            figures = page.evaluate("window.pasdeuxLive.figures.map(f => f.figure)")
            assert figures[1] == second
            page.evaluate("document.getElementById('audio').playbackRate = 2")
            page.click("#live-play")
            page.keyboard.press("c")
            page.wait_for_function(
                "window.pasdeuxLive.figures.some(f => f.leads === 'second leader')", timeout=wait_ms
            )
            page.keyboard.press("h")
            page.wait_for_function(
                "window.pasdeuxLive.figures.some(f => f.leads === 'follower')", timeout=wait_ms
            )
            page.wait_for_function(
                "document.getElementById('live-leads').textContent.includes('follower leads')",
                timeout=wait_ms,
            )
            page.keyboard.press("1")  # hers to choose now: refused, said in the page
            page.wait_for_function("window.pasdeuxLive.frameShown > 0", timeout=wait_ms)
            state = page.evaluate(
                """() => {
                  const live = window.pasdeuxLive;
                  const n = live.framesReady;
                  const hers = [];
                  for (let f = 0; f < n; f++) hers.push(window.pasdeuxJoint(1, f, 0));
                  return { n, hers, starts: live.figures.map(f => [f.first_frame, f.n_frames]),
                           errors: live.errors };
                }"""
            )
        finally:
            browser.close()
    starts = state["starts"]
    assert [s for s, _ in starts] == list(np.cumsum([0] + [n for _, n in starts[:-1]]))
    hers = np.array(state["hers"])
    assert state["n"] == sum(n for _, n in starts) and np.all(hers[:, 2] > 0.5)  # no empty frame
    assert np.hypot(*np.diff(hers[:, :2], axis=0).T).max() < 0.2  # m a frame: no jump
    assert any("not yours to choose" in e for e in state["errors"]), state["errors"]
    assert errors == [], errors
