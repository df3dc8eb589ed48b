"""The local app: ``pasdeux serve`` — drop a song in a browser page, watch the stages of
``pasdeux dance`` run, watch the couple dance, download the folder as a zip.

A Starlette app served by uvicorn on 127.0.0.1 only. Each job has its own folder under the
app's working folder (:func:`default_workdir` unless told) and runs in its own process, at
most :attr:`ServeParams.workers` at once.
"""

from pasdeux.serve._app import create_app, prepare_workdir
from pasdeux.serve._jobs import Job, JobRunner
from pasdeux.serve._params import DEFAULT_PORT, HOST, ServeParams, default_workdir
from pasdeux.serve._server import bind_port, run_server
from pasdeux.serve._work import STAGES, JobOptions

__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "STAGES",
    "Job",
    "JobOptions",
    "JobRunner",
    "ServeParams",
    "bind_port",
    "create_app",
    "default_workdir",
    "prepare_workdir",
    "run_server",
]
