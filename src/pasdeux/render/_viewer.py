"""Write the self-contained browser viewer (``index.html``) for a choreographed song.

The viewer is a single HTML page with inline CSS, JavaScript and JSON data. It needs no
network access and works from ``file://``: the only external resource is the audio file,
referenced by a relative file name and played through an ``<audio>`` element, which is
also the viewer's only clock.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

import numpy as np

__all__ = ["SCHEMA_VERSION", "render_viewer_html", "write_viewer"]

SCHEMA_VERSION = 1
"""Payload schema version understood by the viewer template."""

_PLACEHOLDER = re.compile(r"/\*@PASDEUX_(CSS|JS|DATA|TITLE|AUDIO)@\*/")
_REQUIRED_KEYS = ("fps", "n_frames", "joints", "parents", "dancers", "audio")


def _json_default(obj: object) -> object:
    """Convert numpy values that :func:`json.dumps` cannot serialise natively.

    Parameters
    ----------
    obj : object
        Value rejected by the standard JSON encoder.

    Returns
    -------
    object
        A JSON-serialisable equivalent (list, int, float or bool).

    Raises
    ------
    TypeError
        If `obj` is not a numpy array or numpy scalar.
    """
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"payload value of type {type(obj).__name__} is not JSON serialisable")


def _validate(payload: Mapping[str, object]) -> None:
    """Check the structural invariants of a viewer payload.

    Parameters
    ----------
    payload : Mapping[str, object]
        The viewer payload (see :func:`write_viewer`).

    Raises
    ------
    ValueError
        If a required key is missing or the array sizes are inconsistent.
    """
    missing = [key for key in _REQUIRED_KEYS if key not in payload]
    if missing:
        raise ValueError(f"viewer payload is missing keys: {', '.join(missing)}")
    schema = payload.get("schema", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        raise ValueError(f"viewer payload schema {schema!r} is not {SCHEMA_VERSION}")
    fps = payload["fps"]
    n_frames = payload["n_frames"]
    if not isinstance(fps, int | float | np.number) or not float(fps) > 0.0:
        raise ValueError(f"viewer payload fps must be a positive number, got {fps!r}")
    if not isinstance(n_frames, int | np.integer) or int(n_frames) < 1:
        raise ValueError(f"viewer payload n_frames must be a positive integer, got {n_frames!r}")
    joints = payload["joints"]
    parents = payload["parents"]
    if not isinstance(joints, list | tuple) or not isinstance(parents, list | tuple | np.ndarray):
        raise ValueError("viewer payload joints and parents must be sequences")
    n_joints = len(joints)
    if len(parents) != n_joints:
        raise ValueError(f"viewer payload has {n_joints} joints but {len(parents)} parents")
    for j, parent in enumerate(parents):
        if not -1 <= int(parent) < n_joints or int(parent) == j:
            raise ValueError(f"viewer payload parent {parent!r} of joint {j} is out of range")
    dancers = payload["dancers"]
    if not isinstance(dancers, list | tuple) or not dancers:
        raise ValueError("viewer payload dancers must be a non-empty sequence")
    expected = int(n_frames) * n_joints * 3
    for dancer in dancers:
        if not isinstance(dancer, Mapping):
            raise ValueError("each viewer payload dancer must be a mapping")
        positions = dancer.get("positions")
        size = np.size(positions) if positions is not None else 0
        if size != expected:
            raise ValueError(
                f"dancer {dancer.get('role')!r} has {size} position values, "
                f"expected n_frames * n_joints * 3 = {expected}"
            )


def _script_json(payload: Mapping[str, object]) -> str:
    """Serialise the payload as JSON that is safe inside an HTML ``<script>`` element.

    Parameters
    ----------
    payload : Mapping[str, object]
        The viewer payload.

    Returns
    -------
    str
        Compact JSON in which ``</`` is written as ``<\\/`` and ``<!--`` as ``\\u003c!--``,
        so the text can neither close the script element nor enter the HTML parser's
        escaped-script state. Both forms are valid JSON escapes inside strings.

    Raises
    ------
    ValueError
        If the payload contains NaN or infinite numbers (not representable in JSON).
    """
    text = json.dumps(
        dict(payload),
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
        default=_json_default,
    )
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _read_template(name: str) -> str:
    """Read one viewer template file shipped in the ``pasdeux.render`` package.

    Parameters
    ----------
    name : str
        File name inside ``pasdeux/render``.

    Returns
    -------
    str
        The file's text.
    """
    return files("pasdeux.render").joinpath(name).read_text(encoding="utf-8")


def render_viewer_html(payload: Mapping[str, object]) -> str:
    """Build the text of the self-contained viewer page.

    Parameters
    ----------
    payload : Mapping[str, object]
        The viewer payload (see :func:`write_viewer`).

    Returns
    -------
    str
        The complete HTML document.

    Raises
    ------
    ValueError
        If the payload is structurally invalid or holds non-finite numbers.
    """
    _validate(payload)
    title = str(payload.get("title") or "pasdeux")
    audio_name = str(payload["audio"])
    fills = {
        "CSS": _read_template("viewer.css"),
        "JS": _read_template("viewer.js"),
        "DATA": _script_json(payload),
        "TITLE": html.escape(title, quote=True),
        "AUDIO": html.escape(quote(audio_name, safe="/~!$&'()*+,;=:@"), quote=True),
    }
    template = _read_template("viewer.html")
    # One pass, so text inserted for one placeholder is never scanned for another.
    return _PLACEHOLDER.sub(lambda m: fills[m.group(1)], template)


def write_viewer(out_path: Path, payload: Mapping[str, object]) -> None:
    """Write the self-contained browser viewer page atomically.

    Parameters
    ----------
    out_path : Path
        Destination file, normally ``<out_dir>/index.html``. The audio file named by
        ``payload["audio"]`` is expected next to it; this function does not copy it.
        Missing parent directories are created.
    payload : Mapping[str, object]
        JSON-serialisable viewer data (numpy arrays and scalars are accepted too).
        Units are seconds and metres; floor ``x`` right, ``y`` away from the audience,
        ``z`` up, origin at the floor centre. Keys:

        ``schema`` (int, optional, must be 1), ``title`` (str, optional),
        ``audio`` (file name relative to the page), ``fps`` (number > 0),
        ``n_frames`` (int >= 1), ``joints`` (list of names; the viewer looks up
        ``pelvis``, ``neck``, ``head``, ``l_/r_shoulder``, ``l_/r_hip``,
        ``l_/r_ankle``, ``l_/r_toe``), ``parents`` (parent joint index, -1 for a root),
        ``dancers`` (list of ``{"role", "color", "positions"}`` with ``positions``
        flat and frame-major: frame ``f``, joint ``j`` at ``(f * J + j) * 3``),
        ``beats`` (seconds), ``beat_in_bar`` and ``bar_of_beat`` (one per beat),
        ``figures`` (``{"start_s", "end_s", "name", "dance", "counts"}``),
        ``sections`` (``{"start_s", "end_s", "meter", "dance"}``) and
        ``floor`` (``{"width_m", "depth_m"}``). The last five are optional.

    Raises
    ------
    ValueError
        If the payload is structurally invalid or holds non-finite numbers.
    OSError
        If the file cannot be written.
    """
    text = render_viewer_html(payload)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, out_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
