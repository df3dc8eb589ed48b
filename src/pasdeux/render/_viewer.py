"""Write the self-contained browser viewer (``index.html``) for a choreographed song.

The viewer is a single HTML page with inline CSS, JavaScript and JSON data. It needs no
network access and works from ``file://``: the only external resource is the audio file,
referenced by a relative file name and played through an ``<audio>`` element, which is
also the viewer's only clock. The JavaScript is ``viewer.bundle.js``: the ES modules of
the repository's ``viewer/src`` with three.js, bundled by esbuild (``make viewer``) and
shipped as package data, so that writing a page needs no node.

Joint positions are embedded packed, not as JSON numbers: per dancer, each joint's x, y and
z in whole millimetres as a series over the frames (joint-major: joint 0's x, y, z series,
then joint 1's, ...), each series written as its second differences (a value minus twice
the one before plus the one before that: what a constant velocity does not predict),
zig-zag mapped to unsigned numbers and written as variable-length integers (7 bits a
byte, the high bit set on every byte but a number's last), the whole zlib-compressed and
base64-encoded. The viewer inflates it (``DecompressionStream``) and sums the differences
back, so it draws exactly the millimetre-rounded positions; at 60 frames a second a
joint's second difference is a few millimetres, one byte, and zlib halves that again (a
4-minute song's two dancers: 0.8 MB, against 3.3 MB for int16 offsets per frame). Any
floor size fits. The page is written in pieces, one joint at a time: neither the
positions nor the page ever exist whole as text.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from numpy.typing import NDArray

from pasdeux._json import deflate_base64

__all__ = ["SCHEMA_VERSION", "render_viewer_html", "write_viewer"]

SCHEMA_VERSION = 2
"""Payload schema version understood by the viewer template (2: packed positions)."""
_MM_PER_M = 1000.0
_MAX_MM = 2**31 - 1
_POSITIONS_ENCODING = "mm-d2-varint+zlib+base64"

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
        The complete HTML document (:func:`write_viewer` writes the same text in pieces).

    Raises
    ------
    ValueError
        If the payload is structurally invalid or holds non-finite numbers.
    """
    _validate(payload)
    return "".join(_page_pieces(payload))


def _page_pieces(payload: Mapping[str, object]) -> Iterator[str]:
    """The page's text in pieces: the template with its placeholders filled."""
    title = str(payload.get("title") or "pasdeux")
    audio_name = str(payload["audio"])
    script = _read_template("viewer.bundle.js")
    if "</script" in script.lower():
        raise ValueError("viewer.bundle.js holds '</script', which would end its script element")
    fills = {
        "CSS": _read_template("viewer.css"),
        "JS": script,
        "TITLE": html.escape(title, quote=True),
        "AUDIO": html.escape(quote(audio_name, safe="/~!$&'()*+,;=:@"), quote=True),
    }
    # Split once, so text inserted for one placeholder is never scanned for another.
    parts = _PLACEHOLDER.split(_read_template("viewer.html"))
    for i, part in enumerate(parts):
        if i % 2 == 0:
            yield part
        elif part == "DATA":
            yield from _data_pieces(payload)
        else:
            yield fills[part]


def _data_pieces(payload: Mapping[str, object]) -> Iterator[str]:
    """The page's JSON data in pieces, each dancer's positions packed (module docstring)."""
    n_frames = int(payload["n_frames"])  # type: ignore[call-overload]
    n_joints = len(payload["joints"])  # type: ignore[arg-type]
    dancers: list[Mapping[str, Any]] = list(payload["dancers"])  # type: ignore[call-overload]
    rest = {k: v for k, v in payload.items() if k != "dancers"}
    rest["schema"] = SCHEMA_VERSION
    yield '{"dancers":['
    for i, dancer in enumerate(dancers):
        head = {k: v for k, v in dancer.items() if k != "positions"}
        head["positions"] = {"unit": "mm", "encoding": _POSITIONS_ENCODING, "data": ""}
        text = _script_json(head)
        # The empty string is the last one in the text: fill it in there.
        before, after = text.rsplit('""', 1)
        positions = np.asarray(dancer["positions"]).reshape(n_frames, n_joints, 3)
        yield ("," if i else "") + before + '"'
        yield from deflate_base64(_joint_series(positions, str(dancer.get("role"))))
        yield '"' + after
    yield "]," + _script_json(rest)[1:]


def _joint_series(positions: NDArray[Any], role: str) -> Iterator[bytes]:
    """Per joint, the bytes of its x, y and z series in mm: second differences, zig-zag
    mapped, as variable-length integers.

    Raises
    ------
    ValueError
        If a position is not finite or is more than 2147 km from the floor centre.
    """
    for j in range(positions.shape[1]):
        joint = np.asarray(positions[:, j, :], dtype=np.float64)
        if not np.isfinite(joint).all():
            raise ValueError(f"dancer {role!r} has NaN or infinite positions")
        mm = np.rint(joint * _MM_PER_M)
        if np.abs(mm).max(initial=0.0) > _MAX_MM:
            raise ValueError(f"dancer {role!r} is more than 2147 km from the floor centre")
        series = mm.astype(np.int64).T  # (3, n_frames)
        second = np.diff(np.diff(series, axis=1, prepend=0), axis=1, prepend=0)
        yield _varints(second.ravel())


def _varints(values: NDArray[np.int64]) -> bytes:
    """Signed integers as zig-zag mapped variable-length integers (LEB128): 7 bits a byte,
    low bits first, the high bit set on every byte of a number but its last."""
    zigzag = ((values << 1) ^ (values >> 63)).astype(np.uint64)
    n_bytes = np.ones(zigzag.shape, dtype=np.int64)
    for k in range(1, 10):
        n_bytes += zigzag >= np.uint64(1 << (7 * k))
    starts = np.cumsum(n_bytes) - n_bytes
    out = np.empty(int(n_bytes.sum()), dtype=np.uint8)
    for k in range(int(n_bytes.max(initial=1))):
        has = n_bytes > k
        chunk = (zigzag[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = np.where(n_bytes[has] > k + 1, 0x80, 0).astype(np.uint64)
        out[starts[has] + k] = (chunk | more).astype(np.uint8)
    return out.tobytes()


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

        ``schema`` (int, optional, must be 2), ``title`` (str, optional),
        ``audio`` (file name relative to the page), ``fps`` (number > 0),
        ``n_frames`` (int >= 1), ``joints`` (list of names; the viewer looks up
        the Mixamo names ``Hips``, ``Spine``, ``Neck``, ``Head``, ``HeadTop_End``,
        ``Left/RightArm``, ``...ForeArm``, ``...Hand``, ``...HandMiddle1``, ``...UpLeg``,
        ``...Leg``, ``...Foot``, ``...ToeBase``, or the older ``pelvis``,
        ``l_/r_shoulder``, ``l_/r_elbow``, ``l_/r_wrist``, ``l_/r_hip``, ``l_/r_knee``,
        ``l_/r_ankle``, ``l_/r_toe``; the 3D bodies are made of the pieces between the
        joints the rig has), ``parents`` (parent joint index, -1 for a root),
        ``dancers`` (list of ``{"role", "color", "positions"}`` with ``positions`` an
        array or list of ``n_frames * J * 3`` numbers, frame-major: frame ``f``, joint ``j``
        at ``(f * J + j) * 3``, or of shape ``(n_frames, J, 3)``; embedded packed in
        millimetres, see the module docstring),
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
    _validate(payload)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for piece in _page_pieces(payload):
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, out_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
