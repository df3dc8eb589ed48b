"""Write a whole output folder, all or nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pasdeux._json import write_json_atomic, write_text_atomic
from pasdeux.choreo import Routine
from pasdeux.errors import InputError
from pasdeux.export._bvh import write_bvh
from pasdeux.export._stepsheet import stepsheet_html, stepsheet_markdown
from pasdeux.motion import Performance
from pasdeux.music import MusicMap
from pasdeux.render import viewer_payload, write_viewer

__all__ = ["OUTPUT_FILES", "write_outputs"]

OUTPUT_FILES = (
    "index.html",
    "music.json",
    "routine.json",
    "performance.json",
    "leader.bvh",
    "follower.bvh",
    "stepsheet.html",
    "stepsheet.md",
)
_MARKER = ".pasdeux-output"


def write_outputs(
    out_dir: str | Path,
    audio_path: str | Path,
    music: MusicMap,
    routine: Routine,
    performance: Performance,
    *,
    title: str,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write every output file into ``out_dir`` atomically.

    Everything is written into a hidden folder beside ``out_dir`` first and moved into
    place only when complete, so a failure leaves no folder that looks finished. An
    existing ``out_dir`` is replaced only if it is empty or an earlier pasdeux output.

    Returns
    -------
    Path
        The path of ``index.html``.
    """
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / _MARKER).exists():
        raise InputError(out, "exists and is not a pasdeux output folder; choose another -o")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)
    try:
        audio = Path(audio_path)
        audio_name = "song" + audio.suffix.lower()
        shutil.copyfile(audio, staging / audio_name)
        say = progress or (lambda _msg: None)
        say("writing music.json, routine.json, performance.json")
        write_json_atomic(staging / "music.json", music.to_dict())
        write_json_atomic(staging / "routine.json", routine.to_dict())
        performance.save(staging / "performance.json")
        say("writing leader.bvh, follower.bvh")
        for dancer in performance.dancers:
            write_bvh(staging / f"{dancer.role}.bvh", dancer, performance.fps)
        say("writing stepsheet.md, stepsheet.html, index.html")
        write_text_atomic(staging / "stepsheet.md", stepsheet_markdown(music, routine, title))
        write_text_atomic(staging / "stepsheet.html", stepsheet_html(music, routine, title))
        write_viewer(
            staging / "index.html", viewer_payload(music, routine, performance, audio_name, title)
        )
        (staging / _MARKER).write_text("written by pasdeux\n", encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / "index.html"
