"""Small helpers shared by the typed values for their JSON round trips."""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pasdeux.errors import InputError, SchemaError

__all__ = [
    "ARRAY_PIECE_BYTES",
    "check_schema",
    "deflate_base64",
    "json_pieces",
    "pack_array",
    "packed_data",
    "read_json",
    "unpack_array",
    "write_json_atomic",
    "write_json_stream",
    "write_pieces_atomic",
    "write_text_atomic",
]

ARRAY_PIECE_BYTES = 2**18
"""Bytes of an array compressed and encoded per piece of JSON text (at most)."""
_PACKED_DTYPES = {"<f4": np.float32, "<f8": np.float64, "<i2": np.int16, "<i4": np.int32}
_PACKED_KEYS = {"dtype", "shape", "encoding", "data"}
_ENCODING = "zlib+base64"
_ZLIB_LEVEL = 1  # 4 times smaller on performances; higher levels gain 5 % for twice the time


def check_schema(data: Mapping[str, Any], kind: str, version: int, path: str | None) -> None:
    """Raise ``SchemaError`` unless ``data`` is a ``kind`` object of schema ``version``."""
    if data.get("kind") != kind:
        raise SchemaError(path, f"expected a {kind} JSON object, found kind={data.get('kind')!r}")
    if data.get("schema") != version:
        raise SchemaError(
            path, f"{kind} schema {data.get('schema')!r} is not supported (expected {version})"
        )


def read_json(path: str | Path) -> dict[str, Any]:
    """Read one JSON object from ``path`` with a one-line error on any problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, "is a directory, expected a JSON file") from None
    except PermissionError:
        raise InputError(p, "permission denied") from None
    except UnicodeDecodeError:
        raise InputError(p, "is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(p, f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise SchemaError(p, "expected a JSON object at the top level")
    return data


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    write_pieces_atomic(path, (text,))


def write_pieces_atomic(path: str | Path, pieces: Iterable[str]) -> None:
    """Write the concatenation of ``pieces`` to ``path`` through a temporary file and a
    rename, one piece at a time (the whole text is never held in memory)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for piece in pieces:
                handle.write(piece)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: str | Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as compact JSON to ``path`` atomically."""
    write_text_atomic(path, json.dumps(data, separators=(",", ":"), allow_nan=False))


def write_json_stream(path: str | Path, data: Any) -> None:
    """Write ``data`` as compact JSON to ``path`` atomically, piece by piece.

    ``data`` is JSON-ready except that it may hold numpy arrays, written packed (see
    :func:`pack_array`) a piece at a time (:data:`ARRAY_PIECE_BYTES` of the array each).
    """
    write_pieces_atomic(path, json_pieces(data))


def json_pieces(value: Any) -> Iterator[str]:
    """Compact JSON text of ``value`` in pieces; numpy arrays are written packed.

    The concatenation equals ``json.dumps(v, separators=(",", ":"), allow_nan=False)`` of
    the same value with every array replaced by :func:`pack_array` of it.

    Raises
    ------
    ValueError
        If a number (in an array too) is NaN or infinite.
    """
    if isinstance(value, np.ndarray):
        head = {"dtype": _packed_dtype(value), "shape": list(value.shape), "encoding": _ENCODING}
        yield json.dumps(head, separators=(",", ":"))[:-1] + ',"data":"'
        yield from packed_data(value)
        yield '"}'
    elif isinstance(value, Mapping):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key)) + ":"
            yield from json_pieces(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from json_pieces(item)
        yield "]"
    else:
        yield json.dumps(value, allow_nan=False)


def pack_array(array: NDArray[Any]) -> dict[str, Any]:
    """A numpy array as a JSON object ``{"dtype", "shape", "encoding", "data"}``.

    ``dtype`` is the little-endian type (``"<f4"``, ``"<f8"``, ``"<i2"`` or ``"<i4"``),
    ``encoding`` is ``"zlib+base64"`` and ``data`` the base64 of the zlib stream of the
    array's bytes in C order; :func:`unpack_array` is the exact inverse.
    """
    return {
        "dtype": _packed_dtype(array),
        "shape": list(array.shape),
        "encoding": _ENCODING,
        "data": "".join(packed_data(array)),
    }


def packed_data(array: NDArray[Any]) -> Iterator[str]:
    """The ``data`` of :func:`pack_array` in pieces that concatenate, each made from at
    most :data:`ARRAY_PIECE_BYTES` bytes of the array.

    Raises
    ------
    ValueError
        If the array holds NaN or infinite values.
    """
    flat = np.ascontiguousarray(array, dtype=np.dtype(_packed_dtype(array))).reshape(-1)
    step = max(1, ARRAY_PIECE_BYTES // flat.dtype.itemsize)

    def blocks() -> Iterator[bytes]:
        for start in range(0, flat.size, step):
            part = flat[start : start + step]
            if part.dtype.kind == "f" and not np.isfinite(part).all():
                raise ValueError("array holds NaN or infinite values")
            yield part.tobytes()

    return deflate_base64(blocks())


def deflate_base64(blocks: Iterable[bytes]) -> Iterator[str]:
    """Base64 of the zlib stream of the concatenated ``blocks``, compressed as they come,
    in pieces that concatenate into one base64 string."""
    deflate = zlib.compressobj(_ZLIB_LEVEL)
    pending = b""
    for block in blocks:
        pending += deflate.compress(block)
        whole = len(pending) - len(pending) % 3  # base64 pieces concatenate at 3 bytes
        if whole:
            yield base64.b64encode(pending[:whole]).decode("ascii")
            pending = pending[whole:]
    yield base64.b64encode(pending + deflate.flush()).decode("ascii")


def unpack_array(data: Any, where: str) -> NDArray[Any]:
    """Inverse of :func:`pack_array`, checking the object.

    Raises
    ------
    SchemaError
        Naming ``where`` when the object is not a packed array of a supported type or its
        bytes do not match its shape.
    """
    if not isinstance(data, Mapping) or set(data) != _PACKED_KEYS:
        raise SchemaError(None, f"{where}: expected a packed array {sorted(_PACKED_KEYS)}")
    dtype = _PACKED_DTYPES.get(data["dtype"]) if isinstance(data["dtype"], str) else None
    shape = data["shape"]
    if dtype is None:
        raise SchemaError(None, f"{where}: unsupported dtype {data['dtype']!r}")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise SchemaError(None, f"{where}: shape must be a list of non-negative integers")
    if data["encoding"] != _ENCODING or not isinstance(data["data"], str):
        raise SchemaError(None, f"{where}: encoding must be {_ENCODING!r} with data a string")
    size = math.prod(shape) * np.dtype(dtype).itemsize
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(data["data"], validate=True), size + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise SchemaError(None, f"{where}: data is not valid zlib+base64") from None
    if len(raw) != size or not inflate.eof:
        raise SchemaError(None, f"{where}: the data does not hold shape {shape} of {data['dtype']}")
    return np.frombuffer(raw, dtype=np.dtype(data["dtype"])).astype(dtype).reshape(shape)


def _packed_dtype(array: NDArray[Any]) -> str:
    for name, dtype in _PACKED_DTYPES.items():
        if array.dtype == dtype:
            return name
    raise TypeError(f"cannot pack an array of dtype {array.dtype} (float32/64, int16/32 only)")


def finite_json(value: Any) -> Any:
    """``value`` (dicts, lists, tuples, floats) with every infinite or NaN float replaced by
    None, for strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value
