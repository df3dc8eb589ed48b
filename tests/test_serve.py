"""The local app (``pasdeux serve``): the real app and the real pipeline on a short synthetic
song, through Starlette's TestClient; and the real ``pasdeux serve`` process on a port."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from starlette.requests import Request
from starlette.testclient import TestClient

from _browser import CHROMIUM, CHROMIUM_ARGS
from pasdeux.export import OUTPUT_FILES
from pasdeux.serve import STAGES, ServeParams, create_app
from pasdeux.serve._upload import UploadError, audio_extension, receive_upload, song_file_name
from synth import drum_loop

#: How long a test waits for a job before it fails (a guard, not a measurement: a job on
#: the test song takes a few seconds).
JOB_WAIT_S = 180.0
HOST_URL = "http://127.0.0.1"


def song_bytes(bars: int = 8, seed: int = 0) -> bytes:
    """A drum loop at 120 BPM in 4/4 (``bars`` bars, 2 s of tail) as WAV bytes."""
    song = drum_loop(120, 4, bars, sr=22050, seed=seed)
    out = io.BytesIO()
    sf.write(out, song.samples, song.sr, format="WAV")
    return out.getvalue()


def silence_bytes(seconds: float = 8.0) -> bytes:
    """Silence as WAV bytes: audio by its content, refused by the listening."""
    out = io.BytesIO()
    sf.write(out, np.zeros(int(seconds * 22050), dtype=np.float32), 22050, format="WAV")
    return out.getvalue()


def upload(client: TestClient, name: str, data: bytes, **fields: str) -> tuple[int, dict[str, Any]]:
    """POST a new job as the page does; the status code and the JSON answer."""
    response = client.post(
        "/api/jobs",
        data=fields,
        files={"song": (name, data, "application/octet-stream")},
        headers={"X-Pasdeux": "1"},
    )
    return response.status_code, response.json()


def wait(client: TestClient, job_id: str) -> dict[str, Any]:
    """Poll a job's status until it is done or failed."""
    deadline = time.monotonic() + JOB_WAIT_S
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {JOB_WAIT_S} s")


def job_folders(workdir: Path) -> list[Path]:
    return sorted((workdir / "jobs").iterdir())


@pytest.fixture(scope="module")
def song() -> bytes:
    return song_bytes()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "work"


@pytest.fixture(scope="module")
def client(workdir: Path) -> Iterator[TestClient]:
    """The real app with a 2 MB upload limit, its lifespan running."""
    app = create_app(workdir, ServeParams(max_upload_bytes=2_000_000))
    with TestClient(app, base_url=HOST_URL) as c:
        yield c


@pytest.fixture(scope="module")
def done_job(client: TestClient, song: bytes) -> dict[str, Any]:
    """A job on the test song, finished."""
    code, answer = upload(client, "My Song (take 2).wav", song, seed="3", floor_w_m="9")
    assert code == 201, answer
    return wait(client, answer["id"])


@pytest.mark.slow
def test_a_song_goes_through_every_stage_to_a_viewer_and_a_zip(
    client: TestClient, done_job: dict[str, Any], song: bytes, workdir: Path
) -> None:
    assert done_job["state"] == "done", done_job["error"]
    assert done_job["song"] == "My Song (take 2).wav"
    assert done_job["options"]["seed"] == 3 and done_job["options"]["floor_m"] == [9.0, 8.0]
    assert [s["name"] for s in done_job["stages"]] == list(STAGES)
    assert all(s["state"] == "done" and s["message"] for s in done_job["stages"])
    events = (workdir / "jobs" / done_job["id"] / "events.jsonl").read_text().splitlines()
    seen = list(dict.fromkeys(json.loads(line)["stage"] for line in events))
    assert seen == list(STAGES)  # each stage reported, in order
    page = client.get(done_job["result_url"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "My Song (take 2)" in page.text
    audio = client.get(f"/jobs/{done_job['id']}/song.wav")
    assert audio.content == song
    part = client.get(f"/jobs/{done_job['id']}/song.wav", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == song[100:200]  # the viewer seeks
    response = client.get(done_job["zip_url"])
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        names = {Path(n).name: n for n in z.namelist()}
        assert set(OUTPUT_FILES) | {"song.wav"} <= set(names)
        assert z.read(names["song.wav"]) == song
        out = workdir / "jobs" / done_job["id"] / "out"
        for name in OUTPUT_FILES:
            assert z.read(names[name]) == (out / name).read_bytes()


@pytest.mark.slow
def test_jobs_are_listed_again_by_an_app_started_later(
    done_job: dict[str, Any], workdir: Path
) -> None:
    with TestClient(create_app(workdir), base_url=HOST_URL) as again:
        jobs = {job["id"]: job for job in again.get("/api/jobs").json()["jobs"]}
        assert jobs[done_job["id"]]["state"] == "done"
        assert again.get(done_job["result_url"]).status_code == 200


def test_the_page_and_its_options_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'type="file"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    config = client.get("/api/config").json()
    assert "Waltz" in config["dances"] and config["levels"][0] == "newcomer"
    assert config["max_upload_bytes"] == 2_000_000


def test_an_oversized_song_is_refused_and_the_app_keeps_answering(
    client: TestClient, workdir: Path
) -> None:
    before = job_folders(workdir)
    code, answer = upload(client, "long.wav", song_bytes(bars=48))  # about 8.5 MB
    assert code == 413
    assert answer["error"] == "the song is larger than the limit of 2 MB"
    assert job_folders(workdir) == before  # nothing kept
    assert client.get("/api/config").status_code == 200


class _Body:
    """An endless request body in 64 KiB chunks, counting what was read of it."""

    def __init__(self) -> None:
        self.sent = 0

    async def receive(self) -> dict[str, Any]:
        chunk = b"--b\r\n" if self.sent == 0 else b"\0" * 65536
        if self.sent == 0:
            chunk += b'Content-Disposition: form-data; name="song"; filename="a.wav"\r\n\r\n'
        self.sent += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": self.sent < 10**9}


async def _receive_endless(path: Path, body: _Body) -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/jobs",
        "headers": [(b"content-type", b"multipart/form-data; boundary=b")],
    }
    await receive_upload(Request(scope, body.receive), path, ServeParams(max_upload_bytes=10**6))


def test_the_size_limit_is_enforced_while_the_upload_streams(tmp_path: Path) -> None:
    import anyio

    body = _Body()
    with pytest.raises(UploadError) as refused:
        anyio.run(_receive_endless, tmp_path / "song.part", body)
    assert refused.value.status == 413
    assert 10**6 < body.sent <= 10**6 + 2 * 65536  # stopped within a chunk of the limit
    assert (tmp_path / "song.part").stat().st_size <= 10**6


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.wav", b"just some text, renamed\n" * 40, ["notes.wav", "a text file"]),
        ("noise.mp3", np.random.default_rng(1).bytes(50_000), ["noise.mp3", "not an audio"]),
        ("picture.flac", b"\x89PNG\r\n\x1a\n" + bytes(2000), ["picture.flac", "PNG"]),
        ("empty.ogg", b"", ["empty.ogg", "empty"]),
    ],
)
def test_what_is_not_audio_is_refused_by_its_content(
    client: TestClient, workdir: Path, name: str, data: bytes, words: list[str]
) -> None:
    before = job_folders(workdir)
    code, answer = upload(client, name, data)
    assert code == 400
    assert "\n" not in answer["error"]
    for word in words:
        assert word in answer["error"]
    assert job_folders(workdir) == before
    assert client.get("/").status_code == 200


def damaged_song(kind: str) -> bytes:
    """The test song made real audio, then damaged so that its header still reads as audio:
    a FLAC cut to its first eighth, an OGG whose pages after its first 4 KB are noise, a
    WAV whose header promises 18 s and holds 2 s."""
    song = drum_loop(120, 4, 8, sr=22050, seed=0)
    out = io.BytesIO()
    fmt = kind.split()[-1].upper()
    sf.write(
        out, song.samples, song.sr, format=fmt, **({"subtype": "PCM_16"} if fmt == "WAV" else {})
    )
    raw = out.getvalue()
    if kind == "cut flac":
        return raw[: len(raw) // 8]
    if kind == "garbled ogg":
        return raw[:4096] + np.random.default_rng(0).bytes(len(raw) - 4096)
    return raw[: 44 + 2 * 2 * 22050]


@pytest.mark.parametrize(
    ("kind", "name"),
    [("cut flac", "cut.flac"), ("garbled ogg", "garbled.ogg"), ("cut wav", "cut.wav")],
)
def test_a_song_whose_header_passes_but_that_does_not_decode_is_refused(
    client: TestClient, workdir: Path, kind: str, name: str
) -> None:
    """Its first seconds are decoded at upload: refused in one line (HTTP 400), no job
    made, and the app goes on answering and taking songs."""
    data = damaged_song(kind)
    before = job_folders(workdir)
    code, answer = upload(client, name, data)
    assert code == 400, answer
    assert answer["error"].startswith(f"{name}: is truncated or corrupt: ")
    assert "decod" in answer["error"] and "\n" not in answer["error"]
    assert job_folders(workdir) == before
    assert client.get("/").status_code == 200
    assert client.get("/api/jobs").status_code == 200


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("My Song (take 2).mp3", "My Song (take 2).wav"),
        ("../../etc/passwd", "passwd.wav"),
        ("C:\\Music\\Café del Mar.flac", "Café del Mar.wav"),
        ("/abs/path/.hidden.wav", "hidden.wav"),
        ("..", "song.wav"),
        ("a\nb\x00c*?<>|.ogg", "a_b_c.wav"),
        ("", "song.wav"),
    ],
)
def test_an_uploaded_song_is_stored_under_a_safe_name(client_name: str, expected: str) -> None:
    name = song_file_name(client_name, "wav")
    assert name == expected
    assert "/" not in name and not name.startswith(".") and name.isprintable()


@pytest.mark.parametrize(
    ("container", "extension"), [("WAV", "wav"), ("FLAC", "flac"), ("OGG", "ogg")]
)
def test_audio_is_told_by_its_first_bytes(container: str, extension: str) -> None:
    out = io.BytesIO()
    sf.write(out, np.zeros(22050, dtype=np.float32), 22050, format=container)
    assert audio_extension(out.getvalue()[:8192]) == extension
    assert audio_extension(b"RIFF" + bytes(100)) is None  # a RIFF that is not WAVE


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"style": "Foxtrotte"}, ["Foxtrotte"]),
        ({"level": "expert"}, ["level", "expert"]),
        ({"floor_w_m": "2"}, ["floor"]),
        ({"floor_d_m": "lots"}, ["floor_d_m", "number"]),
        ({"seed": "-1"}, ["seed"]),
        ({"seed": "1.5"}, ["seed", "whole"]),
        ({"leader_height_m": "1.8"}, ["both heights"]),
        ({"leader_height_m": "180", "follower_height_m": "1.7"}, ["height"]),
        ({"tempo": "fast"}, ["unknown option 'tempo'"]),
    ],
)
def test_bad_options_are_refused_before_any_work(
    client: TestClient, workdir: Path, song: bytes, fields: dict[str, str], words: list[str]
) -> None:
    before = job_folders(workdir)
    code, answer = upload(client, "song.wav", song, **fields)
    assert code == 400, answer
    for word in words:
        assert word in answer["error"]
    assert job_folders(workdir) == before


def test_a_job_is_only_made_by_the_apps_own_form(client: TestClient, song: bytes) -> None:
    files = {"song": ("song.wav", song, "audio/wav")}
    assert client.post("/api/jobs", files=files).status_code == 403  # no X-Pasdeux header
    raw = client.post("/api/jobs", content=song, headers={"X-Pasdeux": "1"})
    assert raw.status_code == 400 and "multipart/form-data" in raw.json()["error"]
    empty = client.post("/api/jobs", data={"seed": "1"}, headers={"X-Pasdeux": "1"})
    assert empty.status_code == 400
    other_host = client.get("/api/config", headers={"Host": "attacker.example"})
    assert other_host.status_code == 400  # DNS rebinding


@pytest.mark.slow
def test_paths_outside_a_job_folder_cannot_be_read(
    client: TestClient, done_job: dict[str, Any], workdir: Path
) -> None:
    (workdir / "secret.txt").write_text("secret")
    job = done_job["id"]
    paths = [
        f"/jobs/{job}/%2e%2e/job.json",
        f"/jobs/{job}/%2E%2E/%2E%2E/secret.txt",
        f"/jobs/{job}/..%2f..%2fsecret.txt",
        f"/jobs/{job}/..%2F..%2F..%2Fsecret.txt",
        f"/jobs/{job}/%2fetc%2fpasswd",
        f"/jobs/{job}//etc/passwd",
        f"/jobs/{job}/{workdir}/secret.txt",
        f"/jobs/{job}/%00index.html",
        "/jobs/%2e%2e/secret.txt",
        "/jobs/..%2f/secret.txt",
        f"/jobs/{job.upper()}/index.html",
        f"/jobs/{job[:-1]}/index.html",
        f"/jobs/{job}0/index.html",
        "/jobs/0000000000000000/index.html",
        f"/api/jobs/{job}%2f..",
        "/api/jobs/%2e%2e/zip",
        "/static/%2e%2e/_app.py",
        "/static/..%2f_app.py",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"secret" not in response.content and b"root:" not in response.content, path
    assert client.get(f"/jobs/{job}/index.html").status_code == 200


def test_a_pipeline_failure_marks_the_job_failed_with_one_line(client: TestClient) -> None:
    code, answer = upload(client, "quiet.wav", silence_bytes())
    assert code == 201, answer
    status = wait(client, answer["id"])
    assert status["state"] == "failed"
    assert status["error"].startswith("quiet.wav: ") and "\n" not in status["error"]
    assert [s["state"] for s in status["stages"]] == ["failed", "pending", "pending", "pending"]
    assert status["result_url"] is None
    assert client.get(f"/api/jobs/{answer['id']}/zip").status_code == 404


def test_a_job_is_removed_with_its_folder_once_it_has_ended(
    client: TestClient, workdir: Path
) -> None:
    code, answer = upload(client, "removed.wav", silence_bytes())
    assert code == 201
    folder = workdir / "jobs" / answer["id"]
    url = f"/api/jobs/{answer['id']}"
    assert client.delete(url).status_code == 403  # not from the app's page
    if client.get(url).json()["state"] in ("queued", "running"):
        assert client.delete(url, headers={"X-Pasdeux": "1"}).status_code in (409, 204)
    status = wait(client, answer["id"])
    assert status["state"] == "failed"
    assert client.delete(url, headers={"X-Pasdeux": "1"}).status_code == 204
    assert not folder.exists()
    assert client.get(url).status_code == 404
    assert client.delete(url, headers={"X-Pasdeux": "1"}).status_code == 404


@pytest.mark.slow
def test_two_jobs_at_once_both_finish(client: TestClient, song: bytes) -> None:
    first = upload(client, "one.wav", song, style="Rumba")
    second = upload(client, "two.wav", song_bytes(seed=5), seed="7")
    assert first[0] == second[0] == 201
    states = [wait(client, answer["id"]) for _, answer in (first, second)]
    assert [s["state"] for s in states] == ["done", "done"], [s["error"] for s in states]
    assert "Rumba" in states[0]["summary"]
    (start1, end1), (start2, end2) = (s["run_span"] for s in states)
    assert start1 < end2 and start2 < end1  # they ran at the same time


@pytest.mark.slow
def test_with_one_worker_jobs_run_one_after_the_other(tmp_path: Path, song: bytes) -> None:
    with TestClient(create_app(tmp_path, ServeParams(workers=1)), base_url=HOST_URL) as c:
        answers = [upload(c, f"{n}.wav", song)[1] for n in ("one", "two")]
        second = c.get(f"/api/jobs/{answers[1]['id']}").json()
        assert second["state"] == "queued"
        states = [wait(c, answer["id"]) for answer in answers]
    assert [s["state"] for s in states] == ["done", "done"]
    assert states[0]["run_span"][1] <= states[1]["run_span"][0]


def test_stopping_the_app_stops_its_jobs_and_leaves_no_half_folder(
    tmp_path: Path, song: bytes
) -> None:
    with TestClient(create_app(tmp_path, ServeParams(workers=1)), base_url=HOST_URL) as c:
        answers = [upload(c, name, song)[1] for name in ("first.wav", "second.wav")]
    first, second = (tmp_path / "jobs" / answer["id"] for answer in answers)
    result = json.loads((first / "result.json").read_text())
    assert result["state"] in ("done", "failed")
    if result["state"] == "failed":
        assert "stopped" in result["error"]
        assert not (first / "out").exists()
    assert not [p for p in first.iterdir() if p.name.startswith(".")]  # no staging folder
    queued = json.loads((second / "result.json").read_text())
    assert queued["state"] == "failed" and queued["error"].startswith("cancelled")
    with TestClient(create_app(tmp_path), base_url=HOST_URL) as c:
        assert c.get(f"/api/jobs/{answers[1]['id']}").json()["error"] == queued["error"]


# --------------------------------------------------------------------------- the process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _raw(port: int, request: bytes) -> bytes:
    """Send ``request`` as is (no client normalises its path); the answer, read until the
    server closes the connection."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        while chunk := s.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``pasdeux serve`` on a free port with a 1 MB upload limit."""
    port = _free_port()
    args = ["--port", str(port), "--workdir", str(tmp_path), "--max-upload-mb", "1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "pasdeux", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line + process.stderr.read()
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_pasdeux_serve_serves_the_page_and_stops_on_ctrl_c(
    server: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = server
    answer = _raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and b"<!doctype html>" in answer
    for path in (b"/static/../_app.py", b"/static/../../../../../etc/passwd", b"/jobs/../"):
        request = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        answer = _raw(port, request)
        assert answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 400")), answer[:100]
        assert b"root:" not in answer and b"import" not in answer
    # a body declared larger than the limit is refused before any of it is sent
    head = (
        b"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pasdeux: 1\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000000\r\n"
        b"Connection: close\r\n\r\n"
    )
    answer = _raw(port, head)
    assert answer.startswith(b"HTTP/1.1 413") and b"limit of 1 MB" in answer
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert err.strip().splitlines()[-1] == "pasdeux serve: stopped"
    assert "Traceback" not in err


def test_pasdeux_serve_refuses_a_port_in_use_in_one_line(
    server: tuple[subprocess.Popen[str], int], tmp_path: Path
) -> None:
    _, port = server
    result = subprocess.run(
        [sys.executable, "-m", "pasdeux", "serve", "--port", str(port), "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"pasdeux: --port {port}: in use by another program"


# A file dropped on the page's drop zone: the drop event a browser sends, with the file.
DROP_JS = """([name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const files = new DataTransfer();
    files.items.add(new File([bytes], name, { type: "audio/wav" }));
    const zone = document.getElementById("drop");
    for (const type of ["dragover", "drop"]) {
        const init = { dataTransfer: files, bubbles: true, cancelable: true };
        zone.dispatchEvent(new DragEvent(type, init));
    }
}"""


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_dances_a_dropped_song_in_chromium(
    server: tuple[subprocess.Popen[str], int], tmp_path: Path, song: bytes
) -> None:
    """The page as a person uses it: a text file refused with its reason, a song over the
    limit refused before it is sent, a song danced, watched in the page; no other site
    asked for anything."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    _, port = server
    url = f"http://127.0.0.1:{port}/"
    files = {"notes.wav": b"some text\n" * 50, "big.wav": bytes(1_500_000), "My Song.wav": song}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.wait_for_selector("#style option[value='Rumba']", state="attached")
            page.set_input_files("#song", str(tmp_path / "notes.wav"))
            page.click("#start")
            page.wait_for_selector("#error:has-text('a text file')")
            page.set_input_files("#song", str(tmp_path / "big.wav"))
            assert "larger than the limit of 1.0 MB" in page.inner_text("#error")
            assert page.is_disabled("#start")
            # the song dropped on the page, as from a file manager
            page.evaluate(DROP_JS, ["My Song.wav", base64.b64encode(song).decode("ascii")])
            assert "My Song.wav" in page.inner_text("#drop-text")
            page.select_option("#style", "Rumba")
            page.click("#start")
            page.wait_for_selector(".job .state.done", timeout=JOB_WAIT_S * 1000)
            assert page.locator(".job ol.stages li.done").count() == len(STAGES)
            page.click(".job .actions a:has-text('Watch')")
            viewer = page.frame_locator("#viewer-frame")
            viewer.locator("#play").wait_for()
            assert "Rumba" in viewer.locator("body").inner_text()
            # the viewer served by the app plays the song (fetched in ranges) in sync
            frame = next(f for f in page.frames if f.url.endswith("/index.html"))
            frame.wait_for_function("window.pasdeuxViewer !== undefined")
            viewer.locator("#play").click()
            frame.wait_for_function(
                "window.pasdeuxState.time >= 1.5 && window.pasdeuxState.figure !== ''"
            )
            shown = frame.evaluate(
                "() => [window.pasdeuxState.time, document.getElementById('audio').currentTime,"
                " window.pasdeuxState.dance]"
            )
            assert abs(shown[0] - shown[1]) < 0.1 and shown[2] == "Rumba", shown
        finally:
            browser.close()
    assert [e for e in errors if "status of 400" not in e] == [], errors
    assert all(r.startswith(url) or r.startswith(("data:", "blob:")) for r in requests), requests


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "70000"], ["--port", "0 to 65535"]),
        (["--port", "http"], ["--port"]),
        (["--workers", "0"], ["--workers"]),
        (["--max-upload-mb", "-5"], ["--max-upload-mb"]),
        (["--workdir", "{file}"], ["not a folder"]),
    ],
)
def test_pasdeux_serve_refuses_bad_options_in_one_line(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    (tmp_path / "file").write_text("a file, not a folder")
    args = [a.replace("{file}", str(tmp_path / "file")) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "pasdeux", "serve", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == ""
    for word in words:
        assert word in lines[0]


def test_serve_params_refuse_a_decode_check_shorter_than_a_song() -> None:
    with pytest.raises(ValueError, match="check_decode_s"):
        ServeParams(check_decode_s=2.0)
    assert ServeParams().check_decode_s >= 5.0
