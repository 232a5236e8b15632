"""Run a batch of scripted sessions: on Ray when asked and installed, else one after another here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatdit.batches.jobs import BatchError, BatchJob, Result, check_fresh, earlier_result, plan_jobs
from chatdit.batches.progress import BatchProgress
from chatdit.batches.worker import SessionWorker

SPREAD_HINT = ("--ray local spreads them over this machine's cores, --ray ADDRESS (or auto) over a Ray "
               "cluster whose workers see the --sessions folder")


def run_batch(scripts: list[Path], *, sessions: Path, ray_address: str | None = None, gpus_per_job: float = 0,
              max_parallel: int | None = None, resume: bool = False, overrides: dict[str, Any] | None = None,
              quiet: bool = False) -> list[Result]:
    """Every script's session run to its end (or failed with a reason), in the scripts' order."""
    if gpus_per_job < 0:
        raise BatchError(f"--gpus-per-job must be 0 or more, not {gpus_per_job}")
    if max_parallel is not None and max_parallel < 1:
        raise BatchError(f"--max-parallel must be 1 or more, not {max_parallel}")
    jobs = check_fresh(plan_jobs(scripts, sessions, overrides), resume)
    finished = {job.name: done for job in jobs if resume and (done := earlier_result(job.folder))}
    todo = [job for job in jobs if job.name not in finished]
    results: dict[str, Result] = {}
    with BatchProgress([job.name for job in jobs], quiet=quiet) as progress:
        for name, result in finished.items():
            results[name] = result.model_copy(update={"earlier": True})
            progress.ended(results[name])
        if todo:
            for result in dispatch(todo, progress, ray_address, gpus_per_job, max_parallel):
                results[result.name] = result
    return [results[job.name] for job in jobs]


def dispatch(jobs: list[BatchJob], progress: BatchProgress, ray_address: str | None, gpus_per_job: float,
             max_parallel: int | None) -> list[Result]:
    ray = import_ray() if ray_address else None
    if ray is not None:
        from chatdit.batches.on_ray import run_on_ray

        return run_on_ray(ray, jobs, progress, address=ray_address, gpus_per_job=gpus_per_job,
                          max_parallel=max_parallel)
    progress.say(in_process_notice(len(jobs), ray_address, installed=import_ray() is not None))
    return run_in_process(jobs, progress.update, progress.ended)


def in_process_notice(count: int, ray_address: str | None, installed: bool) -> str:
    """What the batch does instead of spreading, and how to spread it."""
    doing = f"running the {count} session(s) one after another in this process"
    if installed:
        return f"{doing}; {SPREAD_HINT}"
    asked = f" (--ray {ray_address} asked for it)" if ray_address else ""
    return (f"Ray is not installed{asked}: {doing}. To spread them, `pip install 'chatdit[ray]'`; "
            f"then {SPREAD_HINT}")


def run_in_process(jobs: list[BatchJob], report: Callable[[str, float, str], None],
                   ended: Callable[[Result], None]) -> list[Result]:
    """One worker, here: the models load once and every session runs on them in turn."""
    worker = SessionWorker(report)
    results = []
    for job in jobs:
        results.append(worker.run(job))
        ended(results[-1])
    return results


def import_ray():
    """The ray module, or None when it is not installed (Ray is an optional extra)."""
    try:
        import ray
    except ImportError:
        return None
    return ray
