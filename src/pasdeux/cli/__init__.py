"""The command line: ``pasdeux analyze | dance | demo | figures``. No logic of its own.

This module stays light: the real command line (:mod:`pasdeux.cli._main`) imports numpy and
more, which takes a noticeable moment, and a Ctrl-C in that moment must end the run with
the same one line and exit code 130 as a Ctrl-C later on, not with a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        from pasdeux.cli._main import main as run
    except KeyboardInterrupt:
        print("pasdeux: interrupted", file=sys.stderr)
        return 130
    return run(argv)
