"""``pasdeux serve``: the local app on 127.0.0.1 under uvicorn."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path

from pasdeux.errors import InputError
from pasdeux.serve._app import create_app
from pasdeux.serve._params import DEFAULT_PORT, HOST, ServeParams, default_workdir

__all__ = ["bind_port", "run_server"]


def bind_port(port: int) -> socket.socket:
    """A listening TCP socket on :data:`HOST` and ``port`` (0: a free port).

    Raises
    ------
    InputError
        The port is out of range, in use, or needs privileges.
    """
    if isinstance(port, bool) or not 0 <= port <= 65535:
        raise InputError(None, f"--port {port}: must be a whole number from 0 to 65535")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(None, f"--port {port}: in use by another program") from None
        if exc.errno == errno.EACCES:
            raise InputError(None, f"--port {port}: needs privileges (use 1024 or above)") from None
        raise InputError(None, f"--port {port}: cannot listen ({exc.strerror or exc})") from None
    return sock


def run_server(
    *,
    port: int = DEFAULT_PORT,
    workdir: str | Path | None = None,
    params: ServeParams | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the local app on ``http://127.0.0.1:PORT/`` until Ctrl-C or SIGTERM.

    Parameters
    ----------
    port
        The port (0 for a free one; the one taken is announced).
    workdir
        The app's working folder (default :func:`default_workdir`).
    params
        Limits and workers (default :class:`ServeParams`).
    announce
        Told the app's address and working folder once it listens.

    Raises
    ------
    InputError
        The port or the working folder cannot be used (before anything is served).

    Notes
    -----
    On Ctrl-C or SIGTERM uvicorn stops taking requests, running jobs are stopped (their
    half-written outputs removed) and queued ones cancelled; then this returns.
    """
    import uvicorn

    app = create_app(workdir if workdir is not None else default_workdir(), params)
    sock = bind_port(port)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    bound = sock.getsockname()[1]
    jobs = app.state.service.jobs_dir
    announce(f"pasdeux serve: http://{HOST}:{bound}/ (jobs in {jobs}; Ctrl-C stops)")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # the signal uvicorn shut down for, raised again once it had
    finally:
        sock.close()
