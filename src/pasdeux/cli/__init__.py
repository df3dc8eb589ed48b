"""The command line: ``pasdeux analyze | dance | demo | figures``. No logic of its own.

This module stays light: the real command line (:mod:`pasdeux.cli._main`) imports numpy and
more, which takes a noticeable moment, and a Ctrl-C in that moment must end the run with
the same one line and exit code 130 as a Ctrl-C later on, not with a traceback. Until the
real command line is loaded, SIGINT is handled by :func:`_interrupted_while_starting`
(nothing has been written yet, so there is nothing to clean up). It is installed with the
C module ``_signal``: importing ``signal`` would first import ``enum``, itself a moment in
which a Ctrl-C could land.
"""

import _signal  # type: ignore[import-not-found]  # the C module, loaded at start-up
import os
import sys

__all__ = ["main"]


def _interrupted_while_starting(_signum: int, _frame: object) -> None:
    os.write(2, b"pasdeux: interrupted\n")
    os._exit(130)


def main(argv: list[str] | tuple[str, ...] | None = None) -> int:
    """Run the command line; returns the exit code."""
    guard = _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler
    if guard:  # not when SIGINT is ignored (a run started with nohup or in the background)
        _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    try:
        from pasdeux.cli._main import main as run
    except KeyboardInterrupt:
        print("pasdeux: interrupted", file=sys.stderr)
        return 130
    finally:
        if guard:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    return run(argv)
