"""Lossless JSON round trips for the typed values (frozen dataclasses).

Supported field types: ``int``, ``float``, ``str``, ``bool``, ``None`` unions, ``Literal``,
``tuple[X, ...]``, ``dict[str, X]``, nested dataclasses and ``numpy`` arrays (written as
nested lists, Python's float repr making the round trip exact, or packed by the caller's
``array`` function, e.g. :func:`pasdeux._json.pack_array`; both forms are read back).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from pasdeux._json import unpack_array
from pasdeux.errors import SchemaError

__all__ = ["from_jsonable", "to_jsonable"]

T = TypeVar("T")


def to_jsonable(value: Any, *, array: Callable[[np.ndarray], Any] | None = None) -> Any:
    """Turn a dataclass value (recursively) into JSON-ready Python objects.

    Parameters
    ----------
    value
        The value.
    array
        What to make of each numpy array; by default nested lists (``ndarray.tolist``).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name), array=array)
            for f in dataclasses.fields(value)
        }
    if isinstance(value, np.ndarray):
        return value.tolist() if array is None else array(value)
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v, array=array) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, array=array) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_jsonable(cls: type[T], data: Any, where: str = "") -> T:
    """Build a ``cls`` dataclass from JSON data, checking every field's type.

    Raises
    ------
    SchemaError
        Naming the field path (``where``) and what was expected.
    """
    return typing.cast(T, _convert(cls, data, where or cls.__name__))


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A dataclass's resolved field types (resolving them is slow: done once per class)."""
    return typing.get_type_hints(cls)


def _convert(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, Mapping):
            raise SchemaError(None, f"{where}: expected an object, got {type(data).__name__}")
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SchemaError(None, f"{where}: missing field {f.name!r}")
        unknown = set(data) - {f.name for f in dataclasses.fields(tp)}
        if unknown:
            raise SchemaError(None, f"{where}: unknown field(s) {sorted(unknown)}")
        try:
            return tp(**kwargs)
        except (ValueError, TypeError) as exc:
            raise SchemaError(None, f"{where}: {exc}") from None
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, data, where)
            except SchemaError as exc:
                errors.append(str(exc))
        raise SchemaError(None, errors[0] if len(errors) == 1 else f"{where}: no type matched")
    if origin is typing.Literal:
        if data not in typing.get_args(tp):
            raise SchemaError(None, f"{where}: {data!r} is not one of {typing.get_args(tp)}")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise SchemaError(None, f"{where}: expected a list, got {type(data).__name__}")
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise SchemaError(None, f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(_convert(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data)))
    if origin is dict:
        if not isinstance(data, Mapping):
            raise SchemaError(None, f"{where}: expected an object")
        _, value_type = typing.get_args(tp)
        return {str(k): _convert(value_type, v, f"{where}.{k}") for k, v in data.items()}
    if tp is np.ndarray or origin is np.ndarray:
        if isinstance(data, Mapping):
            return unpack_array(data, where)
        try:
            array = np.asarray(data, dtype=float)
        except (ValueError, TypeError):
            raise SchemaError(None, f"{where}: expected a numeric array") from None
        return array
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise SchemaError(None, f"{where}: expected a number, got {data!r}")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise SchemaError(None, f"{where}: expected an integer, got {data!r}")
        return data
    if tp in (str, bool):
        if not isinstance(data, tp):
            raise SchemaError(None, f"{where}: expected {tp.__name__}, got {data!r}")
        return data
    raise TypeError(f"unsupported field type {tp!r} at {where}")
