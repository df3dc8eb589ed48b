"""Where the analyses run: worker processes on this machine, or Ray tasks on a cluster.

Both give the scan the outcomes as they finish (in any order), keep only a few analyses
per worker in flight, and stop their workers when the scan stops (Ctrl-C, an error):
local workers ignore Ctrl-C themselves, are terminated by the scan, and exit on their own
if the scan is killed outright. The scan (the driver) alone writes the database.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pasdeux.errors import InputError
from pasdeux.library._params import LibraryParams
from pasdeux.library._types import Analysis
from pasdeux.library._worker import THREAD_VARIABLES, AnalysisTask, Outcome, analyse, init_worker

__all__ = ["connect_ray", "run_local", "run_ray"]


def _died(task: AnalysisTask, why: str) -> Outcome:
    """The outcome of a task whose worker was lost: an internal error, tried again later."""
    analysis = Analysis(hash=task.hash, version=task.version, error=why, error_kind="internal")
    return Outcome(path=task.path, analysis=analysis, worker="?", peak_rss_mb=0.0)


def run_local(
    tasks: Iterable[AnalysisTask], jobs: int, params: LibraryParams
) -> Generator[Outcome, None, None]:
    """Analyse ``tasks`` in ``jobs`` worker processes (started with ``spawn``).

    Yields
    ------
    Outcome
        One per task, as each finishes. A worker that dies (killed, out of memory) gives
        its tasks an internal error and is replaced.
    """
    todo = iter(tasks)
    executor = _executor(jobs, params)
    running: dict[Future[Outcome], AnalysisTask] = {}
    finished = False
    try:
        while True:
            while len(running) < jobs * params.in_flight_per_worker:
                task = next(todo, None)
                if task is None:
                    break
                running[executor.submit(analyse, task)] = task
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    yield _died(task, "the analysis process died (killed, or out of memory)")
            if broken:
                for task in running.values():
                    yield _died(task, "the analysis process died (killed, or out of memory)")
                running.clear()
                executor.shutdown(wait=True)
                executor = _executor(jobs, params)
        finished = True
    finally:
        _stop(executor, finished)


def _executor(jobs: int, params: LibraryParams) -> ProcessPoolExecutor:
    # One thread for the numeric libraries in each worker (the workers are the
    # parallelism): set in the environment the spawned workers inherit, since they load
    # numpy while importing pasdeux, before their initializer runs (as Ray does for its own).
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(params.parent_poll_s,),
    )


def _stop(executor: ProcessPoolExecutor, finished: bool) -> None:
    """Shut the pool down: at once (its workers terminated) unless every task finished."""
    if not finished:
        processes = dict(getattr(executor, "_processes", None) or {})
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.join()
    executor.shutdown(wait=True)


def run_ray(
    tasks: Iterable[AnalysisTask], ray: Any, params: LibraryParams
) -> Generator[Outcome, None, None]:
    """Analyse ``tasks`` as Ray tasks, one CPU each.

    Parameters
    ----------
    tasks
        The analyses to run.
    ray
        The ``ray`` module, connected to a cluster by :func:`connect_ray`.
    params
        The tasks kept in flight per CPU of the cluster.

    Yields
    ------
    Outcome
        One per task, as each finishes; a task Ray lost gives an internal error. Tasks
        still running when the scan stops are cancelled.
    """
    remote = ray.remote(num_cpus=1)(analyse)
    todo = iter(tasks)
    running: dict[Any, AnalysisTask] = {}
    try:
        limit = params.in_flight_per_worker * max(1, int(ray.cluster_resources().get("CPU", 1)))
        while True:
            while len(running) < limit:
                task = next(todo, None)
                if task is None:
                    break
                running[remote.remote(task)] = task
            if not running:
                break
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                task = running.pop(ref)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayError as exc:
                    yield _died(task, f"the Ray task failed ({type(exc).__name__})")
    finally:
        for ref in running:
            ray.cancel(ref, force=True)


def connect_ray(address: str, jobs: int, params: LibraryParams) -> Any:
    """Import Ray and join (or, for ``"local"``, start) a cluster; the ``ray`` module.

    Parameters
    ----------
    address
        ``"auto"`` (the cluster this machine belongs to, e.g. started with ``ray start``),
        a cluster's address (``HOST:PORT`` or ``ray://HOST:10001``), or ``"local"``: a
        Ray cluster started for this scan on this machine with ``jobs`` CPUs.
    jobs
        CPUs of a ``"local"`` cluster.
    params
        The object store size of a local cluster.

    Raises
    ------
    InputError
        Ray is not installed, or no cluster answers at ``address``.
    """
    try:
        import ray
    except ImportError:
        raise InputError(None, "--ray needs Ray: pip install 'pasdeux[cluster]'") from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves this machine
    try:
        if address == "local":
            ray.init(
                num_cpus=jobs,
                include_dashboard=False,
                object_store_memory=params.ray_object_store_bytes,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise InputError(None, f"--ray {address}: no Ray cluster answers ({exc})") from None
    return ray
