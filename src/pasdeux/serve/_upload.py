"""An upload: a multipart form streamed to disk within size limits, its options and its
song, accepted as audio by its content.

The form is parsed as it arrives (python-multipart's streaming parser): the song's bytes
go straight to a file in the job's folder and are counted on the way, so a song over
the limit is refused as soon as the limit is passed, never stored or held whole. Whether
it is audio is decided by its first bytes (``filetype``: a known audio format, or a
container that holds audio) and then by pasdeux's own audio loader, which reads its
header as ``pasdeux dance`` would and decodes its first seconds (the job then decodes it
all).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import filetype
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from pasdeux.serve._params import ServeParams
from pasdeux.serve._work import JobOptions, one_line

__all__ = [
    "FORM_FIELDS",
    "SONG_FIELD",
    "Upload",
    "UploadError",
    "audio_extension",
    "options_from_form",
    "receive_upload",
    "song_file_name",
]

SONG_FIELD = "song"
#: The options a form may carry, besides the song (see :func:`options_from_form`).
FORM_FIELDS = (
    "style",
    "level",
    "floor_w_m",
    "floor_d_m",
    "seed",
    "leader_height_m",
    "follower_height_m",
)
#: Containers ``filetype`` calls video that hold a song as often (M4A as MP4 or QuickTime,
#: WebM and Matroska audio): taken, then the audio loader looks for an audio stream.
_AUDIO_CONTAINERS = frozenset({"mp4", "mov", "webm", "mkv"})
#: The bytes a file's type is told from (what ``filetype`` reads).
_HEAD_BYTES = 8192


class UploadError(Exception):
    """An upload that is refused, with the HTTP status and a one-line reason.

    Parameters
    ----------
    status
        400 for a bad upload, 413 for one over a size limit.
    reason
        What is wrong, shown in the page.
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = one_line(reason)


@dataclass
class Upload:
    """What a form brought: its option fields, and the song's name, file and size."""

    path: Path
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    size: int = 0
    head: bytearray = field(default_factory=bytearray)


def _megabytes(n: int) -> str:
    return f"{n / 1e6:g} MB"


class _FormReader:
    """python-multipart's callbacks: option fields into ``upload.fields`` (each at most
    ``max_field_bytes``, all with their headers at most ``max_form_bytes``), the song's
    bytes into ``upload.path`` (at most ``max_upload_bytes``)."""

    def __init__(self, upload: Upload, params: ServeParams) -> None:
        self.upload = upload
        self.params = params
        self.ended = False
        self._form_bytes = 0
        self._header = [bytearray(), bytearray()]
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._value = bytearray()
        self._file: BinaryIO | None = None

    def _count(self, n: int) -> None:
        self._form_bytes += n
        if self._form_bytes > self.params.max_form_bytes:
            raise UploadError(413, f"the form's fields exceed {self.params.max_form_bytes} bytes")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        self._header[0] += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count(end - start)
        self._header[1] += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header[0]).lower()] = bytes(self._header[1])
        self._header = [bytearray(), bytearray()]

    def on_headers_finished(self) -> None:
        _, disposition = parse_options_header(self._headers.get(b"content-disposition"))
        self._headers = {}
        self._name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        if filename is None:
            self._value = bytearray()
            return
        if self._name != SONG_FIELD or self.upload.filename is not None:
            raise UploadError(400, f"send one song, as the form's file field {SONG_FIELD!r}")
        self.upload.filename = filename.decode("utf-8", "replace")
        self._file = self.upload.path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is None:
            self._count(end - start)
            self._value += data[start:end]
            if len(self._value) > self.params.max_field_bytes:
                raise UploadError(400, f"the option {self._name!r} is too long")
            return
        self.upload.size += end - start
        if self.upload.size > self.params.max_upload_bytes:
            limit = _megabytes(self.params.max_upload_bytes)
            raise UploadError(413, f"the song is larger than the limit of {limit}")
        self._file.write(data[start:end])
        if len(self.upload.head) < _HEAD_BYTES:
            self.upload.head += data[start : start + _HEAD_BYTES - len(self.upload.head)]

    def on_part_end(self) -> None:
        if self._file is not None:
            self.close()
            return
        if self._name in self.upload.fields:
            raise UploadError(400, f"the option {self._name!r} is given twice")
        try:
            self.upload.fields[self._name] = self._value.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadError(400, f"the option {self._name!r} is not UTF-8 text") from None

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _boundary(request: Request, params: ServeParams) -> bytes:
    """The form's boundary; refuses another kind of body, or one declared too large."""
    kind, options = parse_options_header(request.headers.get("content-type"))
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadError(
            400, f"send the song as a form (multipart/form-data, field {SONG_FIELD!r})"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > params.max_upload_bytes + params.max_form_bytes:
        limit = _megabytes(params.max_upload_bytes)
        raise UploadError(413, f"the song is larger than the limit of {limit}")
    return bytes(options[b"boundary"])


async def receive_upload(request: Request, path: Path, params: ServeParams) -> Upload:
    """Read a form from ``request`` as it streams in, the song into ``path``.

    Raises
    ------
    UploadError
        413 once the song passes ``max_upload_bytes`` (or the rest ``max_form_bytes``), or
        as soon as the request declares a larger body; 400 for a body that is not a
        complete form with one song, or an option too long or not text.
    starlette.requests.ClientDisconnect
        The client went away during the upload.
    """
    parser_boundary = _boundary(request, params)
    upload = Upload(path=path)
    reader = _FormReader(upload, params)
    callbacks = {
        name: getattr(reader, name)
        for name in (
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_part_end",
            "on_end",
        )
    }
    parser = MultipartParser(parser_boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise UploadError(400, f"the upload is not a well-formed form ({exc})") from None
    finally:
        reader.close()
    if not reader.ended:
        raise UploadError(400, "the upload was cut short")
    if upload.filename is None:
        raise UploadError(400, f"no song in the upload (the form's file field {SONG_FIELD!r})")
    return upload


def audio_extension(head: bytes | bytearray) -> str | None:
    """The file extension of the audio format ``head`` (a file's first bytes) starts,
    told from the bytes alone; ``None`` if they are no audio format ``filetype`` knows."""
    kind = filetype.guess(bytes(head[:_HEAD_BYTES]))
    if kind is None:
        return None
    if str(kind.mime).startswith("audio/") or kind.extension in _AUDIO_CONTAINERS:
        return str(kind.extension)
    return None


def song_file_name(client_name: str, extension: str) -> str:
    """A safe file name for an uploaded song: the client's name without folders and
    extension, only letters, digits and a few marks kept (at most 80), and the extension
    of its content (``song`` if nothing is left)."""
    base = PurePosixPath(client_name.replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w \-(),&'+]", "_", stem).strip(" ._-")[:80]
    return f"{stem or 'song'}.{extension}"


def _number(fields: dict[str, str], name: str, default: float) -> float:
    text = fields.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UploadError(400, f"the option {name!r} must be a number, got {text!r}")
    return value


def options_from_form(fields: dict[str, str]) -> JobOptions:
    """The job's options from a form's fields (empty or absent fields take the defaults
    of ``pasdeux dance``).

    Raises
    ------
    UploadError
        400 for an unknown field, a value that is not a number where one is due, or an
        option ``pasdeux dance`` refuses (its one-line reason).
    """
    from pasdeux.errors import InputError

    unknown = sorted(set(fields) - set(FORM_FIELDS))
    if unknown:
        raise UploadError(400, f"unknown option {unknown[0]!r}")
    defaults = JobOptions()
    seed = _number(fields, "seed", defaults.seed)
    if seed != int(seed):
        raise UploadError(400, f"the option 'seed' must be a whole number, got {seed:g}")
    heights = tuple(_number(fields, f"{r}_height_m", math.nan) for r in ("leader", "follower"))
    if any(math.isnan(h) for h in heights) and not all(math.isnan(h) for h in heights):
        raise UploadError(400, "give both heights (the leader's and the follower's) or neither")
    style = fields.get("style", "").strip() or "auto"
    options = JobOptions(
        style=None if style == "auto" else style,
        level=fields.get("level", "").strip() or defaults.level,
        floor_m=(
            _number(fields, "floor_w_m", defaults.floor_m[0]),
            _number(fields, "floor_d_m", defaults.floor_m[1]),
        ),
        seed=int(seed),
        heights_m=None if math.isnan(heights[0]) else (heights[0], heights[1]),
    )
    try:
        options.check()
    except InputError as exc:
        raise UploadError(400, exc.problem) from None
    return options
