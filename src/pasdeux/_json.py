"""Small helpers shared by the typed values for their JSON round trips."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pasdeux.errors import InputError, SchemaError

__all__ = ["check_schema", "read_json", "write_json_atomic", "write_text_atomic"]


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
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: str | Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as compact JSON to ``path`` atomically."""
    write_text_atomic(path, json.dumps(data, separators=(",", ":"), allow_nan=False))
