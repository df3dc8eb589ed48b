"""One root error type for the whole package.

``InputError`` is a user's mistake (a missing file, audio that is not audio, a bad option):
the command line prints its one-line message and exits with code 2. Any other
``PasdeuxError`` is an internal failure (exit code 1).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "PasdeuxError", "SchemaError"]


class PasdeuxError(Exception):
    """Root of every error pasdeux raises on purpose."""


class InputError(PasdeuxError):
    """Bad input from the user; the message names the file and what is wrong.

    Parameters
    ----------
    path
        The file (or directory) at fault, or ``None`` when the mistake is not about a file.
    problem
        What is wrong, in a few words, e.g. ``"file is empty"``.
    """

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")


class SchemaError(InputError):
    """A JSON or data file does not match the expected schema."""
