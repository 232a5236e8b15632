"""The batch on Ray: one SessionWorker actor per device, each fed a whole session at a time.

The driver hands a job to an actor only when it is idle, so the models an actor loaded serve
every session it runs; a worker that dies (killed, out of memory) costs only the session it was
writing, reported as cut off, and a fresh actor takes its place for the rest of the batch.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from typing import Any

from chatdit.batches.jobs import BatchError, BatchJob, Result
from chatdit.batches.progress import BatchProgress
from chatdit.batches.worker import SessionWorker

CPUS_PER_WORKER = 1
WAIT_S = 0.2
CONNECT_TIMEOUT_S = 5


def run_on_ray(ray, jobs: list[BatchJob], progress: BatchProgress, *, address: str, gpus_per_job: float,
               max_parallel: int | None) -> list[Result]:
    owned = connect(ray, address)
    try:
        count = worker_count(ray.cluster_resources(), len(jobs), gpus_per_job, max_parallel, progress.say)
        from ray.util.queue import Queue

        queue = Queue()
        actor_class = ray.remote(SessionWorker).options(num_cpus=CPUS_PER_WORKER, num_gpus=gpus_per_job,
                                                        max_restarts=0)
        progress.say(f"Ray: {count} worker(s) of {CPUS_PER_WORKER} CPU" +
                     (f" and {gpus_per_job:g} GPU" if gpus_per_job else "") + f" for {len(jobs)} session(s)")
        return feed(ray, jobs, [actor_class.remote(queue) for _ in range(count)],
                    lambda: actor_class.remote(queue), queue, progress)
    finally:
        if owned:
            ray.shutdown()


def connect(ray, address: str) -> bool:
    """Start a local Ray or join a cluster; True when this call did it (and so should end it)."""
    if ray.is_initialized():
        return False
    if address not in ("local", "auto"):
        check_reachable(address)
    try:
        if address == "local":
            ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise BatchError(f"could not reach Ray at {address!r} ({exc}); start a cluster (`ray start --head`) "
                         "or use --ray local") from exc
    return True


def check_reachable(address: str) -> None:
    """Fail in seconds, not after Ray's minutes of retries, when nothing listens at host:port."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise BatchError(f"--ray {address!r} is not local, auto or HOST:PORT (the Ray head's GCS port, 6379 by default)")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise BatchError(f"nothing answers at {address} ({exc.strerror or exc}); is the Ray head running "
                         "(`ray start --head`)? Or use --ray local") from exc


def worker_count(resources: dict[str, float], jobs: int, gpus_per_job: float, max_parallel: int | None,
                 say) -> int:
    """As many workers as the cluster holds now, no more than there are sessions or --max-parallel."""
    if gpus_per_job > 0:
        fits = int(resources.get("GPU", 0) // gpus_per_job)
        if fits == 0:
            raise BatchError(f"--gpus-per-job {gpus_per_job:g} but the Ray cluster has {resources.get('GPU', 0):g} "
                             "GPUs; use --gpus-per-job 0 for CPU workers or join a cluster with GPUs")
    else:
        fits = max(int(resources.get("CPU", 0) // CPUS_PER_WORKER), 1)
    if max_parallel and max_parallel > fits:
        say(f"--max-parallel {max_parallel}: the cluster holds {fits} worker(s) now; starting {fits}")
    return max(min(jobs, max_parallel or fits, fits), 1)


def feed(ray, jobs: list[BatchJob], actors: list[Any], replace, queue, progress: BatchProgress) -> list[Result]:
    """Give each idle actor the next session until none is left; collect results as they come."""
    waiting, idle, running, results = deque(jobs), list(actors), {}, []
    while waiting or running:
        while idle and waiting:
            actor, job = idle.pop(), waiting.popleft()
            running[actor.run.remote(job)] = (actor, job, time.perf_counter())
        ready, _ = ray.wait(list(running), num_returns=1, timeout=WAIT_S)
        drain(queue, progress)
        for ref in ready:
            actor, job, began = running.pop(ref)
            try:
                result = ray.get(ref)
                result.round_trip_seconds = time.perf_counter() - began
                idle.append(actor)
            except ray.exceptions.RayActorError as exc:
                result = cut_off(job, began, exc)
                idle.append(replace())
            results.append(result)
            progress.ended(result)
    drain(queue, progress)
    return results


def cut_off(job: BatchJob, began: float, exc: Exception) -> Result:
    reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else exc.__class__.__name__
    return Result(name=job.name, script=job.script_path, session=job.folder, status="cut off",
                  seconds=time.perf_counter() - began,
                  error=f"its worker died mid-session ({reason}); run the same command with --resume "
                        "to finish it from its last checkpoint")


def drain(queue, progress: BatchProgress) -> None:
    """Progress the actors sent since the last look."""
    count = queue.qsize()
    if count:
        for name, share, note in queue.get_nowait_batch(count):
            progress.update(name, share, note)
